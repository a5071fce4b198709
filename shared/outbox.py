"""The outbox relay: publishes stored events to Kafka in batches, at least once, in order.

Events and their outbox rows commit together (EventStore.append). The relay reads outbox rows in
position order, publishes them keyed by stream id, waits for the broker's acknowledgements and
only then deletes the rows, so a crash anywhere means a republish, never a loss. One relay per
service is active at a time (a PostgreSQL advisory lock), which keeps each stream in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from faststream.kafka import KafkaBroker
from opentelemetry import trace
from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.eventstore.envelope import Envelope
from shared.eventstore.store import EventStore, envelopes_from_result
from shared.messaging import end_offsets, ensure_topics
from shared.telemetry import context_from_traceparent, current_traceparent, observe_gauge, tracer

log = logging.getLogger(__name__)


def kafka_headers(envelope: Envelope) -> dict[str, str]:
    """Headers a consumer can route and trace on without parsing the body."""
    headers = {
        "event_id": str(envelope.event_id),
        "event_type": envelope.event_type,
        "schema_version": str(envelope.schema_version),
        "partnership_id": envelope.partnership_id,
        "content-type": "application/json",
    }
    if traceparent := current_traceparent():
        headers["traceparent"] = traceparent
    return headers


class OutboxRelay:
    """Moves one service's outbox to its Kafka topic."""

    def __init__(
        self,
        engine: AsyncEngine,
        store: EventStore,
        broker: KafkaBroker,
        bootstrap_servers: str,
        topic: str,
        batch_size: int = 1000,
        idle_wait: float = 1.0,
        loss_check_interval: float = 5.0,
    ) -> None:
        self.engine, self.store, self.broker = engine, store, broker
        self.bootstrap_servers, self.topic = bootstrap_servers, topic
        self.batch_size, self.idle_wait = batch_size, idle_wait
        self.loss_check_interval = loss_check_interval
        self.depth = 0  # last seen outbox depth, for the metric
        self._wake = asyncio.Event()
        tables = store.tables
        self._pending = (
            select(tables.events)
            .join(tables.outbox, tables.outbox.c.position == tables.events.c.position)
            .order_by(tables.events.c.position)
            .limit(batch_size)
        )
        observe_gauge(
            "commissioning.outbox.depth",
            "Events stored but not yet acknowledged by Kafka",
            self,
            lambda relay: [(relay.depth, {"topic": relay.topic})],
        )

    async def publish_batch(self) -> int:
        """Publish the oldest pending events (up to a batch); return how many were sent."""
        async with self.engine.begin() as conn:
            envelopes = envelopes_from_result(await conn.execute(self._pending))
            if not envelopes:
                self.depth = 0
                return 0
            with tracer.start_as_current_span("outbox.publish_batch") as span:
                span.set_attribute("messaging.batch.message_count", len(envelopes))
                pending = [await self._send(envelope) for envelope in envelopes]
                await asyncio.gather(*pending)
            outbox = self.store.tables.outbox
            await conn.execute(
                delete(outbox).where(outbox.c.position.in_([e.position for e in envelopes]))
            )
            self.depth = int(await conn.scalar(select(func.count()).select_from(outbox)) or 0)
        return len(envelopes)

    async def _send(self, envelope: Envelope) -> asyncio.Future[Any]:
        # Each message's span is a child of the span that appended the event, so the consumer
        # joins the original request's trace.
        parent = context_from_traceparent(envelope.traceparent)
        with tracer.start_as_current_span(
            f"publish {envelope.event_type}", context=parent, kind=trace.SpanKind.PRODUCER
        ):
            future: asyncio.Future[Any] = await self.broker.publish(
                envelope.model_dump_json().encode(),
                topic=self.topic,
                key=envelope.stream_id.encode(),
                headers=kafka_headers(envelope),
                no_confirm=True,
            )
        return future

    async def republish_if_broker_lost_history(self) -> bool:
        """If the topic holds fewer messages than were sent, queue the whole history again.

        A memory-only broker forgets everything on restart; on real Kafka the end offsets never
        go down, so this never fires there. Consumers dedupe the repeats by event_id.
        """
        await ensure_topics(self.bootstrap_servers, [self.topic])
        on_topic = sum((await end_offsets(self.bootstrap_servers, self.topic)).values())
        async with self.engine.begin() as conn:
            outbox = self.store.tables.outbox
            sent = await self.store.head_position(conn) - int(
                await conn.scalar(select(func.count()).select_from(outbox)) or 0
            )
            if on_topic >= sent:
                return False
            log.warning(
                "topic %s holds %d messages but %d were sent: republishing the history",
                self.topic,
                on_topic,
                sent,
            )
            await conn.execute(
                text(
                    f"INSERT INTO {self.store.schema}.outbox (position) "
                    f"SELECT position FROM {self.store.schema}.events ON CONFLICT DO NOTHING"
                )
            )
        return True

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set: publish whenever there is work, check for broker loss."""
        stop_waiter = asyncio.create_task(stop.wait())
        stop_waiter.add_done_callback(lambda _: self._wake.set())  # a stop ends the idle wait
        try:
            await self._relay(stop)
        finally:
            stop_waiter.cancel()

    async def _relay(self, stop: asyncio.Event) -> None:
        async with self._leadership() as conn:
            await self._listen(conn)
            await self.republish_if_broker_lost_history()
            loop = asyncio.get_running_loop()
            next_check = loop.time() + self.loss_check_interval
            while not stop.is_set():
                # Clear before reading the outbox, not after: a NOTIFY arriving while a batch is
                # being published must still wake the next round instead of being wiped.
                self._wake.clear()
                try:
                    sent = await self.publish_batch()
                    if loop.time() >= next_check:
                        next_check = loop.time() + self.loss_check_interval
                        await self.republish_if_broker_lost_history()
                except Exception:  # the broker may be down: keep the rows, try again shortly
                    log.exception("outbox relay for %s failed; retrying", self.topic)
                    sent = 0
                if sent < self.batch_size and not stop.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.idle_wait)
            # A graceful stop drains what is pending (the caller bounds how long that may take);
            # anything left is published by the next relay to start.
            with contextlib.suppress(Exception):
                while await self.publish_batch():
                    pass

    @contextlib.asynccontextmanager
    async def _leadership(self) -> AsyncIterator[AsyncConnection]:
        """Hold the relay lock for this store: a second replica waits here as a hot standby."""
        async with self.engine.connect() as conn:
            key = f"relay:{self.store.schema}"
            while not await conn.scalar(
                text("SELECT pg_try_advisory_lock(hashtext(:k))"), {"k": key}
            ):
                await conn.commit()
                await asyncio.sleep(1.0)
            await conn.commit()
            try:
                yield conn
            finally:
                with contextlib.suppress(Exception):
                    await conn.execute(text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": key})

    async def _listen(self, conn: AsyncConnection) -> None:
        # The outbox trigger NOTIFYs on every append, so the relay wakes at once instead of polling.
        raw = await conn.get_raw_connection()
        channel = f"outbox_{self.store.schema}"
        await raw.driver_connection.add_listener(channel, lambda *_: self._wake.set())  # type: ignore[union-attr]


async def relay_forever(
    database_url: str, bootstrap_servers: str, schema: str, topic: str, batch_size: int = 1000
) -> None:
    """Run a relay as its own process until SIGINT/SIGTERM (the `commissioning relay` command)."""
    import signal

    from shared.db import make_engine
    from shared.messaging import make_broker

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    engine, broker = make_engine(database_url, pool_size=2), make_broker(bootstrap_servers)
    await broker.connect()
    try:
        relay = OutboxRelay(
            engine, EventStore(schema), broker, bootstrap_servers, topic, batch_size
        )
        await relay.run(stop)
    finally:
        await broker.stop()
        await engine.dispose()
