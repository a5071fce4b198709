"""Funding's HTTP API for the ledger: positions as of a date, journals, statements, the check."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.funding.access import OVERSIGHT, Member, readable_fund
from services.funding.journal import ZERO, Position, check, positions
from services.funding.ledger import SCHEMA, attributions, contributions, journal, ledger_lines
from shared.api import PageDep, RuntimeDep, partnership_member
from shared.auth import Principal, Role
from shared.runtime import ServiceRuntime

router = APIRouter(prefix="/partnerships/{partnership_id}", tags=["ledger"])
Overseer = Annotated[Principal, Depends(partnership_member(Role.COMMISSIONER, Role.AUDITOR))]


class ScopePosition(BaseModel):
    scope: str  # "general" or "pot:<id>"
    budget: Decimal
    committed: Decimal
    paid: Decimal
    released: Decimal
    available: Decimal
    clawback_due: Decimal


class FundPosition(BaseModel):
    """A fund's position from the ledger, as of the end of a day."""

    fund_id: str
    as_of: date | None
    total: ScopePosition
    scopes: list[ScopePosition]


class JournalLine(BaseModel):
    position: int
    entry_no: int
    side: str
    kind: str
    account: str
    debit: Decimal
    credit: Decimal
    occurred_on: date
    award_id: str | None
    memo: str


class JournalPage(BaseModel):
    items: list[JournalLine]
    total: int
    limit: int
    offset: int


class Funded(BaseModel):
    award_id: str
    title: str
    recipient_name: str
    amount: Decimal
    award_date: date


class Statement(BaseModel):
    """What a partner paid into a pool and the awards its money was attributed to."""

    fund_id: str
    organisation_id: str
    pledged: Decimal
    received: Decimal
    attributed: Decimal
    unattributed: Decimal
    funded: list[Funded]


class LedgerCheck(BaseModel):
    balanced: bool
    entries: int
    problems: list[str]


async def ledger(conn: AsyncConnection) -> AsyncConnection:
    return await conn.execution_options(schema_translate_map={None: SCHEMA})


def _scope(name: str, p: Position) -> ScopePosition:
    return ScopePosition(scope=name, **vars(p))


@router.get("/funds/{fund_id}/position", response_model=FundPosition)
async def get_position(
    partnership_id: str,
    fund_id: str,
    principal: Member,
    runtime: RuntimeDep,
    as_of: Annotated[date | None, Query(description="end of this day (default: now)")] = None,
) -> FundPosition:
    """Budget, committed, paid, released and available per scope, as of any date."""
    await readable_fund(runtime, principal, fund_id)
    async with runtime.engine.connect() as conn:
        found = positions(await ledger_lines(await ledger(conn), fund_id, as_of))
    scopes = [_scope(where, p) for (_f, where), p in sorted(found.items())]
    total = Position()
    for p in found.values():
        for name in vars(total):
            setattr(total, name, getattr(total, name) + getattr(p, name))
    return FundPosition(fund_id=fund_id, as_of=as_of, total=_scope("fund", total), scopes=scopes)


@router.get("/funds/{fund_id}/journal", response_model=JournalPage)
async def get_journal(
    partnership_id: str, fund_id: str, principal: Member, runtime: RuntimeDep, page: PageDep
) -> JournalPage:
    """A fund's double-entry journal, oldest first: two lines per movement."""
    await readable_fund(runtime, principal, fund_id)
    mine = journal.c.fund_id == fund_id
    async with runtime.engine.connect() as conn:
        books = await ledger(conn)
        total = await books.scalar(select(func.count()).select_from(journal).where(mine))
        rows = await books.execute(
            select(journal)
            .where(mine)
            .order_by(journal.c.position, journal.c.entry_no, journal.c.side.desc())
            .limit(page.limit)
            .offset(page.offset)
        )
        items = [JournalLine.model_validate(dict(r._mapping)) for r in rows]
    return JournalPage(items=items, total=int(total or 0), limit=page.limit, offset=page.offset)


@router.get("/funds/{fund_id}/statements/{organisation_id}", response_model=Statement)
async def get_statement(
    partnership_id: str,
    fund_id: str,
    organisation_id: str,
    principal: Member,
    runtime: RuntimeDep,
) -> Statement:
    """A partner's contributions to a pool and what they funded (partners: their own only)."""
    if principal.role not in OVERSIGHT and principal.organisation_id != organisation_id:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail=f"{principal.organisation_id} may read only its own statement",
        )
    await readable_fund(runtime, principal, fund_id)
    return await statement(runtime, fund_id, organisation_id)


async def statement(runtime: ServiceRuntime, fund_id: str, organisation_id: str) -> Statement:
    async with runtime.engine.connect() as conn:
        books = await ledger(conn)
        paid_in = (
            await books.execute(
                select(contributions).where(
                    contributions.c.fund_id == fund_id,
                    contributions.c.organisation_id == organisation_id,
                )
            )
        ).one_or_none()
        if paid_in is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND,
                detail=f"{organisation_id} has not contributed to fund {fund_id!r}",
            )
        rows = await books.execute(
            select(attributions)
            .where(
                attributions.c.fund_id == fund_id,
                attributions.c.organisation_id == organisation_id,
            )
            .order_by(attributions.c.award_date, attributions.c.award_id)
        )
        funded = [Funded.model_validate(dict(r._mapping)) for r in rows]
    attributed = sum((f.amount for f in funded), start=ZERO)
    return Statement(
        fund_id=fund_id,
        organisation_id=organisation_id,
        pledged=paid_in.pledged,
        received=paid_in.received,
        attributed=attributed,
        unattributed=paid_in.received - attributed,
        funded=funded,
    )


@router.get("/ledger/check", response_model=LedgerCheck)
async def get_check(partnership_id: str, principal: Overseer, runtime: RuntimeDep) -> LedgerCheck:
    """Prove the partnership's books: every entry and fund balances, nothing over-committed."""
    async with runtime.engine.connect() as conn:
        books = await ledger(conn)
        report = check(await ledger_lines(books, partnership_id=partnership_id))
    return LedgerCheck(balanced=report.balanced, entries=report.entries, problems=report.problems)
