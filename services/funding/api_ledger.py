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
from services.funding.books import Position, check, contributor_positions, positions
from services.funding.journal import ZERO, Line
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
    repaid: Decimal  # clawbacks repaid: available again


class ContributorPosition(ScopePosition):
    """One partner's part of a pooled budget (its subsidiary ledger)."""

    organisation_id: str


class FundPosition(BaseModel):
    """A fund's position from the ledger, as of the end of a day."""

    fund_id: str
    as_of: date | None
    total: ScopePosition
    scopes: list[ScopePosition]
    contributors: list[ContributorPosition]  # a pooled budget's partners, adding up to the total


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
    contributor: str | None  # a pooled budget's subsidiary ledger line: whose money


class JournalPage(BaseModel):
    items: list[JournalLine]
    total: int
    limit: int
    offset: int


class Funded(BaseModel):
    """One award as far as the partner's money goes."""

    award_id: str
    title: str
    recipient_name: str
    amount: Decimal  # the partner's share of the award when it was made (committed)
    award_date: date
    paid: Decimal = ZERO  # paid to the recipient out of that share
    unpaid: Decimal = ZERO  # still committed
    released: Decimal = ZERO  # commitment given back to the pool (decommissioning)
    clawed_back: Decimal = ZERO  # of what was paid, asked back from the recipient
    repaid: Decimal = ZERO  # of the clawbacks, back in the pool
    got_back: Decimal = ZERO  # released + repaid: available to the partner again


class Statement(BaseModel):
    """What a partner paid into a pool and what its money committed, paid and got back."""

    fund_id: str
    organisation_id: str
    pledged: Decimal
    received: Decimal
    attributed: Decimal  # shares of the awards when made
    unattributed: Decimal  # received − attributed (negative once given-back money is re-awarded)
    committed: Decimal = ZERO  # still committed, unpaid
    paid: Decimal = ZERO
    released: Decimal = ZERO
    clawback_due: Decimal = ZERO
    repaid: Decimal = ZERO
    available: Decimal = ZERO  # the partner's money in the pool no award holds
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
        lines = await ledger_lines(await ledger(conn), fund_id, as_of)
    found = positions(lines)
    scopes = [_scope(where, p) for (_f, where), p in sorted(found.items())]
    total = Position()
    for p in found.values():
        total.add(p)
    partners = [
        ContributorPosition(organisation_id=who, scope=where, **vars(p))
        for (_f, where, who), p in sorted(contributor_positions(lines).items())
    ]
    return FundPosition(
        fund_id=fund_id,
        as_of=as_of,
        total=_scope("fund", total),
        scopes=scopes,
        contributors=partners,
    )


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
    """A partner's statement from its subsidiary ledger in the pool."""
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
        lines = await ledger_lines(books, fund_id, contributor=organisation_id)
    movements = _by_award(lines)
    funded = [f.model_copy(update=movements.get(f.award_id, {})) for f in funded]
    total = Position()
    for p in contributor_positions(lines).values():
        total.add(p)
    attributed = sum((f.amount for f in funded), start=ZERO)
    return Statement(
        fund_id=fund_id,
        organisation_id=organisation_id,
        pledged=paid_in.pledged,
        received=paid_in.received,
        attributed=attributed,
        unattributed=paid_in.received - attributed,
        committed=total.committed,
        paid=total.paid,
        released=total.released,
        clawback_due=total.clawback_due,
        repaid=total.repaid,
        available=total.available,
        funded=funded,
    )


def _by_award(lines: list[Line]) -> dict[str, dict[str, Decimal]]:
    """Per award, what one partner's money did: paid, released, clawed back, repaid."""
    found: dict[str, dict[str, Decimal]] = {}
    for line in lines:
        if line.award_id is None:
            continue
        moved = found.setdefault(
            line.award_id,
            dict.fromkeys(("paid", "released", "clawed_back", "repaid"), ZERO)
            | {"committed": ZERO},
        )
        if line.kind == "commitment":
            moved["committed"] += line.debit
        elif line.kind == "payment":
            moved["paid"] += line.debit
        elif line.kind == "release":
            moved["released"] += line.debit
        elif line.kind == "clawback":
            moved["clawed_back"] += line.debit
        elif line.kind == "repayment":
            moved["repaid"] += line.debit
    for moved in found.values():
        committed = moved.pop("committed")
        moved["unpaid"] = committed - moved["paid"] - moved["released"]
        moved["got_back"] = moved["released"] + moved["repaid"]
    return found


@router.get("/ledger/check", response_model=LedgerCheck)
async def get_check(partnership_id: str, principal: Overseer, runtime: RuntimeDep) -> LedgerCheck:
    """Prove the partnership's books: every entry and fund balances, nothing over-committed."""
    async with runtime.engine.connect() as conn:
        books = await ledger(conn)
        report = check(await ledger_lines(books, partnership_id=partnership_id))
    return LedgerCheck(balanced=report.balanced, entries=report.entries, problems=report.problems)
