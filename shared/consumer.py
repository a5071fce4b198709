"""Idempotent Kafka consumers: inbox dedupe, batch transactions, dead letters, lag and traces.

A consumer claims each event by inserting its event_id into the inbox in the same transaction as
the event's effect, so a redelivered event changes nothing. An event that keeps failing is sent to
the dead-letter topic with its error and marked consumed, so one bad event never blocks the
partition; failures of the database or broker themselves are retried instead, never dead-lettered.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka import TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from opentelemetry import trace
from pydantic import ValidationError
from sqlalchemy import func, text
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.eventstore.envelope import Envelope
from shared.eventstore.schema import create_store_tables, store_tables
from shared.messaging import dead_letter_topic
from shared.telemetry import context_from_traceparent, observe_gauge, tracer

log = logging.getLogger(__name__)

Handler = Callable[[AsyncConnection, Sequence[Envelope]], Awaitable[None]]
# Errors of the infrastructure, not of the event: retry later rather than dead-letter.
TRANSIENT = (OperationalError, InterfaceError, OSError, ConnectionError)


class EventConsumer:
    """Applies events from Kafka topics to this service's database, exactly once in effect."""

    def __init__(
        self,
        name: str,
        engine: AsyncEngine,
        schema: str,
        handler: Handler,
        broker: KafkaBroker | None,
        max_attempts: int = 3,
        before: Callable[[AsyncConnection], Awaitable[None]] | None = None,
    ) -> None:
        self.name, self.engine, self.schema, self.handler = name, engine, schema, handler
        self.broker, self.max_attempts, self.before = broker, max_attempts, before
        self.tables = store_tables(schema)
        # One cached statement whatever the batch size (a multi-row VALUES is recompiled for
        # every new length); duplicates inside the batch collapse in ON CONFLICT too.
        self._claim_sql = text(
            f"INSERT INTO {schema}.inbox (consumer, event_id, processed_at) "
            "SELECT :consumer, id, now() FROM unnest(CAST(:ids AS uuid[])) AS id "
            "ON CONFLICT DO NOTHING RETURNING event_id"
        )
        self.lag: dict[str, int] = {}  # per topic-partition, messages behind the high watermark
        self.dead_lettered = 0
        observe_gauge(
            "commissioning.consumer.lag",
            "Messages on the topic not yet processed",
            self,
            lambda consumer: [
                (lag, {"consumer": consumer.name, "partition": tp})
                for tp, lag in consumer.lag.items()
            ],
        )

    async def prepare(self) -> None:
        """Create the inbox tables this consumer records into."""
        async with self.engine.begin() as conn:
            await create_store_tables(conn, self.schema)

    def subscribe(self, *topics: str, group_id: str | None = None, max_records: int = 500) -> None:
        """Register a batch subscriber for the topics on the broker (a group per consumer name)."""

        async def on_batch(body: list[Any], message: KafkaMessage) -> None:
            # The raw records, not FastStream's decoded bodies: we need each one's topic, offset
            # and bytes, and a malformed message must be dead-lettered, not fail the batch.
            records: Sequence[Any] = message.raw_message  # a tuple of ConsumerRecords in batch mode
            self._record_lag(records, message)
            envelopes, readable = [], []
            for record in records:
                try:
                    envelopes.append(Envelope.model_validate_json(record.value))
                    readable.append(record)
                except ValidationError as error:
                    await self._publish_dead_letter(record.value, record, error, key=record.key)
            await self.process(envelopes, readable)

        assert self.broker is not None, "subscribing needs a broker"
        self.broker.subscriber(
            *topics,
            batch=True,
            group_id=group_id or self.name,
            auto_offset_reset="earliest",  # a new group must read history, never skip it
            max_records=max_records,
            session_timeout_ms=3000,  # Tansu ignores LeaveGroup: keep rejoin waits short
            heartbeat_interval_ms=1000,
            # The publication bench showed most of the append-to-feed latency was spent in empty
            # fetches waiting out the default 500 ms; a short wait costs only idle polls.
            fetch_max_wait_ms=50,
            ack_policy=AckPolicy.NACK_ON_ERROR,
        )(on_batch)

    async def process(self, envelopes: Sequence[Envelope], records: Sequence[Any] = ()) -> None:
        """Apply a batch in one transaction; on failure, isolate and dead-letter the bad events."""
        # Spans for deliveries from Kafka; a rebuild replaying history passes no records and
        # would only flood the trace store with copies of old work.
        parents = [_header(r, "traceparent") for r in records]
        spans = [
            tracer.start_span(
                f"consume {e.event_type}",
                # The publishing span (Kafka header) if there was one, else the appending span.
                context=context_from_traceparent(
                    (parents[i] if parents else None) or e.traceparent
                ),
                kind=trace.SpanKind.CONSUMER,
                attributes={"consumer": self.name, "event_id": str(e.event_id)},
            )
            for i, e in enumerate(envelopes)
            if records
        ]
        try:
            await self._apply(envelopes)
        except TRANSIENT:
            raise
        except Exception:
            log.warning(
                "%s: batch of %d failed; retrying event by event", self.name, len(envelopes)
            )
            for index, envelope in enumerate(envelopes):
                await self._apply_alone(envelope, records[index] if records else None)
        finally:
            for span in spans:
                span.end()

    async def _apply(self, envelopes: Sequence[Envelope]) -> None:
        async with self.engine.begin() as conn:
            if self.before is not None:  # e.g. a projection's lock against a concurrent swap
                await self.before(conn)
            claimed = await self._claim(conn, envelopes)
            fresh = [e for e in envelopes if e.event_id in claimed]
            unique = list({e.event_id: e for e in fresh}.values())
            if unique:
                await self.handler(conn, unique)

    async def _apply_alone(self, envelope: Envelope, record: Any) -> None:
        error: Exception | None = None
        for _attempt in range(self.max_attempts):
            try:
                await self._apply([envelope])
                return
            except TRANSIENT:
                raise
            except Exception as failure:  # the event itself is the problem, or a race: try again
                error = failure
        assert error is not None
        await self._dead_letter(envelope, record, error)

    async def _claim(self, conn: AsyncConnection, envelopes: Sequence[Envelope]) -> set[Any]:
        """Insert inbox rows; the ones inserted are ours to apply, the rest were seen before."""
        if not envelopes:
            return set()
        result = await conn.execute(
            self._claim_sql, {"consumer": self.name, "ids": [e.event_id for e in envelopes]}
        )
        return set(result.scalars())

    async def _dead_letter(self, envelope: Envelope, record: Any, error: Exception) -> None:
        """Park the event on the dead-letter topic with its error, then mark it consumed."""
        await self._publish_dead_letter(
            envelope.model_dump_json().encode(),
            record,
            error,
            key=envelope.stream_id.encode(),
            event_id=str(envelope.event_id),
            event_type=envelope.event_type,
        )
        async with self.engine.begin() as conn:
            await self._claim(conn, [envelope])
        log.error(
            "%s: event %s (%s) dead-lettered: %s",
            self.name,
            envelope.event_id,
            envelope.event_type,
            error,
        )

    async def _publish_dead_letter(
        self, value: bytes, record: Any, error: Exception, key: bytes | None, **about: str
    ) -> None:
        source = record.topic if record is not None else "direct"
        headers = {
            **about,
            "consumer": self.name,
            "error": f"{type(error).__name__}: {error}"[:1000],
            "source_topic": source,
            "source_partition": str(getattr(record, "partition", "")),
            "source_offset": str(getattr(record, "offset", "")),
        }
        if self.broker is None:
            raise RuntimeError(f"{self.name} has no broker to dead-letter to") from error
        await self.broker.publish(value, topic=dead_letter_topic(source), key=key, headers=headers)
        self.dead_lettered += 1

    def _record_lag(self, records: Sequence[Any], message: KafkaMessage) -> None:
        consumer = getattr(message, "consumer", None)
        highwater = getattr(consumer, "highwater", None)
        if highwater is None:
            return
        for record in records:
            behind = (
                (highwater(TopicPartition(record.topic, record.partition)) or 0) - record.offset - 1
            )
            self.lag[f"{record.topic}:{record.partition}"] = max(behind, 0)

    async def processed_count(self) -> int:
        """How many distinct events this consumer has taken in (including dead letters)."""
        async with self.engine.connect() as conn:
            inbox = self.tables.inbox
            return int(
                await conn.scalar(
                    func.count().select().select_from(inbox).where(inbox.c.consumer == self.name)
                )
                or 0
            )


def _header(record: Any, name: str) -> str | None:
    for key, value in getattr(record, "headers", None) or ():
        if key == name:
            return bytes(value).decode()
    return None


__all__ = ["EventConsumer", "Handler"]
