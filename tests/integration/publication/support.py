"""The feed consumer as the service runs it, for tests that hand it events directly."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from services.publication.mapping import Policy
from services.publication.projections import FeedPublisher
from services.publication.queries import FeedFilter, all_entries
from services.publication.tables import FeedTables
from services.publication.views import FeedProjection
from shared.consumer import EventConsumer


def consumer(engine: AsyncEngine, schema: str, tables: FeedTables) -> EventConsumer:
    """The feed consumer over the test's store, without a broker (events handed in directly)."""
    assert tables.schema is not None
    view = FeedProjection(tables.schema.removeprefix("proj_"))
    return EventConsumer(
        "publication.feed", engine, schema, FeedPublisher(Policy(10), schema, view), None
    )


async def numbers(engine: AsyncEngine, tables: FeedTables) -> list[int]:
    """The numbers of every entry in the feed, in order."""
    async with engine.connect() as conn:
        return [e.number for e in await all_entries(conn, tables, FeedFilter())]
