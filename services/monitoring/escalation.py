"""The escalation ladder and decommissioning. Pure: no I/O, no clock.

Dorset (commissioning overview 2019, §4.3): a service not meeting its specification is raised
with the provider "informally first, and then formally"; "should further consideration and action
be necessary, the matter will be escalated to the PCC"; §4.5: a new specification (here, an
improvement plan) brought it back on track. Wiltshire ("Decommissioning of Services"): before
deciding, the PCC considers "the last governance and performance monitoring report".
"""

from __future__ import annotations

from datetime import date

from services.monitoring.domain import (
    Concern,
    ConcernStage,
    ConflictError,
    InvalidCommandError,
    MonitoredService,
)
from shared.contracts.monitoring import (
    ConcernRaised,
    ConcernResolved,
    EscalatedToCommissioner,
    FormalNoticeIssued,
    ImprovementPlanAgreed,
    ServiceDecommissioned,
)

Stage = ConcernStage


def _open(service: MonitoredService, step: str, allowed: tuple[ConcernStage, ...]) -> Concern:
    """The open concern, if it stands on a rung from which `step` may be taken."""
    concern = service.open_concern
    if concern is None:
        raise ConflictError(f"service {service.service_id} has no open concern to {step}")
    if concern.stage not in allowed:
        raise ConflictError(
            f"concern {concern.concern_id} is at stage {concern.stage.value!r}: cannot {step} "
            f"(only from {' or '.join(repr(s.value) for s in allowed)})"
        )
    return concern


def raise_concern(
    service: MonitoredService, concern_id: str, reason: str, by: str, today: date
) -> ConcernRaised:
    """Raise a concern informally with the provider; one open concern per service."""
    if service.decommissioned is not None:
        raise ConflictError(f"service {service.service_id} was decommissioned")
    if (open_concern := service.open_concern) is not None:
        raise ConflictError(
            f"concern {open_concern.concern_id} is still open ({open_concern.stage.value}): "
            "take it up the ladder instead of raising another"
        )
    return ConcernRaised(
        concern_id=concern_id,
        service_id=service.service_id,
        award_id=service.plan.award_id,
        reason=reason,
        raised_on=today,
        raised_by=by,
    )


def issue_formal_notice(
    service: MonitoredService, reason: str, by: str, today: date
) -> FormalNoticeIssued:
    """Make the informal concern formal; funding suspends the service's payments."""
    concern = _open(service, "issue a formal notice", (Stage.RAISED,))
    return FormalNoticeIssued(
        concern_id=concern.concern_id,
        service_id=service.service_id,
        award_id=service.plan.award_id,
        reason=reason,
        issued_on=today,
        issued_by=by,
    )


def escalate(
    service: MonitoredService, reason: str, by: str, today: date
) -> EscalatedToCommissioner:
    """Escalate a formal concern to the Police and Crime Commissioner."""
    concern = _open(service, "escalate to the commissioner", (Stage.FORMAL_NOTICE,))
    return EscalatedToCommissioner(
        concern_id=concern.concern_id,
        service_id=service.service_id,
        award_id=service.plan.award_id,
        reason=reason,
        escalated_on=today,
        escalated_by=by,
    )


def agree_improvement_plan(
    service: MonitoredService, summary: str, review_on: date, by: str, today: date
) -> ImprovementPlanAgreed:
    """Record the improvement plan agreed for a formal or escalated concern."""
    concern = _open(service, "agree an improvement plan", (Stage.FORMAL_NOTICE, Stage.ESCALATED))
    if review_on <= today:
        raise InvalidCommandError([f"review date {review_on} must be after today ({today})"])
    return ImprovementPlanAgreed(
        concern_id=concern.concern_id,
        service_id=service.service_id,
        award_id=service.plan.award_id,
        summary=summary,
        review_on=review_on,
        agreed_on=today,
        agreed_by=by,
    )


def resolve_concern(
    service: MonitoredService, outcome: str, by: str, today: date
) -> ConcernResolved:
    """Close the open concern at whatever rung it stands; payments resume in funding."""
    concern = _open(service, "resolve", tuple(s for s in Stage if s is not Stage.RESOLVED))
    return ConcernResolved(
        concern_id=concern.concern_id,
        service_id=service.service_id,
        award_id=service.plan.award_id,
        outcome=outcome,
        resolved_on=today,
        resolved_by=by,
    )


def decommission(
    service: MonitoredService,
    reason: str,
    effective_date: date,
    decision_reference: str,
    last_report_considered: str,
) -> ServiceDecommissioned:
    """End the service, provided the decision references its last monitoring report."""
    if service.decommissioned is not None:
        raise ConflictError(
            f"service {service.service_id} was already decommissioned "
            f"({service.decommissioned.decision_reference})"
        )
    latest = service.latest_return
    if latest is None:
        raise ConflictError(
            f"service {service.service_id} has no monitoring report yet: the decision must "
            "consider the last one, so a return is needed first"
        )
    if last_report_considered != latest.return_id:
        raise ConflictError(
            f"the decision must consider the last monitoring report, {latest.return_id} "
            f"(period {latest.figures.period_start} to {latest.figures.period_end}), "
            f"not {last_report_considered!r}"
        )
    if effective_date < service.plan.start_date:
        raise InvalidCommandError(
            [
                f"effective date {effective_date} is before the service began "
                f"({service.plan.start_date})"
            ]
        )
    return ServiceDecommissioned(
        service_id=service.service_id,
        award_id=service.plan.award_id,
        reason=reason,
        effective_date=effective_date,
        decision_reference=decision_reference,
        last_report_considered=last_report_considered,
    )
