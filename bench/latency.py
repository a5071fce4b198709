"""Append-to-consumer latency: append at a steady rate, time each event until a consumer sees it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer
from sqlalchemy.ext.asyncio import AsyncConnection

from bench.append import RawStore
from bench.context import Context
from bench.events import new_events
from bench.relay import RawRelay, raw_producer
from bench.report import Result
from bench.servers import fresh_schema, raw_connections, unique_name
from shared.consumer import EventConsumer
from shared.eventstore.envelope import Envelope, NewEvent
from shared.eventstore.store import EventStore
from shared.messaging import make_broker
from shared.outbox import OutboxRelay

DRAIN_TIMEOUT = 30.0  # how long to wait for the last events after the appends stop
AppendOne = Callable[[int, NewEvent], Awaitable[None]]


class Stopwatch:
    """When each event was about to be appended, and when a consumer first saw it."""

    def __init__(self) -> None:
        self.sent: dict[str, float] = {}
        self.seen: dict[str, float] = {}

    def saw(self, event_ids: Sequence[str]) -> None:
        now = time.perf_counter()
        for event_id in event_ids:
            self.seen.setdefault(event_id, now)

    async def drive(self, append_one: AppendOne, events: Sequence[NewEvent], rate: float) -> None:
        """Append the first event and wait for it (the consumer has joined), then the rest paced."""
        await self._append(append_one, 0, events[0])
        await self.wait_for([str(events[0].event_id)])
        loop = asyncio.get_running_loop()
        start = loop.time()
        for n, event in enumerate(events[1:], start=1):
            await asyncio.sleep(max(0.0, start + n / rate - loop.time()))
            await self._append(append_one, n, event)
        await self.wait_for([str(e.event_id) for e in events])

    async def _append(self, append_one: AppendOne, n: int, event: NewEvent) -> None:
        self.sent[str(event.event_id)] = time.perf_counter()
        await append_one(n, event)

    async def wait_for(self, event_ids: Sequence[str], timeout: float = DRAIN_TIMEOUT) -> None:
        deadline = time.perf_counter() + timeout
        while any(e not in self.seen for e in event_ids) and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)

    def latencies_ms(self) -> list[float]:
        """Of every timed event (not the warm-up); a lost event counts as the drain timeout."""
        timed = list(self.sent.items())[1:]
        return [(self.seen.get(e, sent + DRAIN_TIMEOUT) - sent) * 1000 for e, sent in timed]


async def ours(ctx: Context, events: Sequence[NewEvent]) -> list[float]:
    """EventStore.append → OutboxRelay.run → Kafka → EventConsumer (FastStream batch subscriber)."""
    bootstrap, watch = ctx.servers.bootstrap_servers, Stopwatch()

    async def handler(_conn: AsyncConnection, envelopes: Sequence[Envelope]) -> None:
        watch.saw([str(e.event_id) for e in envelopes])

    async with fresh_schema(ctx.engine) as schema, fresh_schema(ctx.engine) as inbox_schema:
        topic, store = await ctx.fresh_topic(), EventStore(schema)
        relay_broker, consumer_broker = make_broker(bootstrap), make_broker(bootstrap)
        relay = OutboxRelay(ctx.engine, store, relay_broker, bootstrap, topic)
        consumer = EventConsumer("bench", ctx.engine, inbox_schema, handler, consumer_broker)
        consumer.subscribe(topic, group_id=unique_name("g"))

        async def append_one(n: int, event: NewEvent) -> None:
            async with ctx.engine.begin() as conn:
                await store.append(conn, "award", f"award-{n}", [event], 0)

        try:
            await relay_broker.connect()
            await consumer_broker.start()
            async with _running(relay.run):
                await watch.drive(append_one, events, ctx.latency_rate)
        finally:
            await consumer_broker.stop()
            await relay_broker.stop()
    return watch.latencies_ms()


async def raw(ctx: Context, events: Sequence[NewEvent]) -> list[float]:
    """The same path by hand: asyncpg append → LISTEN-woken relay → aiokafka → consumer + inbox."""
    bootstrap, watch = ctx.servers.bootstrap_servers, Stopwatch()
    async with (
        fresh_schema(ctx.engine) as schema,
        raw_connections(ctx.servers.asyncpg_url, 4) as (writer, relay_conn, listener, inbox),
        raw_producer(bootstrap) as producer,
    ):
        topic, store = await ctx.fresh_topic(), RawStore(schema)
        relay = RawRelay(schema, producer, topic)
        await relay.prepare(relay_conn)
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            group_id=unique_name("g"),
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            # The settings EventConsumer.subscribe gives its FastStream subscriber.
            session_timeout_ms=3000,
            heartbeat_interval_ms=1000,
            fetch_max_wait_ms=50,
        )
        claim = (
            f"INSERT INTO {schema}.inbox (consumer, event_id, processed_at) "
            "SELECT 'bench', unnest($1::uuid[]), $2 ON CONFLICT DO NOTHING"
        )

        async def consume(stop: asyncio.Event) -> None:
            while not stop.is_set():
                batches = await consumer.getmany(timeout_ms=100, max_records=500)
                ids = [json.loads(r.value)["event_id"] for rs in batches.values() for r in rs]
                if ids:
                    async with inbox.transaction():
                        await inbox.execute(claim, ids, datetime.now(UTC))
                        watch.saw(ids)
                    await consumer.commit()

        async def append_one(n: int, event: NewEvent) -> None:
            await store.append(writer, f"award-{n}", [event], 0)

        await consumer.start()
        try:
            async with (
                _running(lambda stop: relay.run(relay_conn, listener, stop)),
                _running(consume),
            ):
                await watch.drive(append_one, events, ctx.latency_rate)
        finally:
            await consumer.stop()
    return watch.latencies_ms()


@contextlib.asynccontextmanager
async def _running(loop: Callable[[asyncio.Event], Awaitable[None]]) -> AsyncIterator[None]:
    """A background loop that runs until its stop event is set on the way out."""
    stop = asyncio.Event()
    task = asyncio.ensure_future(loop(stop))
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, 10)
        except TimeoutError:
            task.cancel()


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def run(ctx: Context) -> list[Result]:
    """Both paths at the same rate for the same time; p50, p99 and the worst event."""
    count = max(int(ctx.latency_rate * ctx.latency_seconds), 10) + 1
    events = new_events(count)
    mine, theirs = await ours(ctx, events), await raw(ctx, events)
    rate = f"{ctx.latency_rate:.0f}/s for {ctx.latency_seconds:.0f} s"
    return [
        Result(
            f"append→consumer p50 ({rate})",
            _percentile(mine, 50),
            _percentile(theirs, 50),
            unit="ms",
        ),
        Result("append→consumer p99", _percentile(mine, 99), _percentile(theirs, 99), unit="ms"),
        Result("append→consumer max", max(mine), max(theirs), unit="ms"),
    ]
