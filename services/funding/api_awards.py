"""Funding's HTTP API for awards and their payments."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from services.funding.access import (
    OVERSIGHT,
    Commissioner,
    Member,
    Recorded,
    command,
    recorded,
    refused,
)
from services.funding.awards import AwardFunding, award
from services.funding.domain import Fund, NotFoundError
from services.funding.handlers import award_events, existing, fund_of_award, load_fund
from services.funding.payments import (
    raise_clawback,
    release_payment,
    repay_clawback,
)
from services.funding.readmodels import awards, directory
from shared.api import PageDep, RuntimeDep
from shared.auth import Principal
from shared.contracts.base import DomainEvent, Money
from shared.contracts.funding import ScheduledInstalment
from shared.eventstore.envelope import Envelope
from shared.runtime import ServiceRuntime

router = APIRouter(prefix="/partnerships/{partnership_id}/awards", tags=["awards"])


class AwardRecorded(BaseModel):
    """Where the award's `GrantAwarded` / `ContractAwarded` event sits in the funding store."""

    award_id: str
    event_id: UUID
    position: int
    stream_version: int


class InstalmentView(ScheduledInstalment):
    status: str  # scheduled, paid, cancelled


class ShareView(BaseModel):
    """One partner's part of a pooled award and what happened to it."""

    organisation_id: str
    name: str
    committed: Decimal
    paid: Decimal
    released: Decimal
    clawed_back: Decimal
    repaid: Decimal


class AwardView(BaseModel):
    """An award's money now, and its history in the fund's stream."""

    award_id: str
    fund_id: str
    pot_id: str | None
    recipient_organisation_id: str
    amount: Decimal
    paid: Decimal
    clawed_back: Decimal
    repaid: Decimal  # of the clawbacks
    clawback_outstanding: Decimal
    released_to_fund: Decimal
    suspended: bool
    instalments: list[InstalmentView]
    funded_by: list[ShareView]  # a pooled award's partners (ADR 0030); empty otherwise
    events: list[Envelope]


class AwardSummary(BaseModel):
    award_id: str
    fund_id: str
    recipient_organisation_id: str
    recipient_name: str
    title: str
    mechanism: str
    amount: Decimal
    award_date: date


class AwardPage(BaseModel):
    items: list[AwardSummary]
    total: int
    limit: int
    offset: int


class Release(BaseModel):
    released_on: date | None = None  # default: today


class Clawback(BaseModel):
    amount: Money = Field(gt=0)
    reason: str = Field(min_length=1)
    raised_on: date | None = None


class Repayment(BaseModel):
    """Money the recipient paid back against the award's clawbacks."""

    amount: Money = Field(gt=0)
    reference: str = Field(min_length=1)  # remittance advice, receipt or bank reference
    repaid_on: date | None = None  # default: today


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AwardRecorded)
async def post_award(
    partnership_id: str,
    body: AwardFunding,
    principal: Commissioner,
    runtime: RuntimeDep,
    response: Response,
) -> AwardRecorded:
    """Award directly from a fund or pot, within its headroom (grant, contract, agreement)."""
    award_id = f"award-{uuid4()}"
    stored = await command(
        runtime, principal, body.fund_id, lambda f: award(existing(f, body.fund_id), body, award_id)
    )
    response.headers["Location"] = f"/partnerships/{partnership_id}/awards/{award_id}"
    made = stored[0]
    return AwardRecorded(
        award_id=award_id,
        event_id=made.event_id,
        position=made.position,
        stream_version=made.stream_version,
    )


@router.get("", response_model=AwardPage)
async def get_awards(
    partnership_id: str, principal: Member, runtime: RuntimeDep, page: PageDep
) -> AwardPage:
    """The partnership's awards; a recipient sees only its own."""
    mine = awards.c.partnership_id == partnership_id
    if principal.role not in OVERSIGHT:
        mine = mine & (awards.c.recipient_organisation_id == principal.organisation_id)
    async with runtime.engine.connect() as connection:
        conn = await directory(connection)
        total = await conn.scalar(select(func.count()).select_from(awards).where(mine))
        rows = await conn.execute(
            select(awards)
            .where(mine)
            .order_by(awards.c.award_date, awards.c.award_id)
            .limit(page.limit)
            .offset(page.offset)
        )
        items = [AwardSummary.model_validate(dict(r._mapping)) for r in rows]
    return AwardPage(items=items, total=int(total or 0), limit=page.limit, offset=page.offset)


async def _view(runtime: ServiceRuntime, principal: Principal, award_id: str) -> AwardView:
    async with runtime.engine.connect() as conn:
        try:
            fund_id = await fund_of_award(conn, principal.partnership_id, award_id)
            stream = await runtime.store.read_stream(conn, fund_id)
            fund = existing(
                await load_fund(conn, runtime.store, principal.partnership_id, fund_id), fund_id
            )
        except NotFoundError as error:
            raise refused(error) from error
    state = fund.awards[award_id]
    if (
        principal.role not in OVERSIGHT
        and principal.organisation_id != state.recipient_organisation_id
    ):
        # Another recipient's award is reported as unknown: its id must not leak.
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            detail=f"no award {award_id!r} in partnership {principal.partnership_id!r}",
        )
    return AwardView(
        award_id=award_id,
        fund_id=fund_id,
        pot_id=state.pot_id,
        recipient_organisation_id=state.recipient_organisation_id,
        amount=state.amount,
        paid=state.paid,
        clawed_back=state.clawed_back,
        repaid=state.repaid,
        clawback_outstanding=state.clawback_outstanding,
        released_to_fund=state.given_back,
        suspended=state.suspended,
        instalments=[
            InstalmentView(
                **i.model_dump(),
                status="paid"
                if n in state.released
                else "cancelled"
                if n in state.cancelled
                else "scheduled",
            )
            for n, i in sorted(state.instalments.items())
        ],
        funded_by=[ShareView.model_validate(vars(p)) for _, p in sorted(state.shares.items())],
        events=award_events(stream, award_id),
    )


@router.get(
    "/{award_id}",
    response_model=AwardView,
    responses={404: {"description": "no such award in this partnership (for this caller)"}},
)
async def get_award(
    partnership_id: str, award_id: str, principal: Member, runtime: RuntimeDep
) -> AwardView:
    """An award's instalments, payments and history; a recipient sees only its own awards."""
    return await _view(runtime, principal, award_id)


async def on_award(
    runtime: ServiceRuntime,
    principal: Commissioner,
    award_id: str,
    decide: Callable[[Fund], list[DomainEvent]],
) -> Recorded:
    """Run a decision on the fund holding the award."""
    async with runtime.engine.connect() as conn:
        try:
            fund_id = await fund_of_award(conn, principal.partnership_id, award_id)
        except NotFoundError as error:
            raise refused(error) from error
    return recorded(
        await command(runtime, principal, fund_id, lambda f: decide(existing(f, fund_id)))
    )


@router.post(
    "/{award_id}/instalments/{number}/release",
    status_code=status.HTTP_201_CREATED,
    response_model=Recorded,
)
async def post_release(
    partnership_id: str,
    award_id: str,
    number: int,
    body: Release,
    principal: Commissioner,
    runtime: RuntimeDep,
) -> Recorded:
    """Pay a due instalment unless payments are suspended or its KPI return is missing."""
    today = body.released_on or datetime.now(UTC).date()
    return await on_award(
        runtime,
        principal,
        award_id,
        lambda fund: release_payment(fund, award_id, number, today),
    )


@router.post("/{award_id}/clawbacks", status_code=status.HTTP_201_CREATED, response_model=Recorded)
async def post_clawback(
    partnership_id: str, award_id: str, body: Clawback, principal: Commissioner, runtime: RuntimeDep
) -> Recorded:
    """Require the recipient to repay part of what it was paid."""
    on = body.raised_on or datetime.now(UTC).date()
    return await on_award(
        runtime,
        principal,
        award_id,
        lambda fund: raise_clawback(fund, award_id, body.amount, body.reason, on),
    )


@router.post(
    "/{award_id}/repayments",
    status_code=status.HTTP_201_CREATED,
    response_model=Recorded,
    responses={409: {"description": "more than the award's outstanding clawback"}},
)
async def post_repayment(
    partnership_id: str,
    award_id: str,
    body: Repayment,
    principal: Commissioner,
    runtime: RuntimeDep,
) -> Recorded:
    """Record a recipient's repayment of a clawback; the money is available in the fund again."""
    on = body.repaid_on or datetime.now(UTC).date()
    return await on_award(
        runtime,
        principal,
        award_id,
        lambda fund: repay_clawback(fund, award_id, body.amount, body.reference, on),
    )
