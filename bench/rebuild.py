"""Projection rebuild into PostgreSQL: an award register, one row per event, from the store."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg
from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    MetaData,
    Numeric,
    String,
    Table,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bench.context import Context
from bench.report import Result
from bench.servers import raw_connections, unique_name
from shared.contracts.funding import GrantAwarded
from shared.eventstore.envelope import Envelope
from shared.eventstore.store import EventStore
from shared.projection import ProjectionRunner, checkpoint_metadata
from shared.sources import StoreSource

TARGET = 0.3
BATCH = 2000  # ProjectionRunner.rebuild's default

metadata = MetaData()
award_register = Table(
    "award_register",
    metadata,
    Column("award_id", String(100), primary_key=True),
    Column("recipient_id", String(100), nullable=False),
    Column("fund_id", String(100), nullable=False),
    Column("amount", Numeric(14, 2), nullable=False),
    Column("award_date", Date, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("position", BigInteger, nullable=False),
)
REGISTER_COLUMNS = [column.name for column in award_register.columns]


class AwardRegister:
    """Every award as a row, as a grants register or 360Giving export reads them."""

    metadata = metadata

    def __init__(self, name: str) -> None:
        self.name = name

    async def apply(self, conn: AsyncConnection, events: Sequence[Envelope]) -> None:
        """Insert one row per award, the whole batch in one executemany."""
        rows = []
        for envelope in events:
            award = envelope.event()
            assert isinstance(award, GrantAwarded)
            rows.append(
                {
                    "award_id": award.award_id,
                    "recipient_id": award.recipient_organisation_id,
                    "fund_id": award.fund_id,
                    "amount": award.amount,
                    "award_date": award.award_date,
                    "start_date": award.start_date,
                    "end_date": award.end_date,
                    "position": envelope.position,
                }
            )
        if rows:
            await conn.execute(insert(award_register), rows)


def register_row(position: int, payload: Mapping[str, Any]) -> tuple[Any, ...]:
    """The register row of a stored award, straight from its JSON payload."""
    return (
        payload["award_id"],
        payload["recipient_organisation_id"],
        payload["fund_id"],
        Decimal(payload["amount"]),
        date.fromisoformat(payload["award_date"]),
        date.fromisoformat(payload["start_date"]),
        date.fromisoformat(payload["end_date"]),
        position,
    )


async def ours(ctx: Context, source_schema: str) -> tuple[float, int, Decimal]:
    projection = AwardRegister(unique_name("bench_register"))
    runner = ProjectionRunner(projection, ctx.engine)
    try:
        started = time.perf_counter()
        source = StoreSource(ctx.engine, EventStore(source_schema))
        report = await runner.rebuild(source, batch=BATCH, progress=False)
        rate = report.events / (time.perf_counter() - started)
        async with ctx.engine.connect() as conn:
            mapped = await conn.execution_options(schema_translate_map={None: runner.schema})
            summary = (
                await mapped.execute(select(func.count(), func.sum(award_register.c.amount)))
            ).one()
        return rate, int(summary[0]), Decimal(summary[1])
    finally:
        async with ctx.engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {runner.schema} CASCADE"))


async def _raw_rebuild(conn: asyncpg.Connection, source: str, target: str) -> int:
    read = f"SELECT * FROM {source}.events WHERE position > $1 ORDER BY position LIMIT {BATCH}"
    columns = ", ".join(REGISTER_COLUMNS)
    params = ", ".join(f"${i}" for i in range(1, len(REGISTER_COLUMNS) + 1))
    write = f"INSERT INTO {target}.award_register ({columns}) VALUES ({params})"
    checkpoint = (
        f"INSERT INTO {target}.checkpoints (source, position) VALUES ('funding', $1) "
        "ON CONFLICT (source) DO UPDATE SET position = excluded.position"
    )
    after = applied = 0
    while page := await conn.fetch(read, after):
        rows = [register_row(row["position"], row["payload"]) for row in page]
        async with conn.transaction():
            await conn.executemany(write, rows)
            await conn.execute(checkpoint, page[-1]["position"])
        after, applied = page[-1]["position"], applied + len(page)
    return applied


async def raw(ctx: Context, source_schema: str) -> tuple[float, int, Decimal]:
    target = unique_name("bench_raw_register")
    async with ctx.engine.begin() as conn:
        await conn.execute(text(f"CREATE SCHEMA {target}"))
        mapped = await conn.execution_options(schema_translate_map={None: target})
        await mapped.run_sync(metadata.create_all)
        await mapped.run_sync(checkpoint_metadata.create_all)
    try:
        async with raw_connections(ctx.servers.asyncpg_url, 1) as (conn,):
            await conn.set_type_codec(
                "jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
            )
            started = time.perf_counter()
            applied = await _raw_rebuild(conn, source_schema, target)
            rate = applied / (time.perf_counter() - started)
            count, total = await conn.fetchrow(
                f"SELECT count(*), sum(amount) FROM {target}.award_register"
            )
        return rate, int(count), Decimal(total)
    finally:
        async with ctx.engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {target} CASCADE"))


async def run(ctx: Context) -> list[Result]:
    """One rebuild each over the same history; both registers must hold the same awards."""
    schema = await ctx.seeded_store()
    rate, *ours_summary = await ours(ctx, schema)
    raw_rate, *raw_summary = await raw(ctx, schema)
    assert ours_summary == raw_summary, f"registers differ: {ours_summary} != {raw_summary}"
    return [Result("projection rebuild (award register)", rate, raw_rate, target=TARGET)]
