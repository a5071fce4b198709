"""Append: expected-version check, events and outbox rows, one transaction per append."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Sequence
from datetime import UTC, datetime

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.context import Context
from bench.events import EVENT_COLUMNS, canonical_hash, new_events
from bench.report import Result
from bench.servers import fresh_schema, raw_connections
from shared.eventstore.envelope import GENESIS_HASH, NewEvent
from shared.eventstore.store import ConcurrencyError, EventStore

TARGET = 0.5
ROUNDS = 2  # timed rounds per contender; the best counts (the machine is noisy)
Batches = list[list[NewEvent]]


def _lock_key(schema: str) -> int:
    # The same kind of per-store key EventStore takes, so both serialise the same way.
    digest = hashlib.sha256(f"eventstore:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class RawStore:
    """A hand-written asyncpg append with the guarantees of `EventStore.append`.

    One store lock held to commit (gapless positions in commit order), the expected-version
    check, a hash chain, and the events with their outbox rows in one transaction.
    """

    def __init__(self, schema: str) -> None:
        self.key = _lock_key(schema)
        self.head = (
            f"SELECT (SELECT coalesce(max(stream_version), 0) FROM {schema}.events "
            "WHERE stream_id = $1) AS version, last.position, last.hash "
            f"FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT position, hash FROM {schema}.events "
            "ORDER BY position DESC LIMIT 1) AS last ON true"
        )
        params = ", ".join(f"${i}" for i in range(1, len(EVENT_COLUMNS) + 1))
        self.insert = f"INSERT INTO {schema}.events ({', '.join(EVENT_COLUMNS)}) VALUES ({params})"
        self.outbox = f"INSERT INTO {schema}.outbox (position) SELECT unnest($1::bigint[])"

    async def append(
        self, conn: asyncpg.Connection, stream_id: str, events: Sequence[NewEvent], expected: int
    ) -> None:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", self.key)
            version, position, prev_hash = await conn.fetchrow(self.head, stream_id)
            if version != expected:
                raise ConcurrencyError(stream_id, expected, version)
            position, prev_hash = position or 0, prev_hash or GENESIS_HASH
            recorded_at = datetime.now(UTC)
            rows = []
            for offset, new in enumerate(events, start=1):
                actor, payload = new.actor.model_dump(), new.payload.model_dump(mode="json")
                fields = {
                    "position": position + offset,
                    "event_id": new.event_id,
                    "event_type": new.payload.event_type,
                    "schema_version": new.payload.schema_version,
                    "stream_type": "award",
                    "stream_id": stream_id,
                    "stream_version": version + offset,
                    "occurred_at": new.occurred_at,
                    "recorded_at": recorded_at,
                    "partnership_id": new.partnership_id,
                    "actor": actor,
                    "correlation_id": new.correlation_id or new.event_id,
                    "causation_id": new.causation_id,
                    "traceparent": None,
                    "payload": payload,
                    "prev_hash": prev_hash,
                }
                prev_hash = fields["hash"] = canonical_hash(fields)
                fields["actor"], fields["payload"] = json.dumps(actor), json.dumps(payload)
                rows.append(tuple(fields[c] for c in EVENT_COLUMNS))
            await conn.executemany(self.insert, rows)
            await conn.execute(self.outbox, [row[0] for row in rows])


async def _timed(writers: Sequence[Awaitable[None]], events: int) -> float:
    started = time.perf_counter()
    await asyncio.gather(*writers)
    return events / (time.perf_counter() - started)


async def _ours(engine: AsyncEngine, schema: str, lanes: list[Batches]) -> float:
    store = EventStore(schema)

    async def writer(lane: int, batches: Batches) -> None:
        for n, batch in enumerate(batches):
            async with engine.begin() as conn:
                await store.append(conn, "award", f"award-{lane}-{n}", batch, 0)

    return await _timed([writer(i, b) for i, b in enumerate(lanes)], _count(lanes))


async def _raw(url: str, schema: str, lanes: list[Batches]) -> float:
    store = RawStore(schema)
    async with raw_connections(url, len(lanes)) as connections:

        async def writer(conn: asyncpg.Connection, lane: int, batches: Batches) -> None:
            for n, batch in enumerate(batches):
                await store.append(conn, f"award-{lane}-{n}", batch, 0)

        writers = [writer(c, i, b) for i, (c, b) in enumerate(zip(connections, lanes, strict=True))]
        return await _timed(writers, _count(lanes))


def _count(lanes: list[Batches]) -> int:
    return sum(len(batch) for batches in lanes for batch in batches)


def _lanes(count: int, per_txn: int, writers: int) -> list[Batches]:
    events = new_events(count)
    batches = [events[i : i + per_txn] for i in range(0, count, per_txn)]
    return [batches[lane::writers] for lane in range(writers)]


async def _measure(ctx: Context, count: int, per_txn: int, writers: int) -> Result:
    """Warm both up, then alternate rounds of each on fresh schemas and keep the best round."""
    url, best_ours, best_raw = ctx.servers.asyncpg_url, 0.0, 0.0
    for round_count, timed in [(min(count, 200), False)] + [(count // ROUNDS, True)] * ROUNDS:
        lanes = _lanes(round_count, per_txn, writers)
        async with fresh_schema(ctx.engine) as schema:
            ours = await _ours(ctx.engine, schema, lanes)
        async with fresh_schema(ctx.engine) as schema:
            raw = await _raw(url, schema, lanes)
        if timed:
            best_ours, best_raw = max(best_ours, ours), max(best_raw, raw)
    name = f"append, {writers} writer{'s' if writers > 1 else ''}, {per_txn} ev/txn"
    return Result(name, best_ours, best_raw, target=TARGET)


async def run(ctx: Context) -> list[Result]:
    """Single-event appends are ~4x slower per event than batches of ten: fewer of them."""
    cases = [(1, 1), (1, 4), (10, 1), (10, 4)]
    results = []
    for per_txn, writers in cases:
        count = max(ctx.events // (10 if per_txn == 1 else 4), 100)
        results.append(await _measure(ctx, count, per_txn, writers))
    return results
