"""Funding's HTTP API for funds: establish, budget, ring-fence, pool contributions, formulas."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel
from sqlalchemy import func, select

from services.funding.access import Commissioner, Member, Recorded, command, readable_fund, recorded
from services.funding.commands import (
    AllocateBudget,
    Contribution,
    CreateRingFence,
    EstablishFund,
    MakeFormulaAllocation,
    allocate_budget,
    create_ring_fence,
    establish_fund,
    make_formula_allocation,
    pledge_contribution,
    receive_contribution,
)
from services.funding.handlers import existing
from services.funding.readmodels import directory, funds
from shared.api import PageDep, RuntimeDep, partnership_member
from shared.auth import Principal, Role

router = APIRouter(prefix="/partnerships/{partnership_id}/funds", tags=["funds"])
Overseer = Annotated[Principal, Depends(partnership_member(Role.COMMISSIONER, Role.AUDITOR))]


class PotView(BaseModel):
    pot_id: str
    name: str
    amount: Decimal
    eligible_categories: tuple[str, ...]
    available: Decimal


class ContributorView(BaseModel):
    organisation_id: str
    name: str
    pledged: Decimal
    received: Decimal


class FundView(BaseModel):
    """A fund as its stream tells it now."""

    fund_id: str
    name: str
    financial_year: str
    source: str
    eligible_categories: tuple[str, ...]
    budget: Decimal
    ring_fenced: Decimal
    available: Decimal  # outside the pots
    pots: list[PotView]
    contributors: list[ContributorView]
    version: int


class FundSummary(BaseModel):
    fund_id: str
    name: str
    financial_year: str
    source: str


class FundPage(BaseModel):
    items: list[FundSummary]
    total: int
    limit: int
    offset: int


@router.post("", status_code=status.HTTP_201_CREATED, response_model=Recorded)
async def post_fund(
    partnership_id: str,
    body: EstablishFund,
    principal: Commissioner,
    runtime: RuntimeDep,
    response: Response,
) -> Recorded:
    """Establish a fund for a financial year with its budget and ring-fenced pots."""
    stored = await command(runtime, principal, body.fund_id, lambda f: establish_fund(f, body))
    response.headers["Location"] = f"/partnerships/{partnership_id}/funds/{body.fund_id}"
    return recorded(stored)


@router.get("", response_model=FundPage)
async def get_funds(
    partnership_id: str, principal: Overseer, runtime: RuntimeDep, page: PageDep
) -> FundPage:
    """The partnership's funds, newest financial year first."""
    mine = funds.c.partnership_id == partnership_id
    async with runtime.engine.connect() as connection:
        conn = await directory(connection)
        total = await conn.scalar(select(func.count()).select_from(funds).where(mine))
        rows = await conn.execute(
            select(funds)
            .where(mine)
            .order_by(funds.c.financial_year.desc(), funds.c.fund_id)
            .limit(page.limit)
            .offset(page.offset)
        )
        items = [FundSummary.model_validate(dict(r._mapping)) for r in rows]
    return FundPage(items=items, total=int(total or 0), limit=page.limit, offset=page.offset)


@router.get("/{fund_id}", response_model=FundView)
async def get_fund(
    partnership_id: str, fund_id: str, principal: Member, runtime: RuntimeDep
) -> FundView:
    """A fund's budget, ring-fenced pots, headroom and contributors (partners: their pools)."""
    fund = await readable_fund(runtime, principal, fund_id)
    return FundView(
        fund_id=fund.fund_id,
        name=fund.name,
        financial_year=fund.financial_year,
        source=fund.source.value,
        eligible_categories=fund.eligible_categories,
        budget=fund.budget,
        ring_fenced=fund.ring_fenced,
        available=fund.available,
        pots=[
            PotView(
                pot_id=p.pot_id,
                name=p.name,
                amount=p.amount,
                eligible_categories=p.eligible_categories,
                available=p.available,
            )
            for p in fund.pots.values()
        ],
        contributors=[
            ContributorView(
                organisation_id=c.organisation_id,
                name=c.name,
                pledged=c.pledged,
                received=c.received,
            )
            for c in fund.contributors.values()
        ],
        version=fund.version,
    )


@router.post("/{fund_id}/budget", status_code=status.HTTP_201_CREATED, response_model=Recorded)
async def post_budget(
    partnership_id: str,
    fund_id: str,
    body: AllocateBudget,
    principal: Commissioner,
    runtime: RuntimeDep,
) -> Recorded:
    """Add money to a fund's budget (not to a pooled budget: partners pay into those)."""
    return recorded(
        await command(
            runtime, principal, fund_id, lambda f: allocate_budget(existing(f, fund_id), body)
        )
    )


@router.post("/{fund_id}/ring-fences", status_code=status.HTTP_201_CREATED, response_model=Recorded)
async def post_ring_fence(
    partnership_id: str,
    fund_id: str,
    body: CreateRingFence,
    principal: Commissioner,
    runtime: RuntimeDep,
) -> Recorded:
    """Ring-fence part of the fund's uncommitted budget for eligible spend categories."""
    return recorded(
        await command(
            runtime, principal, fund_id, lambda f: create_ring_fence(existing(f, fund_id), body)
        )
    )


@router.post("/{fund_id}/pledges", status_code=status.HTTP_201_CREATED, response_model=Recorded)
async def post_pledge(
    partnership_id: str,
    fund_id: str,
    body: Contribution,
    principal: Commissioner,
    runtime: RuntimeDep,
) -> Recorded:
    """Record a partner's pledge to a pooled budget."""
    return recorded(
        await command(
            runtime, principal, fund_id, lambda f: pledge_contribution(existing(f, fund_id), body)
        )
    )


@router.post(
    "/{fund_id}/contributions", status_code=status.HTTP_201_CREATED, response_model=Recorded
)
async def post_contribution(
    partnership_id: str,
    fund_id: str,
    body: Contribution,
    principal: Commissioner,
    runtime: RuntimeDep,
) -> Recorded:
    """Record a partner's payment into a pooled budget; it becomes the pool's budget."""
    return recorded(
        await command(
            runtime, principal, fund_id, lambda f: receive_contribution(existing(f, fund_id), body)
        )
    )


@router.post(
    "/{fund_id}/formula-allocations", status_code=status.HTTP_201_CREATED, response_model=Recorded
)
async def post_formula_allocation(
    partnership_id: str,
    fund_id: str,
    body: MakeFormulaAllocation,
    principal: Commissioner,
    runtime: RuntimeDep,
) -> Recorded:
    """Commit an amount to areas in proportion to crimes per 1,000 population, to the penny."""
    return recorded(
        await command(
            runtime,
            principal,
            fund_id,
            lambda f: make_formula_allocation(existing(f, fund_id), body),
        )
    )
