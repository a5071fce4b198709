"""How each event changes the read model: one rule per event type, from the event alone."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.applications.domain.applications import Status
from services.applications.domain.decisions import mean_of
from services.applications.projections.tables import (
    accreditations,
    application_scores,
    applications,
    ballot_voters,
    ballots,
    drafts,
    organisations,
    rounds,
    schemes,
    users,
)
from shared.contracts.applications import (
    ApplicationApproved,
    ApplicationDrafted,
    ApplicationDraftUpdated,
    ApplicationFundingBlocked,
    ApplicationRejected,
    ApplicationScored,
    ApplicationScreened,
    ApplicationSubmitted,
    ApplicationWithdrawn,
    AssessorsAssigned,
    BallotClosed,
    BallotOpened,
    ConflictOfInterestDeclared,
    DecisionMode,
    OrganisationRegistered,
    ProviderAccreditationRevoked,
    ProviderAccredited,
    RoundClosed,
    RoundOpened,
    SchemeLaunched,
    UserDeactivated,
    UserRegistered,
    VoteCast,
)
from shared.contracts.base import DomainEvent

Rule = Callable[[AsyncConnection, str, Any], Awaitable[None]]
RULES: dict[str, Rule] = {}
R = TypeVar("R", bound=Rule)


def on(*kinds: type[DomainEvent]) -> Callable[[R], R]:
    """Register a rule for events of these types."""

    def register(rule: R) -> R:
        for kind in kinds:
            RULES[kind.event_type] = rule
        return rule

    return register


@on(OrganisationRegistered)
async def on_organisation_registered(
    conn: AsyncConnection, pid: str, event: OrganisationRegistered
) -> None:
    await conn.execute(
        insert(organisations).values(
            partnership_id=pid,
            organisation_id=event.organisation_id,
            name=event.name,
            kind=event.kind.value,
            is_public_body=event.is_public_body,
        )
    )


@on(UserRegistered)
async def on_user_registered(conn: AsyncConnection, pid: str, event: UserRegistered) -> None:
    values = {
        "organisation_id": event.organisation_id,
        "display_name": event.display_name,
        "roles": [r.value for r in event.roles],
        "active": True,
    }
    statement = insert(users).values(partnership_id=pid, user_id=event.user_id, **values)
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[users.c.partnership_id, users.c.user_id], set_=values
        )
    )


@on(UserDeactivated)
async def on_user_deactivated(conn: AsyncConnection, pid: str, event: UserDeactivated) -> None:
    await conn.execute(
        update(users)
        .where(users.c.partnership_id == pid, users.c.user_id == event.user_id)
        .values(active=False)
    )


@on(SchemeLaunched)
async def on_scheme_launched(conn: AsyncConnection, pid: str, event: SchemeLaunched) -> None:
    await conn.execute(
        insert(schemes).values(
            partnership_id=pid,
            scheme_id=event.scheme_id,
            name=event.name,
            mechanism=event.mechanism.value,
            fund_id=event.fund_id,
            pot_id=event.pot_id,
            decision_mode=event.decision_mode.value,
        )
    )


@on(RoundOpened)
async def on_round_opened(conn: AsyncConnection, pid: str, event: RoundOpened) -> None:
    scheme = (
        await conn.execute(
            select(schemes.c.mechanism, schemes.c.fund_id, schemes.c.decision_mode).where(
                schemes.c.partnership_id == pid, schemes.c.scheme_id == event.scheme_id
            )
        )
    ).one()
    await conn.execute(
        insert(rounds).values(
            round_id=event.round_id,
            partnership_id=pid,
            scheme_id=event.scheme_id,
            name=event.name,
            mechanism=scheme.mechanism,
            fund_id=scheme.fund_id,
            decision_mode=scheme.decision_mode,
            opens_on=event.opens_on,
            closes_on=event.closes_on,
        )
    )


@on(RoundClosed)
async def on_round_closed(conn: AsyncConnection, pid: str, event: RoundClosed) -> None:
    await conn.execute(
        update(rounds).where(rounds.c.round_id == event.round_id).values(closed_on=event.closed_on)
    )


@on(AssessorsAssigned)
async def on_assessors_assigned(conn: AsyncConnection, pid: str, event: AssessorsAssigned) -> None:
    await conn.execute(
        update(rounds)
        .where(rounds.c.round_id == event.round_id)
        .values(assessor_ids=list(event.assessor_ids))
    )


@on(ApplicationDrafted)
async def on_application_drafted(
    conn: AsyncConnection, pid: str, event: ApplicationDrafted
) -> None:
    await conn.execute(
        insert(drafts).values(
            application_id=event.application_id,
            partnership_id=pid,
            round_id=event.round_id,
            organisation_id=event.organisation_id,
            title=event.content.title,
            amount=event.content.amount,
            saved_at=event.saved_at,
        )
    )


@on(ApplicationDraftUpdated)
async def on_draft_updated(conn: AsyncConnection, pid: str, event: ApplicationDraftUpdated) -> None:
    await conn.execute(
        update(drafts)
        .where(drafts.c.application_id == event.application_id)
        .values(title=event.content.title, amount=event.content.amount, saved_at=event.saved_at)
    )


@on(ApplicationSubmitted)
async def on_submitted(conn: AsyncConnection, pid: str, event: ApplicationSubmitted) -> None:
    await conn.execute(delete(drafts).where(drafts.c.application_id == event.application_id))
    await conn.execute(
        insert(applications).values(
            application_id=event.application_id,
            partnership_id=pid,
            round_id=event.round_id,
            organisation_id=event.organisation_id,
            organisation_name=event.organisation_name,
            title=event.title,
            amount=event.amount,
            decision_mode=event.decision_mode.value,
            status=Status.SUBMITTED.value,
            submitted_at=event.submitted_at,
            conflicted_assessors=[],
        )
    )


async def _set(conn: AsyncConnection, application_id: str, **values: object) -> None:
    await conn.execute(
        update(applications).where(applications.c.application_id == application_id).values(values)
    )


@on(ApplicationScreened)
async def on_screened(conn: AsyncConnection, pid: str, event: ApplicationScreened) -> None:
    mode = await conn.scalar(
        select(applications.c.decision_mode).where(
            applications.c.application_id == event.application_id
        )
    )
    if not event.eligible:
        status = Status.INELIGIBLE
    elif mode == DecisionMode.PUBLIC_VOTE.value:
        status = Status.ON_BALLOT
    else:
        status = Status.UNDER_ASSESSMENT
    await _set(conn, event.application_id, status=status.value)


@on(ConflictOfInterestDeclared)
async def on_conflict_declared(
    conn: AsyncConnection, pid: str, event: ConflictOfInterestDeclared
) -> None:
    if event.has_conflict:
        appended = func.array_append(applications.c.conflicted_assessors, event.assessor_id)
        await _set(conn, event.application_id, conflicted_assessors=appended)


@on(ApplicationScored)
async def on_scored(conn: AsyncConnection, pid: str, event: ApplicationScored) -> None:
    await conn.execute(
        insert(application_scores).values(
            application_id=event.application_id,
            assessor_id=event.assessor_id,
            weighted_total=event.weighted_total,
        )
    )
    totals = await conn.scalars(
        select(application_scores.c.weighted_total).where(
            application_scores.c.application_id == event.application_id
        )
    )
    # The same arithmetic as the application's own view (decisions.mean_score).
    mean = mean_of(list(totals))
    await _set(conn, event.application_id, status=Status.SCORED.value, mean_score=mean)


_FINAL = {
    ApplicationApproved.event_type: Status.APPROVED,
    ApplicationRejected.event_type: Status.REJECTED,
    ApplicationWithdrawn.event_type: Status.WITHDRAWN,
}


@on(ApplicationApproved, ApplicationRejected, ApplicationWithdrawn)
async def on_decided(
    conn: AsyncConnection,
    pid: str,
    event: ApplicationApproved | ApplicationRejected | ApplicationWithdrawn,
) -> None:
    await _set(conn, event.application_id, status=_FINAL[event.event_type].value)


@on(ApplicationFundingBlocked)
async def on_blocked(conn: AsyncConnection, pid: str, event: ApplicationFundingBlocked) -> None:
    await _set(conn, event.application_id, status=Status.BLOCKED.value, blocked_reason=event.reason)


@on(BallotOpened)
async def on_ballot_opened(conn: AsyncConnection, pid: str, event: BallotOpened) -> None:
    await conn.execute(
        insert(ballots).values(
            round_id=event.round_id,
            partnership_id=pid,
            closed=False,
            candidates=" ".join(c.application_id for c in event.candidates),
        )
    )


@on(VoteCast)
async def on_vote_cast(conn: AsyncConnection, pid: str, event: VoteCast) -> None:
    # Live, the vote handler claimed the voter already (the one-vote rule); a replay claims here.
    await conn.execute(
        insert(ballot_voters)
        .values(round_id=event.round_id, voter_hash=event.voter_hash)
        .on_conflict_do_nothing()
    )


@on(BallotClosed)
async def on_ballot_closed(conn: AsyncConnection, pid: str, event: BallotClosed) -> None:
    await conn.execute(
        update(ballots).where(ballots.c.round_id == event.round_id).values(closed=True)
    )


@on(ProviderAccredited)
async def on_accredited(conn: AsyncConnection, pid: str, event: ProviderAccredited) -> None:
    values = {
        "organisation_name": event.organisation_name,
        "unit_price": event.unit_price,
        "active": True,
        "accredited_on": event.accredited_on,
        "revoked_on": None,
    }
    statement = insert(accreditations).values(
        partnership_id=pid,
        organisation_id=event.organisation_id,
        service_category=event.service_category,
        **values,
    )
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[
                accreditations.c.partnership_id,
                accreditations.c.organisation_id,
                accreditations.c.service_category,
            ],
            set_=values,
        )
    )


@on(ProviderAccreditationRevoked)
async def on_revoked(conn: AsyncConnection, pid: str, event: ProviderAccreditationRevoked) -> None:
    await conn.execute(
        update(accreditations)
        .where(
            accreditations.c.partnership_id == pid,
            accreditations.c.organisation_id == event.organisation_id,
            accreditations.c.service_category == event.service_category,
        )
        .values(active=False, revoked_on=event.revoked_on)
    )
