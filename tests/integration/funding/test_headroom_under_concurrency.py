"""No fund or pot is ever over-committed, even by fifty awards at once (real PostgreSQL)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncEngine

from services.funding.awards import award
from services.funding.books import contributor_positions, positions
from services.funding.domain import Fund, HeadroomError
from services.funding.handlers import execute, existing, load_fund
from services.funding.ledger import SCHEMA, ledger_lines
from shared.db import make_engine
from tests.integration.funding.support import (
    COMMISSIONER,
    NOW,
    STORE,
    new_fund,
    new_pool,
    prepare,
    rebuilt_ledger,
)
from tests.unit.funding.support import award_request


async def fifty_awards(database_url: str, fund_id: str, **request: object) -> list[object]:
    engine = make_engine(database_url, pool_size=25)  # 50 connections: all contend at once
    try:

        async def one(n: int) -> object:
            def decide(fund: Fund | None) -> list[object]:
                body = award_request(fund_id=fund_id, amount="1000.00", **request)
                return award(existing(fund, fund_id), body, f"{fund_id}-award-{n}")  # type: ignore[return-value]

            try:
                async with engine.begin() as conn:
                    return await execute(conn, STORE, "nw", fund_id, decide, COMMISSIONER, NOW)  # type: ignore[arg-type]
            except HeadroomError as refusal:
                return refusal

        return await asyncio.gather(*(one(n) for n in range(50)))
    finally:
        await engine.dispose()


async def test_fifty_concurrent_awards_against_headroom_for_ten_exactly_ten_succeed(
    database_url: str, engine: AsyncEngine
) -> None:
    await prepare(engine)
    fund_id = await new_fund(engine, "nw", budget="10000.00")
    pot_fund = await new_fund(engine, "nw", budget="20000.00", pot="10000.00")
    pool_id = await new_pool(engine, "nw", {"GB-LAE-CONWY": "6000.00", "GB-NHS-7A1": "4000.00"})
    general, pot, pooled_awards = await asyncio.gather(
        fifty_awards(database_url, fund_id),
        fifty_awards(database_url, pot_fund, pot_id="csa", spend_category="child-sexual-abuse"),
        fifty_awards(database_url, pool_id),
    )
    for outcomes in (general, pot, pooled_awards):
        assert sum(isinstance(o, list) for o in outcomes) == 10
        assert sum(isinstance(o, HeadroomError) for o in outcomes) == 40
    async with engine.connect() as conn:
        fund = existing(await load_fund(conn, STORE, "nw", fund_id), fund_id)
        pooled = existing(await load_fund(conn, STORE, "nw", pot_fund), pot_fund)
    assert (len(fund.awards), fund.available) == (10, Decimal(0))
    assert (len(pooled.awards), pooled.pots["csa"].available) == (10, Decimal(0))
    assert pooled.available == Decimal("10000.00")  # the rest of the fund was never touched
    report = await rebuilt_ledger(engine)
    assert report.balanced, report.problems
    async with engine.connect() as conn:
        books = await conn.execution_options(schema_translate_map={None: SCHEMA})
        lines = await ledger_lines(books)
    ledger = positions(line for line in lines if line.fund_id == fund_id)
    assert ledger[fund_id, "general"].committed == Decimal("10000.00")
    partners = contributor_positions(line for line in lines if line.fund_id == pool_id)
    assert {who: p.committed for (_f, _s, who), p in partners.items()} == {
        "GB-LAE-CONWY": Decimal("6000.00"),
        "GB-NHS-7A1": Decimal("4000.00"),
    }
    assert all(p.available == 0 for p in partners.values())
