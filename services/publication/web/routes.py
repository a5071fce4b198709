"""`GET /`: the public portal page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from services.publication.deps import AsOf, PartnershipQuery, TablesDep, check_as_of
from services.publication.queries import FeedFilter, all_entries, last_number
from services.publication.register import fold
from services.publication.web.page import render
from shared.api import RuntimeDep

router = APIRouter(tags=["portal"])
RECENT = 30


@router.get("/", response_class=HTMLResponse)
async def portal(
    runtime: RuntimeDep,
    tables: TablesDep,
    as_of: AsOf = None,
    partnership: PartnershipQuery = None,
    q: Annotated[str, Query(max_length=200, description="search the register")] = "",
) -> HTMLResponse:
    """The transparency portal: live feed, grants register with search, decisions, charts."""
    check_as_of(as_of, datetime.now(UTC).date())
    async with runtime.engine.connect() as conn:
        latest = await last_number(conn, tables)
        entries = await all_entries(
            conn, tables, FeedFilter(partnership_id=partnership, as_of=as_of)
        )
    recent = list(reversed(entries[-RECENT:]))
    # A page of the past does not go live: the stream only carries what is new today.
    live = as_of is None
    html = render(fold(entries), recent, latest if live else -1, q, partnership or "")
    return HTMLResponse(html)
