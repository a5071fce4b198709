"""Steps shared by the backbone's integration tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.consumer import EventConsumer
from shared.eventstore.store import EventStore
from shared.messaging import make_broker
from shared.outbox import OutboxRelay
from tests.support.events import new_event


async def append_awards(
    engine: AsyncEngine,
    store: EventStore,
    count: int,
    start: int = 0,
    title: str = "Youth diversion boxing club",
) -> None:
    """Append `count` awards, one new stream each, spread over five recipients."""
    async with engine.begin() as conn:
        for n in range(start, start + count):
            event = new_event(f"a{n}", f"{100 + n}.50", f"GB-CHC-{n % 5:07d}", title)
            await store.append(conn, "award", f"award-{n}", [event], 0)


async def publish_all(engine: AsyncEngine, store: EventStore, bootstrap: str, topic: str) -> None:
    """Relay the whole outbox to the topic and return when it is empty."""
    broker = make_broker(bootstrap)
    await broker.connect()
    try:
        relay = OutboxRelay(engine, store, broker, bootstrap, topic)
        while await relay.publish_batch():
            pass
    finally:
        await broker.stop()


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 30.0) -> None:
    """Wait until `check` holds, failing the test after `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.1)


async def processed(consumer: EventConsumer, expected: int) -> bool:
    """Whether the consumer has taken in at least `expected` events."""
    return await consumer.processed_count() >= expected
