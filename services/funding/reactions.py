"""Funding's reactions to other services' events: approvals become awards, concerns stop pay.

Each handler runs in the consumer's transaction, after the inbox has claimed the events, so a
redelivered event changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import cast

from sqlalchemy.ext.asyncio import AsyncConnection

from services.funding.awards import AwardFunding, award
from services.funding.domain import Fund, FundingError, HeadroomError, NotFoundError
from services.funding.handlers import Decide, execute, existing, fund_of_award
from services.funding.payments import (
    decommission,
    record_kpi_return,
    resume_payments,
    suspend_payments,
)
from shared.contracts.applications import ApplicationApproved
from shared.contracts.base import DomainEvent
from shared.contracts.funding import AwardBlocked
from shared.contracts.monitoring import (
    ConcernResolved,
    FormalNoticeIssued,
    KPIReturnSubmitted,
    ServiceDecommissioned,
)
from shared.eventstore.envelope import Actor, Envelope, NewEvent
from shared.eventstore.store import EventStore

log = logging.getLogger(__name__)
APPROVALS_CONSUMER = "funding.approvals"
MONITORING_CONSUMER = "funding.monitoring"
SYSTEM = Actor.system("funding")
STORE = EventStore("funding")


def award_id_for(application_id: str) -> str:
    """One award per application, whatever number of times its approval is delivered."""
    return f"award-{application_id}"


def command_from(approved: ApplicationApproved, envelope: Envelope) -> AwardFunding:
    return AwardFunding(
        application_id=approved.application_id,
        scheme_id=approved.scheme_id,
        fund_id=approved.fund_id,
        pot_id=approved.pot_id,
        mechanism=approved.mechanism,
        title=approved.title,
        description=approved.description,
        recipient_organisation_id=approved.applicant_organisation_id,
        recipient_name=approved.applicant_name,
        recipient_is_public_body=approved.applicant_is_public_body,
        amount=approved.amount,
        award_date=envelope.occurred_at.date(),
        start_date=approved.start_date,
        end_date=approved.end_date,
        spend_category=approved.spend_category,
        conditions=(f"Decision {approved.decision_reference}: {approved.reason}",),
        beneficiary_location=approved.beneficiary_location,
    )


async def on_application_approved(conn: AsyncConnection, envelopes: Sequence[Envelope]) -> None:
    """Award each approved application, or record why it could not be funded."""
    for envelope in envelopes:
        if envelope.event_type != ApplicationApproved.event_type:
            continue
        approved = cast(ApplicationApproved, envelope.event())
        await award_approved(conn, STORE, approved, envelope)


async def award_approved(
    conn: AsyncConnection, store: EventStore, approved: ApplicationApproved, envelope: Envelope
) -> list[Envelope]:
    """GrantAwarded / ContractAwarded with its schedule, else AwardBlocked with the reason."""
    award_id = award_id_for(approved.application_id)
    partnership, when = envelope.partnership_id, envelope.occurred_at

    def decide(fund: Fund | None) -> list[DomainEvent]:
        funded = existing(fund, approved.fund_id)
        if award_id in funded.awards:
            return []  # approved again (a second approval event): the award stands
        return award(funded, command_from(approved, envelope), award_id)

    try:
        return await execute(
            conn, store, partnership, approved.fund_id, decide, SYSTEM, when, envelope
        )
    except FundingError as refusal:
        blocked = AwardBlocked(
            application_id=approved.application_id,
            fund_id=approved.fund_id,
            pot_id=approved.pot_id,
            amount=approved.amount,
            reason=str(refusal),
            available=refusal.available if isinstance(refusal, HeadroomError) else None,
        )
        if isinstance(refusal, NotFoundError) and "no fund" in str(refusal):
            # No fund stream to record it on: the application's own stream holds the refusal.
            return await _append_alone(conn, store, blocked, envelope)
        return await execute(
            conn, store, partnership, approved.fund_id, lambda _: [blocked], SYSTEM, when, envelope
        )


async def _append_alone(
    conn: AsyncConnection, store: EventStore, blocked: AwardBlocked, envelope: Envelope
) -> list[Envelope]:
    return await store.append(
        conn,
        "blocked_application",
        f"application-{blocked.application_id}",
        [
            NewEvent(
                payload=blocked,
                partnership_id=envelope.partnership_id,
                actor=SYSTEM,
                occurred_at=envelope.occurred_at,
                causation_id=envelope.event_id,
                correlation_id=envelope.correlation_id,
            )
        ],
        expected_version=None,
    )


async def on_monitoring_event(conn: AsyncConnection, envelopes: Sequence[Envelope]) -> None:
    """Suspend and resume payments, give back on decommissioning, note results-based returns."""
    for envelope in envelopes:
        event = envelope.event()
        if not isinstance(
            event,
            FormalNoticeIssued | ConcernResolved | ServiceDecommissioned | KPIReturnSubmitted,
        ):
            continue
        try:
            fund_id = await fund_of_award(conn, envelope.partnership_id, event.award_id)
        except NotFoundError:
            log.warning("%s names award %s funding never made", envelope.event_type, event.award_id)
            continue
        await execute(
            conn,
            STORE,
            envelope.partnership_id,
            fund_id,
            _reaction(fund_id, event),
            SYSTEM,
            envelope.occurred_at,
            envelope,
        )


def _reaction(fund_id: str, event: DomainEvent) -> Decide:
    return lambda fund: _react(existing(fund, fund_id), event)


def _react(fund: Fund, event: DomainEvent) -> list[DomainEvent]:
    if isinstance(event, FormalNoticeIssued):
        return suspend_payments(
            fund, event.award_id, event.concern_id, event.reason, event.issued_on
        )
    if isinstance(event, ConcernResolved):
        return resume_payments(fund, event.award_id, event.concern_id, event.resolved_on)
    if isinstance(event, KPIReturnSubmitted):
        period = (event.period_start, event.period_end)
        return record_kpi_return(fund, event.award_id, event.return_id, period)
    assert isinstance(event, ServiceDecommissioned)
    reason = f"decommissioned ({event.decision_reference}): {event.reason}"
    return decommission(fund, event.award_id, event.effective_date, reason)
