"""Projections: read models kept up to date from events, rebuildable from position 0 and swapped.

A projection owns a PostgreSQL schema `proj_<name>` holding its tables, its inbox and its
checkpoints. Its code uses tables without a schema; the runner maps them onto the live schema or,
during a rebuild, onto `proj_<name>__rebuild`, which replaces the live one in one transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from faststream.kafka import KafkaBroker
from sqlalchemy import BigInteger, Column, MetaData, String, Table, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from tqdm import tqdm

from shared.consumer import EventConsumer
from shared.contracts.base import event_class
from shared.eventstore.envelope import Envelope
from shared.eventstore.schema import create_store_tables
from shared.eventstore.store import EventStore
from shared.sources import Source

checkpoint_metadata = MetaData()
checkpoints = Table(
    "checkpoints",
    checkpoint_metadata,
    # The last position applied from each producing service's store (lag and audit).
    Column("source", String(50), primary_key=True),
    Column("position", BigInteger, nullable=False),
)


class Projection(Protocol):
    """A read model: its tables (no schema) and how a batch of events changes them."""

    name: str
    metadata: MetaData

    async def apply(self, conn: AsyncConnection, events: Sequence[Envelope]) -> None:
        """Apply new events (never seen before by this read model) inside the caller's txn."""
        ...


@dataclass(frozen=True)
class RebuildReport:
    """What a rebuild did."""

    events: int
    schema: str


def _lock_key(name: str) -> int:
    return int.from_bytes(
        hashlib.sha256(f"projection:{name}".encode()).digest()[:8], "big", signed=True
    )


class ProjectionRunner:
    """Keeps one projection live from Kafka, and rebuilds it from history on demand."""

    def __init__(self, projection: Projection, engine: AsyncEngine) -> None:
        self.projection, self.engine = projection, engine
        self.schema = f"proj_{projection.name}"
        self._lock_key = _lock_key(projection.name)

    async def prepare(self, schema: str | None = None) -> None:
        """Create the projection's schema, tables, inbox and checkpoints if missing."""
        schema = schema or self.schema
        async with self.engine.begin() as conn:
            await create_store_tables(conn, schema)
            mapped = await conn.execution_options(schema_translate_map={None: schema})
            await mapped.run_sync(self.projection.metadata.create_all)
            await mapped.run_sync(checkpoint_metadata.create_all)

    def consumer(self, broker: KafkaBroker | None, schema: str | None = None) -> EventConsumer:
        """An idempotent consumer applying events to the projection in `schema` (default: live)."""
        schema = schema or self.schema
        live = schema == self.schema

        async def handle(conn: AsyncConnection, events: Sequence[Envelope]) -> None:
            mapped = await conn.execution_options(schema_translate_map={None: schema})
            await self.projection.apply(mapped, events)
            await _advance_checkpoints(mapped, events)

        async def hold_shared_lock(conn: AsyncConnection) -> None:
            # Live batches and the rebuild's swap exclude each other (see `rebuild`).
            await conn.execute(
                text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": self._lock_key}
            )

        return EventConsumer(
            f"projection.{self.projection.name}",
            self.engine,
            schema,
            handle,
            broker,
            before=hold_shared_lock if live else None,
        )

    async def hold_shared(self, conn: AsyncConnection) -> None:
        """Hold the projection's lock shared until the caller's transaction ends.

        A command that reads the live read model to decide takes it first, so no rebuild swaps
        the schema between its read and its write (shared holders never wait for each other).
        """
        await conn.execute(text("SELECT pg_advisory_xact_lock_shared(:k)"), {"k": self._lock_key})

    async def apply_inline(self, conn: AsyncConnection, events: Sequence[Envelope]) -> None:
        """Apply events just appended by the caller, in the caller's transaction.

        For read models a service keeps in step with its own writes (read-your-writes after
        a command). The shared lock orders the write against a rebuild's swap: a write that
        waits for the swap lands in the swapped-in schema, whose replay did not see it.
        """
        if not events:
            return
        await self.hold_shared(conn)
        mapped = await conn.execution_options(schema_translate_map={None: self.schema})
        await self.projection.apply(mapped, events)
        await _advance_checkpoints(mapped, events)

    async def catch_up(self, store: EventStore, batch: int = 2000) -> int:
        """Apply what `store` holds beyond the checkpoint of an inline projection; return count.

        Run at start-up: an inline projection added to a service with history, or a service
        upgraded from read models outside this mechanism, fills itself instead of serving
        empty answers until someone remembers to rebuild. The exclusive lock makes replicas
        starting together apply each event once, and makes commands wait for the catch-up.
        """
        applied = 0
        async with self.engine.begin() as conn:
            await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": self._lock_key})
            mapped = await conn.execution_options(schema_translate_map={None: self.schema})
            after = int(await mapped.scalar(select(func.max(checkpoints.c.position))) or 0)
            async for page in store.iterate(conn, after, batch):
                await self.projection.apply(mapped, page)
                await _advance_checkpoints(mapped, page)
                applied += len(page)
        return applied

    async def rebuild(
        self, source: Source, batch: int = 2000, progress: bool = True
    ) -> RebuildReport:
        """Replay the whole history into a fresh schema, then swap it in for the live one.

        The live consumer keeps running meanwhile. For the swap the rebuild takes the
        projection's lock exclusively, so no live batch is half-applied, reads what arrived
        since, and renames the schemas in the same transaction.
        """
        fresh = f"{self.schema}__rebuild"
        async with self.engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {fresh} CASCADE"))
        await self.prepare(fresh)
        replay = self.consumer(None, fresh)
        applied = 0
        with tqdm(
            total=await source.size(),
            disable=not progress,
            unit="ev",
            desc=f"rebuild {self.projection.name}",
        ) as bar:
            async for events in source.read(batch):
                await replay.process(events)
                applied += len(events)
                bar.update(len(events))
            async with self.engine.begin() as swap:
                await swap.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": self._lock_key})
                async for events in source.read(batch):  # what arrived while we replayed
                    await replay.process(events)
                    applied += len(events)
                    bar.update(len(events))
                await swap.execute(text(f"DROP SCHEMA IF EXISTS {self.schema}__old CASCADE"))
                await swap.execute(
                    text(
                        f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = "
                        f"'{self.schema}') THEN ALTER SCHEMA {self.schema} RENAME TO "
                        f"{self.schema}__old; END IF; END $$"
                    )
                )
                await swap.execute(text(f"ALTER SCHEMA {fresh} RENAME TO {self.schema}"))
        async with self.engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {self.schema}__old CASCADE"))
        return RebuildReport(applied, self.schema)


async def _advance_checkpoints(conn: AsyncConnection, events: Sequence[Envelope]) -> None:
    latest: dict[str, int] = {}
    for envelope in events:
        source = event_class(envelope.event_type).producer
        latest[source] = max(latest.get(source, 0), envelope.position)
    if not latest:
        return
    statement = insert(checkpoints).values(
        [{"source": s, "position": p} for s, p in latest.items()]
    )
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[checkpoints.c.source],
            set_={"position": func.greatest(checkpoints.c.position, statement.excluded.position)},
        )
    )
