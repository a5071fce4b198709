"""The outbox relay on a real PostgreSQL and a real Kafka-protocol broker."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.eventstore.store import EventStore
from shared.messaging import ensure_topics, make_broker
from shared.outbox import OutboxRelay
from tests.support.events import new_event
from tests.support.kafka import read_topic


async def append_awards(
    engine: AsyncEngine, store: EventStore, count: int, per_txn: int = 50
) -> None:
    for start in range(0, count, per_txn):
        async with engine.begin() as conn:
            for n in range(start, min(start + per_txn, count)):
                await store.append(conn, "award", f"award-{n % 7}", [new_event(f"a{n}")], None)


async def outbox_depth(engine: AsyncEngine, store: EventStore) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(store.tables.outbox)) or 0)


async def test_relay_publishes_every_event_keyed_by_stream_in_order_and_empties_the_outbox(
    engine: AsyncEngine, schema: str, kafka_bootstrap: str, topic: str
) -> None:
    store = EventStore(schema)
    await append_awards(engine, store, 300)
    await ensure_topics(kafka_bootstrap, [topic], partitions=3)
    broker = make_broker(kafka_bootstrap)
    await broker.connect()
    try:
        relay = OutboxRelay(engine, store, broker, kafka_bootstrap, topic, batch_size=100)
        while await relay.publish_batch():
            pass
    finally:
        await broker.stop()
    assert await outbox_depth(engine, store) == 0
    received = await read_topic(kafka_bootstrap, topic, until=300)
    assert len(received) == 300
    for message in received:
        assert message.key == str(message.value["stream_id"]).encode()
        assert message.headers["event_type"] == "GrantAwarded"
    by_stream: dict[object, list[int]] = {}
    for message in sorted(received, key=lambda m: (m.partition, m.offset)):
        by_stream.setdefault(message.value["stream_id"], []).append(
            int(str(message.value["position"]))
        )
    for positions in by_stream.values():
        assert positions == sorted(positions)  # each aggregate stays in order on its partition


async def test_relay_killed_mid_batch_and_restarted_delivers_every_event_at_least_once(
    engine: AsyncEngine, database_url: str, schema: str, kafka_bootstrap: str, topic: str
) -> None:
    store = EventStore(schema)
    total = 20_000
    await append_awards(engine, store, total, per_txn=500)
    await ensure_topics(kafka_bootstrap, [topic])
    command = [
        sys.executable,
        "-m",
        "shared.cli",
        "relay",
        "--schema",
        schema,
        "--topic",
        topic,
        "--database-url",
        database_url,
        "--bootstrap-servers",
        kafka_bootstrap,
        "--batch-size",
        "2000",
    ]
    relay = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Kill it (no chance to clean up) once it has published part of the history.
        while await outbox_depth(engine, store) > total - 4000:
            await asyncio.sleep(0.01)
        relay.send_signal(signal.SIGKILL)
        relay.wait()
    finally:
        relay.kill()
    left = await outbox_depth(engine, store)
    assert 0 < left < total, "the kill should land while work was still pending"
    restarted = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if await outbox_depth(engine, store) == 0:
                break
            await asyncio.sleep(0.1)
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(10)
    assert await outbox_depth(engine, store) == 0
    received = await read_topic(kafka_bootstrap, topic, until=total, timeout=60)
    assert {m.value["position"] for m in received} == set(range(1, total + 1))


def test_relay_command_without_urls_says_what_is_missing() -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS")
    }
    result = subprocess.run(
        [sys.executable, "-m", "shared.cli", "relay", "--schema", "s", "--topic", "t"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 2
    assert "set DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS" in result.stderr
