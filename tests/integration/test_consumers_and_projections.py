"""Inbox, projections, rebuilds and dead letters over a real broker and a real PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.eventstore.store import EventStore
from shared.messaging import dead_letter_topic, ensure_topics, make_broker
from shared.projection import ProjectionRunner
from shared.sources import StoreSource, TopicSource
from tests.support.events import new_event
from tests.support.flow import append_awards, eventually, processed, publish_all
from tests.support.kafka import read_topic
from tests.support.projections import RecipientTotals, dump


@pytest.fixture
async def runner(engine: AsyncEngine) -> AsyncIterator[ProjectionRunner]:
    projection = RecipientTotals(poison_title="poison")
    projection.name = f"totals_{id(projection) % 10**8}"
    runner = ProjectionRunner(projection, engine)  # type: ignore[arg-type]
    await runner.prepare()
    yield runner
    async with engine.begin() as conn:
        from sqlalchemy import text

        await conn.execute(text(f"DROP SCHEMA IF EXISTS {runner.schema} CASCADE"))


async def test_redelivered_events_change_nothing(
    engine: AsyncEngine, schema: str, runner: ProjectionRunner
) -> None:
    store = EventStore(schema)
    await append_awards(engine, store, 10)
    async with engine.connect() as conn:
        events = await store.read_all(conn)
    consumer = runner.consumer(None)
    await consumer.process(events)
    async with engine.connect() as conn:
        once = await dump(conn, runner.schema)
    await consumer.process(events)  # the same events again, as after a broker redelivery
    await consumer.process(events[3:5] + events[3:5])  # and duplicates inside one batch
    async with engine.connect() as conn:
        assert await dump(conn, runner.schema) == once
    assert sum(row[1] for row in once) == 10
    assert sum(row[2] for row in once) == sum(Decimal(f"{100 + n}.50") for n in range(10))


async def test_live_projection_over_kafka_then_two_rebuilds_give_identical_read_models(
    engine: AsyncEngine, schema: str, kafka_bootstrap: str, topic: str, runner: ProjectionRunner
) -> None:
    store = EventStore(schema)
    await append_awards(engine, store, 200)
    await ensure_topics(kafka_bootstrap, [topic, dead_letter_topic(topic)], partitions=3)
    await publish_all(engine, store, kafka_bootstrap, topic)
    broker = make_broker(kafka_bootstrap)
    consumer = runner.consumer(broker)
    consumer.subscribe(topic, group_id=f"g-{runner.schema}")
    await broker.start()
    try:
        await eventually(lambda: processed(consumer, 200))
        async with engine.connect() as conn:
            live = await dump(conn, runner.schema)
        first = await runner.rebuild(StoreSource(engine, store), batch=64, progress=False)
        async with engine.connect() as conn:
            after_first = await dump(conn, runner.schema)
        second = await runner.rebuild(TopicSource(kafka_bootstrap, [topic]), progress=False)
        async with engine.connect() as conn:
            after_second = await dump(conn, runner.schema)
        assert first.events == second.events == 200
        assert live == after_first == after_second
        # The live consumer carries on into the swapped-in read model.
        await append_awards(engine, store, 5, start=200)
        await publish_all(engine, store, kafka_bootstrap, topic)
        await eventually(lambda: processed(consumer, 205))
        async with engine.connect() as conn:
            assert sum(row[1] for row in await dump(conn, runner.schema)) == 205
    finally:
        await broker.stop()


async def test_a_poison_event_goes_to_the_dead_letter_topic_and_the_partition_moves_on(
    engine: AsyncEngine, schema: str, kafka_bootstrap: str, topic: str, runner: ProjectionRunner
) -> None:
    store = EventStore(schema)
    await append_awards(engine, store, 3)
    await append_awards(engine, store, 1, start=3, title="poison")
    await append_awards(engine, store, 3, start=4)
    await ensure_topics(kafka_bootstrap, [topic, dead_letter_topic(topic)])
    await publish_all(engine, store, kafka_bootstrap, topic)
    broker = make_broker(kafka_bootstrap)
    consumer = runner.consumer(broker)
    consumer.subscribe(topic, group_id=f"g-{runner.schema}")
    await broker.start()
    try:
        await eventually(lambda: processed(consumer, 7))
    finally:
        await broker.stop()
    async with engine.connect() as conn:
        rows = await dump(conn, runner.schema)
    assert sum(row[1] for row in rows) == 6  # every event but the poison one was applied
    dead = await read_topic(kafka_bootstrap, dead_letter_topic(topic), until=1)
    assert len(dead) == 1
    assert dead[0].value["payload"]["title"] == "poison"  # type: ignore[index]
    assert "PoisonError: cannot project award a3" in dead[0].headers["error"]
    assert dead[0].headers["source_topic"] == topic


async def test_an_inline_projection_is_kept_in_the_append_transaction_and_rebuilds_the_same(
    engine: AsyncEngine, schema: str, runner: ProjectionRunner
) -> None:
    store = EventStore(schema)
    for n in range(30):
        async with engine.begin() as conn:
            event = new_event(f"i{n}", f"{10 + n}.25", f"GB-CHC-{n % 4:07d}", "Street pastors")
            appended = await store.append(conn, "award", f"award-i{n}", [event], 0)
            await runner.apply_inline(conn, appended)
            if n == 29:  # a rolled-back command leaves neither its event nor its effect
                await conn.rollback()
    async with engine.connect() as conn:
        inline = await dump(conn, runner.schema)
    assert sum(row[1] for row in inline) == 29
    report = await runner.rebuild(StoreSource(engine, store), batch=7, progress=False)
    async with engine.connect() as conn:
        assert await dump(conn, runner.schema) == inline
    assert report.events == 29
    # Writes after the swap land in the rebuilt schema.
    async with engine.begin() as conn:
        event = new_event("i99", "1.00", "GB-CHC-0000000", "Street pastors")
        await runner.apply_inline(conn, await store.append(conn, "award", "award-i99", [event], 0))
    async with engine.connect() as conn:
        assert sum(row[1] for row in await dump(conn, runner.schema)) == 30


async def test_an_inline_projection_catches_up_with_history_it_has_not_seen_once(
    engine: AsyncEngine, schema: str, runner: ProjectionRunner
) -> None:
    store = EventStore(schema)
    await append_awards(engine, store, 12)  # history from before the projection existed
    assert await runner.catch_up(store, batch=5) == 12
    assert await runner.catch_up(store) == 0  # started again: nothing applied twice
    async with engine.begin() as conn:
        event = new_event("late", "5.00", "GB-CHC-0000001", "Street pastors")
        await runner.apply_inline(conn, await store.append(conn, "award", "award-late", [event], 0))
    assert await runner.catch_up(store) == 0
    async with engine.connect() as conn:
        caught_up = await dump(conn, runner.schema)
    await runner.rebuild(StoreSource(engine, store), progress=False)
    async with engine.connect() as conn:
        assert await dump(conn, runner.schema) == caught_up
    assert sum(row[1] for row in caught_up) == 13
