"""The feed publisher and live stream against a real PostgreSQL: numbering, dedupe, resume."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.publication.projections import FEED_STREAM
from services.publication.stream import Broadcaster
from services.publication.tables import FeedTables
from shared.eventstore.store import EventStore
from tests.integration.publication.support import consumer, numbers
from tests.unit.publication.builders import approval, contract, decommissioned, envelope, grant


async def test_entries_are_appended_to_the_feed_stream_and_indexed(
    engine: AsyncEngine, schema: str, tables: FeedTables
) -> None:
    events = [envelope(approval("app-1")), envelope(grant("a1")), envelope(contract("c1"))]
    await consumer(engine, schema, tables).process(events)
    await consumer(engine, schema, tables).process([envelope(decommissioned("c1"))])
    assert await numbers(engine, tables) == [1, 2, 3, 4, 5]
    store = EventStore(schema)
    async with engine.connect() as conn:
        stream = await store.read_stream(conn, FEED_STREAM)
        report = await store.verify_chain(conn)
        subjects = (await conn.execute(select(tables.subjects.c.subject))).scalars().all()
    assert [e.stream_version for e in stream] == [1, 2, 3, 4, 5]
    assert [e.payload["number"] for e in stream] == [1, 2, 3, 4, 5]
    assert stream[1].causation_id == events[1].event_id  # the chain of cause is kept
    assert stream[1].actor.user_id == "service:publication"
    assert report.intact and report.checked == 5
    assert "dorset/award:c1" in subjects


async def test_a_redelivered_event_publishes_nothing_twice(
    engine: AsyncEngine, schema: str, tables: FeedTables
) -> None:
    award = envelope(grant("a1"))
    await consumer(engine, schema, tables).process([award])
    await consumer(engine, schema, tables).process([award, envelope(grant("a2"))])
    # The same fact under a new event id (a producer retrying) is recognised too.
    await consumer(engine, schema, tables).process([envelope(grant("a2"))])
    assert await numbers(engine, tables) == [1, 2]


async def test_concurrent_publishers_number_gaplessly(
    engine: AsyncEngine, schema: str, tables: FeedTables
) -> None:
    batches = [[envelope(grant(f"a{b}-{n}")) for n in range(10)] for b in range(4)]
    await asyncio.gather(*(consumer(engine, schema, tables).process(batch) for batch in batches))
    assert await numbers(engine, tables) == list(range(1, 41))


async def _take(stream: AsyncGenerator[str, None], count: int) -> list[int]:
    """The ids of the next `count` entries on the stream (skipping retry and heartbeats)."""
    ids: list[int] = []
    while len(ids) < count:
        chunk = await asyncio.wait_for(anext(stream), 10)
        ids.extend(int(line[4:]) for line in chunk.splitlines() if line.startswith("id: "))
    return ids


async def test_a_subscriber_resuming_gets_exactly_what_it_missed_then_live_entries(
    engine: AsyncEngine, schema: str, tables: FeedTables
) -> None:
    await consumer(engine, schema, tables).process([envelope(grant(f"a{n}")) for n in range(5)])
    feed = Broadcaster(engine, tables)
    try:
        first = feed.subscribe(0, heartbeat=0.2, wanted=lambda e: True)
        assert await _take(first, 5) == [1, 2, 3, 4, 5]
        await first.aclose()  # the client drops after entry 5 (and misses what comes next)
        await consumer(engine, schema, tables).process([envelope(grant(f"b{n}")) for n in range(3)])
        resumed = feed.subscribe(5, heartbeat=0.2, wanted=lambda e: True)
        assert await _take(resumed, 3) == [6, 7, 8]
        waiting = asyncio.create_task(_take(resumed, 2))
        await asyncio.sleep(0.3)  # the subscriber is now idle, on heartbeats
        await consumer(engine, schema, tables).process(
            [envelope(grant("c1")), envelope(grant("c2"))]
        )
        assert await waiting == [9, 10]  # woken by NOTIFY, not by a poll
        await resumed.aclose()
    finally:
        await feed.stop()


async def test_far_behind_subscribers_read_the_gap_from_the_database(
    engine: AsyncEngine, schema: str, tables: FeedTables
) -> None:
    await consumer(engine, schema, tables).process([envelope(grant(f"a{n}")) for n in range(30)])
    feed = Broadcaster(engine, tables)
    try:
        await asyncio.sleep(0.5)  # the broadcaster has started following at the head
        stream = feed.subscribe(12, heartbeat=0.2, wanted=lambda e: e.number % 2 == 0)
        assert await _take(stream, 9) == list(range(14, 31, 2))
        await stream.aclose()
    finally:
        await feed.stop()
