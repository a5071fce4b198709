"""Kafka plumbing shared by every service: topic names, the broker, topic creation and offsets."""

from __future__ import annotations

from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faststream.kafka import KafkaBroker

SERVICES = ("applications", "funding", "monitoring", "publication")
# Unlimited retention: the topic doubles as a replayable history (DESIGN.md §3).
TOPIC_CONFIG = {"retention.ms": "-1"}


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
            await admin.create_topics(
                [NewTopic(t, partitions, 1, topic_configs=TOPIC_CONFIG) for t in missing]
            )
    finally:
        await admin.close()


async def end_offsets(bootstrap_servers: str, topic: str) -> dict[int, int]:
    """The high watermark of each partition of a topic (empty if the topic does not exist)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        offsets = await consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        return {tp.partition: offset for tp, offset in offsets.items()}
    finally:
        await consumer.stop()
