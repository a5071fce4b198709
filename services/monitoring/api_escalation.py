"""Monitoring's HTTP API for the escalation ladder and decommissioning (commissioners only)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import uuid4

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from services.monitoring import escalation
from services.monitoring.api_returns import Recorded, recorded
from services.monitoring.api_support import Commissioner, Now, http_error
from services.monitoring.domain import ConflictError, MonitoredService, MonitoringError
from services.monitoring.handlers import actor_of, execute
from shared.api import RuntimeDep
from shared.auth import Principal
from shared.contracts.base import DomainEvent
from shared.runtime import ServiceRuntime

router = APIRouter(
    prefix="/partnerships/{partnership_id}/monitoring/services/{service_id}", tags=["escalation"]
)
CONCERN = "/concerns/{concern_id}"
CREATED = status.HTTP_201_CREATED


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Why(_Body):
    """Why this step is taken."""

    reason: str = Field(min_length=1)


class ImprovementPlan(_Body):
    """What was agreed with the provider and when it is reviewed."""

    summary: str = Field(min_length=1)
    review_on: date


class Resolution(_Body):
    """How the concern ended."""

    outcome: str = Field(min_length=1)


class Decommissioning(_Body):
    """The decision to end the service (Wiltshire strategy: it must consider the last report)."""

    reason: str = Field(min_length=1)
    effective_date: date
    decision_reference: str = Field(min_length=1)
    last_report_considered: str = Field(min_length=1)


async def _run(
    runtime: ServiceRuntime,
    partnership_id: str,
    service_id: str,
    principal: Principal,
    now: Now,
    decide: Callable[[MonitoredService], DomainEvent],
) -> Recorded:
    try:
        outcome = await execute(
            runtime.engine,
            runtime.store,
            partnership_id,
            service_id,
            lambda s: [decide(s)],
            actor_of(principal),
            now,
        )
    except MonitoringError as error:
        raise http_error(error) from error
    return Recorded(**recorded(outcome))


def _on(
    concern_id: str, step: Callable[[MonitoredService], DomainEvent]
) -> Callable[[MonitoredService], DomainEvent]:
    """`step`, provided `concern_id` is the service's open concern."""

    def checked(service: MonitoredService) -> DomainEvent:
        concern = service.open_concern
        if concern is None or concern.concern_id != concern_id:
            raise ConflictError(f"concern {concern_id!r} is not open on {service.service_id}")
        return step(service)

    return checked


@router.post("/concerns", status_code=CREATED, response_model=Recorded)
async def post_concern(
    partnership_id: str,
    service_id: str,
    body: Why,
    principal: Commissioner,
    runtime: RuntimeDep,
    now: Now,
) -> Recorded:
    """Raise a concern informally with the provider (the ladder's first rung)."""
    concern_id = f"concern-{uuid4()}"
    return await _run(
        runtime,
        partnership_id,
        service_id,
        principal,
        now,
        lambda s: escalation.raise_concern(
            s, concern_id, body.reason, principal.user_id, now.date()
        ),
    )


@router.post(CONCERN + "/formal-notice", status_code=CREATED, response_model=Recorded)
async def post_formal_notice(
    partnership_id: str,
    service_id: str,
    concern_id: str,
    body: Why,
    principal: Commissioner,
    runtime: RuntimeDep,
    now: Now,
) -> Recorded:
    """Make the concern formal; funding suspends the service's payments."""
    step = _on(
        concern_id,
        lambda s: escalation.issue_formal_notice(s, body.reason, principal.user_id, now.date()),
    )
    return await _run(runtime, partnership_id, service_id, principal, now, step)


@router.post(CONCERN + "/escalation", status_code=CREATED, response_model=Recorded)
async def post_escalation(
    partnership_id: str,
    service_id: str,
    concern_id: str,
    body: Why,
    principal: Commissioner,
    runtime: RuntimeDep,
    now: Now,
) -> Recorded:
    """Escalate the formal concern to the Police and Crime Commissioner."""
    step = _on(
        concern_id, lambda s: escalation.escalate(s, body.reason, principal.user_id, now.date())
    )
    return await _run(runtime, partnership_id, service_id, principal, now, step)


@router.post(CONCERN + "/improvement-plan", status_code=CREATED, response_model=Recorded)
async def post_improvement_plan(
    partnership_id: str,
    service_id: str,
    concern_id: str,
    body: ImprovementPlan,
    principal: Commissioner,
    runtime: RuntimeDep,
    now: Now,
) -> Recorded:
    """Record the improvement plan agreed with the provider."""
    step = _on(
        concern_id,
        lambda s: escalation.agree_improvement_plan(
            s, body.summary, body.review_on, principal.user_id, now.date()
        ),
    )
    return await _run(runtime, partnership_id, service_id, principal, now, step)


@router.post(CONCERN + "/resolution", status_code=CREATED, response_model=Recorded)
async def post_resolution(
    partnership_id: str,
    service_id: str,
    concern_id: str,
    body: Resolution,
    principal: Commissioner,
    runtime: RuntimeDep,
    now: Now,
) -> Recorded:
    """Close the concern; funding resumes payments a formal notice suspended."""
    step = _on(
        concern_id,
        lambda s: escalation.resolve_concern(s, body.outcome, principal.user_id, now.date()),
    )
    return await _run(runtime, partnership_id, service_id, principal, now, step)


@router.post("/decommissioning", status_code=CREATED, response_model=Recorded)
async def post_decommissioning(
    partnership_id: str,
    service_id: str,
    body: Decommissioning,
    principal: Commissioner,
    runtime: RuntimeDep,
    now: Now,
) -> Recorded:
    """Decommission the service; refused unless the decision references its last report."""
    return await _run(
        runtime,
        partnership_id,
        service_id,
        principal,
        now,
        lambda s: escalation.decommission(
            s,
            body.reason,
            body.effective_date,
            body.decision_reference,
            body.last_report_considered,
        ),
    )
