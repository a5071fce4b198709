"""Funding's read models come from its own store: kept with each append, rebuilt the same."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.funding.awards import award
from services.funding.domain import FundingError
from services.funding.handlers import Decide, execute, existing, fund_of_award, load_fund
from services.funding.payments import release_payment
from services.funding.reactions import on_monitoring_event
from services.funding.readmodels import awards, directory, funds
from shared.contracts.monitoring import KPIReturnSubmitted
from shared.eventstore.envelope import NewEvent
from shared.eventstore.store import EventStore
from shared.ops.rebuild import rebuild, registered
from tests.integration.funding.support import COMMISSIONER, NOW, STORE, new_fund, prepare
from tests.unit.funding.support import award_request


async def listed(engine: AsyncEngine) -> list[list[tuple[Any, ...]]]:
    async with engine.connect() as connection:
        conn = await directory(connection)
        return [
            [tuple(r) for r in await conn.execute(select(t).order_by(*t.primary_key))]
            for t in (funds, awards)
        ]


async def run(engine: AsyncEngine, fund_id: str, decide: Decide) -> None:
    async with engine.begin() as conn:
        await execute(conn, STORE, "nw", fund_id, decide, COMMISSIONER, NOW)


async def test_the_directory_follows_each_command_and_commissioning_rebuild_gives_it_back(
    database_url: str, engine: AsyncEngine, schema: str
) -> None:
    await prepare(engine)
    fund_id = await new_fund(engine, "nw", budget="50000.00")
    award_id = f"{fund_id}-pbr"
    by_results = award_request(fund_id=fund_id, amount="8000.00", payment_by_results=True)
    async with engine.begin() as conn:
        await execute(
            conn,
            STORE,
            "nw",
            fund_id,
            lambda f: award(existing(f, fund_id), by_results, award_id),
            COMMISSIONER,
            NOW,
        )
        # The command's own transaction already finds the award it made.
        assert await fund_of_award(conn, "nw", award_id) == fund_id
    too_much = award_request(fund_id=fund_id, amount="42000.01")
    with pytest.raises(FundingError, match=r"has £42,000\.00 available"):
        await run(engine, fund_id, lambda f: award(existing(f, fund_id), too_much, "never"))
    live = await listed(engine)
    assert [r[0] for r in live[1] if r[1] == fund_id] == [award_id]  # the refusal left no row

    # Monitoring accepts the first quarter's return (delivered twice): noted once on the stream.
    monitoring = EventStore(schema)
    submitted = KPIReturnSubmitted(
        return_id=f"{award_id}:2017-06-01",
        service_id=award_id,
        award_id=award_id,
        provider_organisation_id="GB-CHC-1000001",
        period_start=date(2017, 6, 1),
        period_end=date(2017, 8, 31),
        beneficiaries=31,
    )
    event = NewEvent(payload=submitted, partnership_id="nw", actor=COMMISSIONER, occurred_at=NOW)
    async with engine.begin() as conn:
        delivered = await monitoring.append(conn, "service", award_id, [event], 0)
        await on_monitoring_event(conn, delivered)
        await on_monitoring_event(conn, delivered)
    autumn = date(2017, 9, 1)

    def pay(number: int) -> Decide:
        return lambda f: release_payment(existing(f, fund_id), award_id, number, autumn)

    await run(engine, fund_id, pay(1))
    with pytest.raises(FundingError, match="no KPI return covering 2017-11-30"):
        await run(engine, fund_id, pay(2))
    async with engine.connect() as conn:
        stream = await STORE.read_stream(conn, fund_id)
        fund = existing(await load_fund(conn, STORE, "nw", fund_id), fund_id)
    assert [e.event_type for e in stream].count("KPIReturnRecorded") == 1
    assert fund.awards[award_id].paid > 0

    async with engine.begin() as connection:  # the live read model is lost...
        conn = await directory(connection)
        await conn.execute(delete(awards))
        await conn.execute(delete(funds))
    # ...and `commissioning rebuild funding_directory` gives it back from event 0.
    report = await rebuild(database_url, registered()["funding_directory"], progress=False)
    assert report.events >= len(stream)
    assert await listed(engine) == live  # every fund and award of the store, identically
