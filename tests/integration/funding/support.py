"""Funding against the real PostgreSQL: its schema, its store, and the ledger checked after."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncEngine

from services.funding.books import CheckReport, check
from services.funding.commands import (
    Contribution,
    CreateRingFence,
    EstablishFund,
    establish_fund,
    receive_contribution,
)
from services.funding.handlers import Decide, execute, existing
from services.funding.ledger import SCHEMA, FundingLedger, ledger_lines
from services.funding.readmodels import runner
from shared.contracts.applications import ApplicationApproved
from shared.contracts.funding import FundSource, Mechanism
from shared.eventstore.envelope import Actor
from shared.eventstore.schema import create_store_tables
from shared.eventstore.store import EventStore
from shared.projection import ProjectionRunner
from shared.sources import StoreSource

STORE = EventStore("funding")
COMMISSIONER = Actor(organisation_id="GB-PLA-NWALES-OPCC", user_id="u-1", role="commissioner")
NOW = datetime(2017, 5, 1, 9, 0, tzinfo=UTC)


async def prepare(engine: AsyncEngine) -> None:
    """Funding's store and its inline directory, as the service prepares them at start."""
    async with engine.begin() as conn:
        await create_store_tables(conn, "funding")
    await runner(engine).prepare()


async def new_fund(
    engine: AsyncEngine, partnership: str, budget: str, pot: str | None = None
) -> str:
    """A fund of its own for one test (the store is shared by the whole run)."""
    fund_id = f"fund-{uuid.uuid4().hex[:10]}"
    fences = (
        (
            CreateRingFence(
                pot_id="csa",
                name="CSA services",
                amount=Decimal(pot),
                eligible_categories=("child-sexual-abuse",),
            ),
        )
        if pot
        else ()
    )
    command = EstablishFund(
        fund_id=fund_id,
        name="MoJ victims",
        financial_year="2017/18",
        source=FundSource.MINISTRY_OF_JUSTICE,
        budget=Decimal(budget),
        ring_fences=fences,
    )
    async with engine.begin() as conn:
        await execute(
            conn,
            STORE,
            partnership,
            fund_id,
            lambda f: establish_fund(f, command),
            COMMISSIONER,
            NOW,
        )
    return fund_id


async def new_pool(engine: AsyncEngine, partnership: str, paid_in: dict[str, str]) -> str:
    """A pooled budget of its own for one test, with what each partner paid in."""
    fund_id = f"pool-{uuid.uuid4().hex[:10]}"
    command = EstablishFund(
        fund_id=fund_id,
        name="Joint pool",
        financial_year="2017/18",
        source=FundSource.PARTNER_POOL,
    )

    def pay_in(org: str, amount: str) -> Decide:
        body = Contribution(contributor_organisation_id=org, contributor_name=org, amount=amount)
        return lambda f: receive_contribution(existing(f, fund_id), body)

    decisions: list[Decide] = [lambda f: establish_fund(f, command)]
    decisions += [pay_in(org, amount) for org, amount in paid_in.items()]
    for decide in decisions:
        async with engine.begin() as conn:
            await execute(conn, STORE, partnership, fund_id, decide, COMMISSIONER, NOW)
    return fund_id


def approval(fund_id: str, amount: str = "5000.00", **changes: object) -> ApplicationApproved:
    body: dict[str, object] = {
        "application_id": f"app-{uuid.uuid4().hex[:10]}",
        "round_id": "round-1",
        "scheme_id": "scheme-1",
        "fund_id": fund_id,
        "mechanism": Mechanism.GRANT,
        "applicant_organisation_id": "GB-CHC-1000001",
        "applicant_name": "RASASC North Wales",
        "title": "Independent sexual violence advisers",
        "description": "Advocacy for victims",
        "amount": Decimal(amount),
        "start_date": date(2017, 6, 1),
        "end_date": date(2018, 5, 31),
        "decision_reference": "NW-2017-04",
        "reason": "Meets the victims priority",
    }
    return ApplicationApproved.model_validate({**body, **changes})


async def rebuilt_ledger(engine: AsyncEngine) -> CheckReport:
    """Rebuild the ledger from event 0 of the funding store and check the books."""
    runner = ProjectionRunner(FundingLedger(), engine)
    await runner.rebuild(StoreSource(engine, STORE), progress=False)
    return await ledger_check(engine)


async def ledger_check(engine: AsyncEngine, funds: Sequence[str] = ()) -> CheckReport:
    async with engine.connect() as conn:
        books = await conn.execution_options(schema_translate_map={None: SCHEMA})
        lines = await ledger_lines(books)
    return check(line for line in lines if not funds or line.fund_id in funds)
