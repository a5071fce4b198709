"""Kafka plumbing shared by every service: topic names, the broker, topic creation and offsets."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faststream.kafka import KafkaBroker

log = logging.getLogger(__name__)
SERVICES = ("applications", "funding", "monitoring", "publication")
# Unlimited retention: the topic doubles as a replayable history (DESIGN.md §3).
TOPIC_CONFIG = {"retention.ms": "-1"}
_TOPIC_ALREADY_EXISTS = 36


def topic_for(service: str) -> str:
    """The topic a service publishes its events to."""
    return f"commissioning.{service}.v1"


def dead_letter_topic(topic: str) -> str:
    """Where a consumer of `topic` parks the events it cannot process."""
    return f"{topic}.dlq"


def make_broker(bootstrap_servers: str) -> KafkaBroker:
    """A FastStream broker tuned for batched, acknowledged publishing."""
    # Idempotence and transactions stay off: Tansu refuses InitProducerId (DESIGN.md §7), and
    # consumers dedupe by event_id anyway, so at-least-once is what the design relies on.
    return KafkaBroker(
        bootstrap_servers,
        acks="all",
        linger_ms=5,
        max_batch_size=256 * 1024,
        compression_type="lz4",
        logger=None,
    )


async def ensure_topics(bootstrap_servers: str, topics: Iterable[str], partitions: int = 1) -> None:
    """Create the topics that do not exist yet (explicitly, never relying on auto-creation)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in dict.fromkeys(topics) if t not in existing]
        if missing:
            response = await admin.create_topics(
                [NewTopic(t, partitions, 1, topic_configs=TOPIC_CONFIG) for t in missing]
            )
            # aiokafka reports per-topic errors in the response instead of raising; another
            # service creating the same topic at the same moment is fine, anything else is not.
            failed = [
                f"{error[0]} (error code {error[1]})"
                for error in getattr(response, "topic_errors", ())
                if error[1] not in (0, _TOPIC_ALREADY_EXISTS)
            ]
            if failed:
                raise RuntimeError(f"could not create Kafka topics: {', '.join(failed)}")
    finally:
        await admin.close()


async def stop_consumer(consumer: AIOKafkaConsumer) -> None:
    """Stop a consumer, absorbing aiokafka's spurious CancelledError.

    aiokafka cancels an internal task on stop and awaits it; if that task had not started yet,
    the await raises CancelledError into *our* task although nobody cancelled us. Left alone it
    silently killed the outbox relay. A real cancellation of our task is passed on.
    """
    try:
        await consumer.stop()
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
        log.debug("absorbed aiokafka's CancelledError on consumer stop")


async def end_offsets(bootstrap_servers: str, topic: str) -> dict[int, int]:
    """The high watermark of each partition of a topic (empty if the topic does not exist).

    Read from a fetch response, not ListOffsets: Tansu answers ListOffsets with the number of
    record batches rather than the next offset (DESIGN.md §7), and a fetch is right on both.
    """
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        enable_auto_commit=False,
        group_id=None,
        max_partition_fetch_bytes=1024,
        fetch_max_wait_ms=50,  # an empty partition answers after this wait, with its watermark
    )
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        for tp in assigned:
            consumer.seek(tp, 0)
        for _attempt in range(20):
            if all(consumer.highwater(tp) is not None for tp in assigned):
                break
            await consumer.getmany(*assigned, timeout_ms=250)
        return {tp.partition: consumer.highwater(tp) or 0 for tp in assigned}
    finally:
        await stop_consumer(consumer)
