"""Assessment and approval: conflicts of interest, weighted scores, ranking, decisions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from services.applications.domain.applications import ASSESSMENT, Application, Status
from services.applications.domain.errors import ConflictError, ForbiddenError, RuleViolationError
from shared.contracts.applications import (
    ApplicationApproved,
    ApplicationRejected,
    ApplicationScored,
    BallotClosed,
    ConflictOfInterestDeclared,
    CriterionScore,
    DecisionMode,
    FailedRule,
    SchemeLaunched,
)


def declare_conflict(
    state: Application, assessor_id: str, has_conflict: bool, details: str
) -> ConflictOfInterestDeclared:
    """An assessor declares a conflict of interest in the application, or declares none."""
    if state.status not in ASSESSMENT:
        raise ConflictError(f"application {state.application_id} is {state.status}, not assessed")
    if assessor_id in state.conflicts:
        raise ConflictError(
            f"assessor {assessor_id} already declared on application {state.application_id}"
        )
    if has_conflict and not details.strip():
        raise RuleViolationError.single("details", "a declared conflict must say what it is")
    return ConflictOfInterestDeclared(
        application_id=state.application_id,
        assessor_id=assessor_id,
        has_conflict=has_conflict,
        details=details,
    )


def weighted_total(launched: SchemeLaunched, scores: Mapping[str, int]) -> Decimal:
    """Sum of weight × score/max over the criteria, as a percentage of the total weight."""
    weights = sum((c.weight for c in launched.criteria), start=Decimal(0))
    earned = sum(
        (c.weight * Decimal(scores[c.name]) / c.max_score for c in launched.criteria),
        start=Decimal(0),
    )
    return (earned * 100 / weights).quantize(Decimal("0.01"))


def score(
    state: Application,
    launched: SchemeLaunched,
    assessor_id: str,
    scores: Mapping[str, int],
    comment: str = "",
) -> ApplicationScored:
    """Score every criterion, once per assessor, only after declaring no conflict."""
    if state.status not in ASSESSMENT:
        raise ConflictError(f"application {state.application_id} is {state.status}, not assessed")
    declared = state.conflicts.get(assessor_id)
    if declared is None:
        raise ForbiddenError(
            f"assessor {assessor_id} must declare any conflict of interest in application "
            f"{state.application_id} before scoring it"
        )
    if declared:
        raise ForbiddenError(
            f"assessor {assessor_id} declared a conflict of interest in application "
            f"{state.application_id} and may not score it"
        )
    if assessor_id in state.totals:
        raise ConflictError(f"assessor {assessor_id} already scored {state.application_id}")
    failures = [
        FailedRule(rule="scores", reason=f"no score for criterion {c.name!r}")
        for c in launched.criteria
        if c.name not in scores
    ]
    known = {c.name: c for c in launched.criteria}
    for name, value in scores.items():
        if name not in known:
            failures.append(FailedRule(rule="scores", reason=f"{name!r} is not a criterion"))
        elif not 0 <= value <= known[name].max_score:
            failures.append(
                FailedRule(
                    rule="scores",
                    reason=f"{name!r} scored {value}, outside 0..{known[name].max_score}",
                )
            )
    if failures:
        raise RuleViolationError(failures)
    return ApplicationScored(
        application_id=state.application_id,
        assessor_id=assessor_id,
        scores=tuple(
            CriterionScore(criterion=c.name, score=scores[c.name]) for c in launched.criteria
        ),
        weighted_total=weighted_total(launched, scores),
        comment=comment,
    )


def mean_score(state: Application) -> Decimal | None:
    """The mean of the assessors' weighted totals (None before any score)."""
    return mean_of(list(state.totals.values()))


def mean_of(totals: Sequence[Decimal]) -> Decimal | None:
    """The mean of weighted totals to the hundredth (None for none)."""
    if not totals:
        return None
    return (sum(totals, start=Decimal(0)) / len(totals)).quantize(Decimal("0.01"))


def rank(applications: Sequence[Application]) -> list[Application]:
    """Scored applications, best mean score first; ties go to the earlier submission."""
    scored = [a for a in applications if a.totals]
    return sorted(
        scored, key=lambda a: (-(mean_score(a) or 0), a.submitted.submitted_at, a.application_id)
    )


def approved(
    state: Application, launched: SchemeLaunched, decision_reference: str, reason: str
) -> ApplicationApproved:
    """The approval funding awards: every field it needs, from the application and scheme."""
    s = state.submitted
    return ApplicationApproved(
        application_id=s.application_id,
        round_id=s.round_id,
        scheme_id=s.scheme_id,
        fund_id=launched.fund_id,
        pot_id=launched.pot_id,
        mechanism=launched.mechanism,
        applicant_organisation_id=s.organisation_id,
        applicant_name=s.organisation_name,
        applicant_is_public_body=s.is_public_body,
        title=s.title,
        description=s.description,
        amount=s.amount,
        start_date=s.start_date,
        end_date=s.end_date,
        spend_category=launched.spend_category,
        decision_reference=decision_reference,
        reason=reason,
        beneficiary_location=s.beneficiary_location,
        plan_priorities=s.plan_priorities,
    )


def approve(
    state: Application, launched: SchemeLaunched, decision_reference: str, reason: str
) -> ApplicationApproved:
    """The commissioner approves a scored application of a panel scheme."""
    if launched.decision_mode is DecisionMode.PUBLIC_VOTE:
        raise ConflictError(
            f"scheme {launched.scheme_id} is decided by public vote: close its ballot instead"
        )
    if state.status is not Status.SCORED:
        raise ConflictError(
            f"application {state.application_id} is {state.status}: only a scored "
            "application can be approved"
        )
    return approved(state, launched, decision_reference, reason)


def decided_by_vote(
    state: Application, launched: SchemeLaunched, result: BallotClosed
) -> ApplicationApproved | ApplicationRejected:
    """A project on a closed ballot: approved if the public chose it, else rejected."""
    if state.status is not Status.ON_BALLOT:
        raise ConflictError(f"application {state.application_id} is {state.status}, not on ballot")
    votes = next(t.votes for t in result.tallies if t.application_id == state.application_id)
    if state.application_id in result.winners:
        reason = f"chosen by public vote ({votes} votes)"
        return approved(state, launched, result.decision_reference, reason)
    return ApplicationRejected(
        application_id=state.application_id,
        round_id=state.submitted.round_id,
        decision_reference=result.decision_reference,
        reason=f"not chosen by public vote ({votes} votes) within the budget and project cap",
    )
