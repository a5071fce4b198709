"""The embedded broker forgets everything on restart: the relay republishes, consumers catch up."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.eventstore.store import EventStore
from shared.infra.embedded import EmbeddedBroker
from shared.messaging import dead_letter_topic, ensure_topics, make_broker
from shared.outbox import OutboxRelay
from shared.projection import ProjectionRunner
from tests.support.flow import append_awards, eventually, processed
from tests.support.kafka import read_topic
from tests.support.projections import RecipientTotals, dump


@pytest.fixture
def own_broker() -> Iterator[EmbeddedBroker]:
    """A broker of this test's own, since the test restarts it."""
    broker = EmbeddedBroker().start()
    yield broker
    broker.stop()


async def test_after_a_broker_restart_the_relay_republishes_and_the_consumer_catches_up(
    engine: AsyncEngine, schema: str, topic: str, own_broker: EmbeddedBroker
) -> None:
    bootstrap = own_broker.bootstrap_servers
    store = EventStore(schema)
    projection = RecipientTotals()
    projection.name = f"restart_{schema}"
    runner = ProjectionRunner(projection, engine)  # type: ignore[arg-type]
    await runner.prepare()
    await ensure_topics(bootstrap, [topic, dead_letter_topic(topic)])

    relay_broker, consumer_broker = make_broker(bootstrap), make_broker(bootstrap)
    await relay_broker.connect()
    relay = OutboxRelay(
        engine, store, relay_broker, bootstrap, topic, idle_wait=0.2, loss_check_interval=0.5
    )
    consumer = runner.consumer(consumer_broker)
    consumer.subscribe(topic, group_id=f"g-{schema}")
    await consumer_broker.start()
    stop = asyncio.Event()
    relaying = asyncio.create_task(relay.run(stop))
    try:
        await append_awards(engine, store, 50)
        await eventually(lambda: processed(consumer, 50))

        own_broker.restart()  # every topic, message and committed offset is gone
        await append_awards(engine, store, 50, start=50)
        await eventually(lambda: processed(consumer, 100), timeout=60)

        on_topic = await read_topic(bootstrap, topic, until=100)
        assert {m.value["position"] for m in on_topic} == set(range(1, 101))
        async with engine.connect() as conn:
            assert sum(row[1] for row in await dump(conn, runner.schema)) == 100
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(relaying, 10)
        await consumer_broker.stop()
        await relay_broker.stop()
