"""Services as processes for end-to-end tests: free ports, tokens, and raw Kafka access."""

from __future__ import annotations

import asyncio
import random
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

from shared.auth import Principal, Role, mint_token
from shared.infra.processes import busy_ports

TEST_SECRET = "e2e-test-secret-" + "x" * 32  # handed to the service processes as well


def free_base_port(count: int = 4) -> int:
    """The first of `count` consecutive ports nothing listens on."""
    for _ in range(200):
        base = random.randrange(20_000, 60_000)
        if not busy_ports({str(port): port for port in range(base, base + count)}):
            return base
    raise RuntimeError(f"no {count} consecutive free ports found")


def token(partnership: str, role: Role, org: str = "GB-PLA-DORSET-OPCC") -> dict[str, str]:
    """An Authorization header for a user of `partnership` with `role`."""
    principal = Principal(
        user_id=f"{role}-1", organisation_id=org, partnership_id=partnership, role=role
    )
    return {"Authorization": f"Bearer {mint_token(principal, secret=TEST_SECRET)}"}


async def find_record(
    bootstrap: str, topic: str, event_id: str, timeout: float = 15.0
) -> ConsumerRecord[Any, Any] | None:
    """The first record on `topic` whose `event_id` header is `event_id` (None if none)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    if dict(record.headers).get("event_id") == event_id.encode():
                        return record
    finally:
        await consumer.stop()
    return None


async def partitions_of(bootstrap: str, topic: str) -> set[int]:
    """The partitions of a topic as the broker reports them."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        return consumer.partitions_for_topic(topic) or set()
    finally:
        await consumer.stop()


async def redeliver(bootstrap: str, record: ConsumerRecord[Any, Any]) -> None:
    """Put a copy of `record` on its topic again, as a relay publishing twice would."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            record.topic,
            record.value,
            key=record.key,
            partition=record.partition,
            headers=list(record.headers),
        )
    finally:
        await producer.stop()
