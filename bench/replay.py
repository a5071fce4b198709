"""Replay: read the whole history and fold it (award totals per recipient)."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from bench.context import Context
from bench.report import Result
from bench.servers import raw_connections
from shared.eventstore.store import EventStore

TARGET = 0.5
PAGE = 5000  # EventStore.iterate's default batch


def fold(totals: dict[str, Decimal], payloads: Iterable[Mapping[str, Any]]) -> None:
    """Add each award's amount to its recipient's total."""
    for payload in payloads:
        totals[payload["recipient_organisation_id"]] += Decimal(payload["amount"])


async def ours(ctx: Context, schema: str) -> tuple[float, dict[str, Decimal]]:
    store, totals = EventStore(schema), defaultdict[str, Decimal](Decimal)
    started, count = time.perf_counter(), 0
    async with ctx.engine.connect() as conn:
        async for page in store.iterate(conn, batch=PAGE):
            fold(totals, (envelope.payload for envelope in page))
            count += len(page)
    return count / (time.perf_counter() - started), totals


async def raw(ctx: Context, schema: str) -> tuple[float, dict[str, Decimal]]:
    totals = defaultdict[str, Decimal](Decimal)
    query = f"SELECT * FROM {schema}.events WHERE position > $1 ORDER BY position LIMIT {PAGE}"
    async with raw_connections(ctx.servers.asyncpg_url, 1) as (conn,):
        # Decode jsonb columns as the platform's engine does, so both hand the fold dicts.
        await conn.set_type_codec(
            "jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )
        started, count, after = time.perf_counter(), 0, 0
        while page := await conn.fetch(query, after):
            fold(totals, (row["payload"] for row in page))
            count, after = count + len(page), page[-1]["position"]
    return count / (time.perf_counter() - started), totals


async def run(ctx: Context) -> list[Result]:
    """Warm both once, then take the better of two timed passes each."""
    schema = await ctx.seeded_store()
    best: dict[str, float] = {}
    results: dict[str, dict[str, Decimal]] = {}
    for timed in (False, True, True):
        for name, replay in (("ours", ours), ("raw", raw)):
            rate, results[name] = await replay(ctx, schema)
            best[name] = max(best.get(name, 0.0), rate if timed else 0.0)
    assert results["ours"] == results["raw"], "the two replays folded different totals"
    return [Result("replay (iterate + fold)", best["ours"], best["raw"], target=TARGET)]
