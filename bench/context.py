"""What every benchmark gets: the servers, the run's size, an engine and a shared seeded store."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.events import copy_history, sealed_history
from bench.servers import Servers, raw_connections, unique_name
from shared.eventstore.schema import create_store_tables
from shared.messaging import ensure_topics


@dataclass
class Context:
    """One benchmark run."""

    servers: Servers
    events: int
    engine: AsyncEngine
    latency_rate: float = 200.0  # appends per second in the latency benchmark
    latency_seconds: float = 10.0
    _seeded: str | None = field(default=None, init=False)
    _topics: list[str] = field(default_factory=list, init=False)

    async def fresh_topic(self) -> str:
        """A new single-partition topic, deleted when the run ends."""
        topic = f"bench.{uuid.uuid4().hex[:10]}.v1"
        await ensure_topics(self.servers.bootstrap_servers, [topic])
        self._topics.append(topic)
        return topic

    async def seeded_store(self) -> str:
        """A store schema holding `events` awards (and their outbox rows), made once per run.

        Loaded with COPY from envelopes sealed exactly as `EventStore.append` seals them, so the
        read benchmarks do not wait for the append path to fill it.
        """
        if self._seeded is None:
            schema = unique_name("bench_seed")
            async with self.engine.begin() as conn:
                await create_store_tables(conn, schema)
            async with raw_connections(self.servers.asyncpg_url, 1) as (conn,):
                await copy_history(conn, schema, sealed_history(self.events))
                await conn.execute(f"ANALYZE {schema}.events")
            self._seeded = schema
        return self._seeded

    async def close(self) -> None:
        """Drop what the run left in the database and on the broker."""
        if self._seeded is not None:
            async with self.engine.begin() as conn:
                await conn.execute(text(f"DROP SCHEMA IF EXISTS {self._seeded} CASCADE"))
            self._seeded = None
        if self._topics:
            admin = AIOKafkaAdminClient(bootstrap_servers=self.servers.bootstrap_servers)
            await admin.start()
            try:
                await admin.delete_topics(self._topics)
            finally:
                await admin.close()
            self._topics.clear()
