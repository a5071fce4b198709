"""Relay throughput: a pre-filled outbox published to Kafka, against hand-written equivalents."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from bench.context import Context
from bench.report import Result
from bench.servers import raw_connections
from shared.eventstore.store import EventStore
from shared.messaging import make_broker
from shared.outbox import OutboxRelay, kafka_headers

BATCH = 1000  # OutboxRelay's default batch size


@asynccontextmanager
async def raw_producer(bootstrap_servers: str) -> AsyncIterator[AIOKafkaProducer]:
    """A plain aiokafka producer with the settings of `shared.messaging.make_broker`."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        acks="all",
        linger_ms=5,
        max_batch_size=256 * 1024,
        compression_type="lz4",
    )
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()


def _headers(row: dict[str, Any]) -> list[tuple[str, bytes]]:
    return [
        ("event_id", str(row["event_id"]).encode()),
        ("event_type", row["event_type"].encode()),
        ("schema_version", str(row["schema_version"]).encode()),
        ("partnership_id", row["partnership_id"].encode()),
        ("content-type", b"application/json"),
    ]


class RawRelay:
    """A hand-written outbox relay: read a batch in order, send keyed, await acks, delete."""

    def __init__(self, schema: str, producer: AIOKafkaProducer, topic: str) -> None:
        self.producer, self.topic, self.channel = producer, topic, f"outbox_{schema}"
        self.pending = (
            f"SELECT e.* FROM {schema}.events e JOIN {schema}.outbox o USING (position) "
            f"ORDER BY e.position LIMIT {BATCH}"
        )
        self.delete = f"DELETE FROM {schema}.outbox WHERE position = ANY($1::bigint[])"

    @staticmethod
    async def prepare(conn: asyncpg.Connection) -> None:
        """Decode jsonb into dicts, as the platform's engine does."""
        await conn.set_type_codec(
            "jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )

    async def publish_batch(self, conn: asyncpg.Connection) -> int:
        async with conn.transaction():
            rows = [dict(row) for row in await conn.fetch(self.pending)]
            if not rows:
                return 0
            futures = [
                await self.producer.send(
                    self.topic,
                    json.dumps(row, default=str).encode(),
                    key=row["stream_id"].encode(),
                    headers=_headers(row),
                )
                for row in rows
            ]
            await asyncio.gather(*futures)
            await conn.execute(self.delete, [row["position"] for row in rows])
        return len(rows)

    async def run(
        self, conn: asyncpg.Connection, listener: asyncpg.Connection, stop: asyncio.Event
    ) -> None:
        """Publish whenever a NOTIFY from the outbox trigger says there is work, until `stop`."""
        wake = asyncio.Event()
        await listener.add_listener(self.channel, lambda *_: wake.set())
        while not stop.is_set():
            # Cleared before reading, so a NOTIFY that arrives meanwhile is not lost.
            wake.clear()
            if await self.publish_batch(conn) < BATCH:
                with suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), 1.0)


async def refill_outbox(ctx: Context, schema: str) -> None:
    """Queue the whole history again."""
    async with ctx.engine.begin() as conn:
        await conn.execute(
            text(
                f"INSERT INTO {schema}.outbox (position) "
                f"SELECT position FROM {schema}.events ON CONFLICT DO NOTHING"
            )
        )


async def ours(ctx: Context, schema: str) -> float:
    bootstrap = ctx.servers.bootstrap_servers
    topic = await ctx.fresh_topic()
    broker = make_broker(bootstrap)
    await broker.connect()
    try:
        relay = OutboxRelay(ctx.engine, EventStore(schema), broker, bootstrap, topic, BATCH)
        started, sent = time.perf_counter(), 0
        while batch := await relay.publish_batch():
            sent += batch
        return sent / (time.perf_counter() - started)
    finally:
        await broker.stop()


async def producer_only(ctx: Context, schema: str) -> float:
    """The same bytes, keys and headers, already in memory, sent a batch at a time."""
    bootstrap = ctx.servers.bootstrap_servers
    async with ctx.engine.connect() as conn:
        history = [e async for page in EventStore(schema).iterate(conn) for e in page]
    messages = [
        (
            e.model_dump_json().encode(),
            e.stream_id.encode(),
            [(k, v.encode()) for k, v in kafka_headers(e).items()],
        )
        for e in history
    ]
    topic = await ctx.fresh_topic()
    async with raw_producer(bootstrap) as producer:
        started = time.perf_counter()
        for start in range(0, len(messages), BATCH):
            futures = [
                await producer.send(topic, value, key=key, headers=headers)
                for value, key, headers in messages[start : start + BATCH]
            ]
            await asyncio.gather(*futures)
        return len(messages) / (time.perf_counter() - started)


async def raw_loop(ctx: Context, schema: str) -> float:
    bootstrap = ctx.servers.bootstrap_servers
    topic = await ctx.fresh_topic()
    async with (
        raw_producer(bootstrap) as producer,
        raw_connections(ctx.servers.asyncpg_url, 1) as (conn,),
    ):
        relay = RawRelay(schema, producer, topic)
        await relay.prepare(conn)
        started, sent = time.perf_counter(), 0
        while batch := await relay.publish_batch(conn):
            sent += batch
        return sent / (time.perf_counter() - started)


async def run(ctx: Context) -> list[Result]:
    """Ours drains the seeded outbox; the hand-written loop drains it again after a refill."""
    schema = await ctx.seeded_store()
    await refill_outbox(ctx, schema)
    rate = await ours(ctx, schema)
    await refill_outbox(ctx, schema)
    loop_rate = await raw_loop(ctx, schema)
    send_rate = await producer_only(ctx, schema)
    return [
        Result("relay to Kafka vs raw outbox loop", rate, loop_rate),
        Result("relay to Kafka vs aiokafka send only", rate, send_rate),
    ]
