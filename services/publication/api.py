"""The public feed: `GET /feed` (JSON, paginated, filtered) and `GET /feed/stream` (live SSE)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from services.publication.deps import AsOf, PartnershipQuery, SettingsDep, TablesDep, check_as_of
from services.publication.queries import FeedFilter, entries_after, feed_page, last_number
from services.publication.stream import PAGE, Broadcaster, history
from shared.api import PageDep, RuntimeDep
from shared.contracts.publication import EntryType, FeedEntryPublished

router = APIRouter(tags=["public feed"])


class FeedPage(BaseModel):
    """One page of the transparency feed, in entry-number order."""

    items: list[FeedEntryPublished]
    total: int
    limit: int
    offset: int


@router.get("/feed", response_model=FeedPage)
async def get_feed(
    runtime: RuntimeDep,
    tables: TablesDep,
    page: PageDep,
    as_of: AsOf = None,
    partnership: PartnershipQuery = None,
    entry_type: Annotated[EntryType | None, Query(description="only entries of this type")] = None,
    since: Annotated[date | None, Query(description="entries from this date")] = None,
    until: Annotated[date | None, Query(description="entries up to this date")] = None,
    fund: Annotated[str | None, Query(description="only entries about this fund")] = None,
) -> FeedPage:
    """The public entries in feed order, filtered by type, dates, fund and partnership."""
    check_as_of(as_of, datetime.now(UTC).date())
    if since is not None and until is not None and until < since:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"until {until.isoformat()} is before since {since.isoformat()}",
        )
    where = FeedFilter(entry_type, since, until, fund, partnership, as_of)
    async with runtime.engine.connect() as conn:
        total, items = await feed_page(conn, tables, where, page.limit, page.offset)
    return FeedPage(items=items, total=total, limit=page.limit, offset=page.offset)


def broadcaster(request: Request, runtime: RuntimeDep, tables: TablesDep) -> Broadcaster:
    """The process's one broadcaster, started by the first subscriber."""
    state = request.app.state
    if getattr(state, "feed_broadcaster", None) is None:
        state.feed_broadcaster = Broadcaster(runtime.engine, tables)
    found: Broadcaster = state.feed_broadcaster
    return found


@router.get(
    "/feed/stream",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "SSE entries"},
        204: {"description": "as_of a date: nothing after Last-Event-ID (an EventSource stops)"},
    },
)
async def stream_feed(
    request: Request,
    runtime: RuntimeDep,
    tables: TablesDep,
    settings: SettingsDep,
    as_of: AsOf = None,
    partnership: PartnershipQuery = None,
    entry_type: Annotated[EntryType | None, Query(description="only entries of this type")] = None,
    last_event_id: Annotated[
        int | None, Header(ge=0, description="resume after this entry number")
    ] = None,
    after: Annotated[int | None, Query(ge=0, description="start after this entry number")] = None,
) -> Response:
    """Entries as Server-Sent Events, live; resumes after `Last-Event-ID` (default: from now).

    With `as_of` it sends the entries public on that date (from the first, or after
    `Last-Event-ID`), in order, then an `end` message, and closes: history does not go live.
    """
    check_as_of(as_of, datetime.now(UTC).date())
    start = last_event_id if last_event_id is not None else after
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    if as_of is not None:
        where = FeedFilter(entry_type=entry_type, partnership_id=partnership, as_of=as_of)
        async with runtime.engine.connect() as conn:
            first = await entries_after(conn, tables, start or 0, PAGE, where)
        if not first and last_event_id is not None:
            return Response(status_code=status.HTTP_204_NO_CONTENT)  # the client has it all
        return StreamingResponse(
            history(runtime.engine, tables, where, start or 0, first),
            media_type="text/event-stream",
            headers=headers,
        )
    feed = broadcaster(request, runtime, tables)
    feed.start()
    if start is None:  # a new subscriber without a position starts at the present
        async with runtime.engine.connect() as conn:
            start = await last_number(conn, tables)

    def wanted(entry: FeedEntryPublished) -> bool:
        return (partnership is None or entry.partnership_id == partnership) and (
            entry_type is None or entry.entry_type is entry_type
        )

    return StreamingResponse(
        feed.subscribe(start, settings.sse_heartbeat_seconds, wanted),
        media_type="text/event-stream",
        headers=headers,
    )
