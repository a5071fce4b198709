"""Where a projection rebuild reads history from: its own service's store, or Kafka topics.

A service may read only its own store; other services' history comes from their topics, which
keep everything (unlimited retention). Both sources yield events in a deterministic order so two
rebuilds produce identical read models.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts.base import event_class
from shared.eventstore.envelope import Envelope
from shared.eventstore.store import EventStore
from shared.messaging import end_offsets, stop_consumer


class Source(Protocol):
    """A history that can be read from the start, and then again from where it stopped."""

    async def size(self) -> int:
        """How many events a full read will yield (for the progress bar)."""
        ...

    def read(self, batch: int) -> AsyncIterator[list[Envelope]]:
        """Events not yet read by this source object, oldest first, in batches."""
        ...


class StoreSource:
    """The service's own event store, in position order."""

    def __init__(self, engine: AsyncEngine, store: EventStore) -> None:
        self.engine, self.store, self.after = engine, store, 0

    async def size(self) -> int:
        async with self.engine.connect() as conn:
            return await self.store.head_position(conn) - self.after

    async def read(self, batch: int) -> AsyncIterator[list[Envelope]]:
        async with self.engine.connect() as conn:
            async for page in self.store.iterate(conn, self.after, batch):
                self.after = page[-1].position
                yield page


def producer_order(envelope: Envelope) -> tuple[str, int]:
    """Events of one producer in their store's order; producers one after another."""
    return (event_class(envelope.event_type).producer, envelope.position)


class TopicSource:
    """Kafka topics from offset 0 to their high watermark at the time of each read."""

    def __init__(self, bootstrap_servers: str, topics: Sequence[str]) -> None:
        self.bootstrap_servers, self.topics = bootstrap_servers, list(topics)
        self.offsets: dict[TopicPartition, int] = {}  # next offset to read per partition
        self.seen: set[object] = set()  # event ids already yielded (topics may hold repeats)

    async def _ends(self) -> dict[TopicPartition, int]:
        ends: dict[TopicPartition, int] = {}
        for topic in self.topics:
            for partition, end in (await end_offsets(self.bootstrap_servers, topic)).items():
                ends[TopicPartition(topic, partition)] = end
        return ends

    async def size(self) -> int:
        return sum(end - self.offsets.get(tp, 0) for tp, end in (await self._ends()).items())

    async def read(self, batch: int) -> AsyncIterator[list[Envelope]]:
        # Partitions interleave differently on every read, so collect up to the watermark and
        # sort by each producer's own order: the same history always gives the same sequence.
        todo = {
            tp: end for tp, end in (await self._ends()).items() if end > self.offsets.get(tp, 0)
        }
        if not todo:
            return
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers, enable_auto_commit=False, group_id=None
        )
        await consumer.start()
        collected: list[Envelope] = []
        try:
            consumer.assign(list(todo))
            for tp in todo:
                consumer.seek(tp, self.offsets.get(tp, 0))
            while todo:
                for tp, records in (await consumer.getmany(*todo, timeout_ms=500)).items():
                    for record in records:
                        if record.offset < todo.get(tp, 0):
                            envelope = Envelope.model_validate_json(record.value)
                            if envelope.event_id not in self.seen:
                                self.seen.add(envelope.event_id)
                                collected.append(envelope)
                    if records:
                        self.offsets[tp] = min(records[-1].offset + 1, todo.get(tp, 0))
                    if self.offsets.get(tp, 0) >= todo.get(tp, 0):
                        todo.pop(tp, None)
        finally:
            await stop_consumer(consumer)
        collected.sort(key=producer_order)
        for start in range(0, len(collected), batch):
            yield collected[start : start + batch]
