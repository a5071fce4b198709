"""Read what is really on a topic, from the beginning, with a plain aiokafka consumer."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer


@dataclass(frozen=True)
class Received:
    """One message as it sits on the topic."""

    partition: int
    offset: int
    key: bytes | None
    value: dict[str, object]
    headers: dict[str, str]


async def read_topic(
    bootstrap: str, topic: str, until: int, timeout: float = 30.0
) -> list[Received]:
    """Every message on `topic` until `until` distinct event ids were seen (or the timeout)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    received: list[Received] = []
    seen: set[object] = set()
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(seen) < until and asyncio.get_running_loop().time() < deadline:
            batches = await consumer.getmany(timeout_ms=200, max_records=5000)
            for records in batches.values():
                for r in records:
                    value = json.loads(r.value)
                    seen.add(value["event_id"])
                    received.append(
                        Received(
                            r.partition,
                            r.offset,
                            r.key,
                            value,
                            {k: v.decode() for k, v in r.headers},
                        )
                    )
    finally:
        await consumer.stop()
    return received
