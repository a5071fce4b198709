"""The application: submitted → screened → under assessment → scored → decided (DESIGN.md §2)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from services.applications.domain.eligibility import (
    SUBMISSION_RULES,
    Proposal,
    eligibility_failures,
)
from services.applications.domain.errors import ConflictError, RuleViolationError
from services.applications.domain.schemes import Round, not_accepting
from shared.contracts.applications import (
    ApplicationApproved,
    ApplicationFundingBlocked,
    ApplicationRejected,
    ApplicationScored,
    ApplicationScreened,
    ApplicationSubmitted,
    ApplicationWithdrawn,
    ConflictOfInterestDeclared,
    DecisionMode,
    FailedRule,
    OrganisationRegistered,
    SchemeLaunched,
)
from shared.contracts.base import DomainEvent


class Status(StrEnum):
    """Where an application stands; `blocked` is approved but refused by funding."""

    SUBMITTED = "submitted"
    INELIGIBLE = "ineligible"
    UNDER_ASSESSMENT = "under_assessment"
    ON_BALLOT = "on_ballot"
    SCORED = "scored"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    BLOCKED = "blocked"


FINAL = frozenset({Status.APPROVED, Status.REJECTED, Status.WITHDRAWN, Status.BLOCKED})
ASSESSMENT = frozenset({Status.UNDER_ASSESSMENT, Status.SCORED})


@dataclass(frozen=True)
class Application:
    """An application folded from its stream."""

    submitted: ApplicationSubmitted
    status: Status = Status.SUBMITTED
    failed_rules: tuple[FailedRule, ...] = ()
    conflicts: Mapping[str, bool] = field(default_factory=dict)  # assessor -> has a conflict
    totals: Mapping[str, Decimal] = field(default_factory=dict)  # assessor -> weighted total
    blocked_reason: str | None = None

    @property
    def application_id(self) -> str:
        return self.submitted.application_id

    def may_be_scored_by(self, assessor_id: str) -> bool:
        """Whether the assessor may see and score it: in assessment and not conflicted."""
        return self.status in ASSESSMENT and not self.conflicts.get(assessor_id, False)


def application(events: Iterable[DomainEvent]) -> Application | None:
    """Fold an application's events into its current state."""
    state: Application | None = None
    for event in events:
        if isinstance(event, ApplicationSubmitted):
            state = Application(submitted=event)
        elif state is not None:
            state = _apply(state, event)
    return state


def _apply(state: Application, event: DomainEvent) -> Application:
    match event:
        case ApplicationScreened(eligible=False, failed_rules=failed):
            return replace(state, status=Status.INELIGIBLE, failed_rules=failed)
        case ApplicationScreened():
            voted = state.submitted.decision_mode is DecisionMode.PUBLIC_VOTE
            return replace(state, status=Status.ON_BALLOT if voted else Status.UNDER_ASSESSMENT)
        case ConflictOfInterestDeclared(assessor_id=assessor, has_conflict=conflicted):
            return replace(state, conflicts={**state.conflicts, assessor: conflicted})
        case ApplicationScored(assessor_id=assessor, weighted_total=total):
            return replace(state, status=Status.SCORED, totals={**state.totals, assessor: total})
        case ApplicationApproved():
            return replace(state, status=Status.APPROVED)
        case ApplicationRejected():
            return replace(state, status=Status.REJECTED)
        case ApplicationWithdrawn():
            return replace(state, status=Status.WITHDRAWN)
        case ApplicationFundingBlocked(reason=reason):
            return replace(state, status=Status.BLOCKED, blocked_reason=reason)
    return state


def proposal_of(submitted: ApplicationSubmitted) -> Proposal:
    """The facts eligibility is judged on."""
    return Proposal(
        organisation_kind=submitted.organisation_kind,
        is_public_body=submitted.is_public_body,
        amount=submitted.amount,
        start_date=submitted.start_date,
        end_date=submitted.end_date,
        plan_priorities=submitted.plan_priorities,
    )


@dataclass(frozen=True)
class Draft:
    """What the applicant writes; the rest of `ApplicationSubmitted` comes from the registry."""

    title: str
    description: str
    amount: Decimal
    start_date: date
    end_date: date
    plan_priorities: tuple[str, ...] = ()
    beneficiary_location: str | None = None


def submit(
    application_id: str,
    current_round: Round,
    launched: SchemeLaunched,
    applicant: OrganisationRegistered,
    draft: Draft,
    priorities: tuple[str, ...],
    now: datetime,
) -> ApplicationSubmitted:
    """Submit to an open round; refuse, naming each, the rules that rule it out at once."""
    event = ApplicationSubmitted(
        application_id=application_id,
        round_id=current_round.opened.round_id,
        scheme_id=launched.scheme_id,
        organisation_id=applicant.organisation_id,
        organisation_name=applicant.name,
        organisation_kind=applicant.kind,
        is_public_body=applicant.is_public_body,
        title=draft.title,
        description=draft.description,
        amount=draft.amount,
        start_date=draft.start_date,
        end_date=draft.end_date,
        plan_priorities=draft.plan_priorities,
        beneficiary_location=draft.beneficiary_location,
        decision_mode=launched.decision_mode,
        submitted_at=now,
    )
    closed = not_accepting(current_round, now.date())
    failures = [closed] if closed else []
    failures += [
        f
        for f in eligibility_failures(launched, proposal_of(event), priorities)
        if f.rule in SUBMISSION_RULES
    ]
    if failures:
        raise RuleViolationError(failures)
    return event


def _require(state: Application, allowed: Iterable[Status], doing: str) -> None:
    if state.status not in allowed:
        raise ConflictError(f"application {state.application_id} is {state.status}: cannot {doing}")


def screen(
    state: Application,
    launched: SchemeLaunched,
    priorities: tuple[str, ...],
    other_failures: Sequence[str] = (),
) -> ApplicationScreened:
    """Check every rule of the scheme (and the screener's own findings) and name each failure."""
    _require(state, {Status.SUBMITTED}, "screen it again")
    failed = eligibility_failures(launched, proposal_of(state.submitted), priorities)
    failed += [FailedRule(rule="screener", reason=reason) for reason in other_failures]
    return ApplicationScreened(
        application_id=state.application_id, eligible=not failed, failed_rules=tuple(failed)
    )


def reject(state: Application, decision_reference: str, reason: str) -> ApplicationRejected:
    """Reject an undecided application with a decision reference and a reason."""
    _require(state, set(Status) - FINAL, "reject it")
    return ApplicationRejected(
        application_id=state.application_id,
        round_id=state.submitted.round_id,
        decision_reference=decision_reference,
        reason=reason,
    )


def withdraw(state: Application, reason: str) -> ApplicationWithdrawn:
    """The applicant withdraws an undecided application."""
    _require(state, set(Status) - FINAL, "withdraw it")
    return ApplicationWithdrawn(
        application_id=state.application_id, round_id=state.submitted.round_id, reason=reason
    )


def block(
    state: Application, reason: str, award_blocked_event_id: str
) -> ApplicationFundingBlocked:
    """Funding refused to award the approved application: show it blocked, with the reason."""
    _require(state, {Status.APPROVED}, "mark it blocked by funding")
    return ApplicationFundingBlocked(
        application_id=state.application_id,
        reason=reason,
        award_blocked_event_id=award_blocked_event_id,
    )
