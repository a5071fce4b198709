"""What the public routes share: settings, tables, and the registers as of a date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Query, status

from services.publication.queries import FeedFilter, all_entries
from services.publication.register import Register, fold
from services.publication.settings import PublicationSettings
from services.publication.tables import FeedTables, feed_tables
from shared.api import RuntimeDep


def get_settings(runtime: RuntimeDep) -> PublicationSettings:
    """The publication settings the process started with."""
    settings = runtime.settings
    if not isinstance(settings, PublicationSettings):  # only a mis-wired test app gets here
        raise RuntimeError("the publication app was started without PublicationSettings")
    return settings


SettingsDep = Annotated[PublicationSettings, Depends(get_settings)]
TablesDep = Annotated[FeedTables, Depends(lambda: feed_tables())]
AsOf = Annotated[
    date | None,
    Query(description="answer with what was public at the end of this date (YYYY-MM-DD)"),
]
PartnershipQuery = Annotated[
    str | None, Query(alias="partnership", description="only this partnership's entries")
]


def check_as_of(as_of: date | None, today: date) -> None:
    """A date in the future has no history yet: say so rather than answer with today's."""
    if as_of is not None and as_of > today:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"as_of {as_of.isoformat()} is in the future (today is {today.isoformat()})",
        )


async def load_register(
    runtime: RuntimeDep, tables: TablesDep, as_of: AsOf = None, partnership: PartnershipQuery = None
) -> Register:
    """The registers folded from the feed up to `as_of` (default: now), for one or all."""
    check_as_of(as_of, datetime.now(UTC).date())
    async with runtime.engine.connect() as conn:
        entries = await all_entries(
            conn, tables, FeedFilter(partnership_id=partnership, as_of=as_of)
        )
    return fold(entries)


RegisterDep = Annotated[Register, Depends(load_register)]
