"""Monitoring's HTTP API for returns: plans' KPIs, returns and amendments, the overdue check."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel, ConfigDict, Field

from services.monitoring.api_support import Commissioner, Now, Provider, http_error
from services.monitoring.domain import MonitoringError
from services.monitoring.handlers import Outcome, actor_of, execute, load_service
from services.monitoring.plans import agree_kpis
from services.monitoring.queries import reading, service_ids
from services.monitoring.returns import ReturnFigures, amend_return, overdue_returns, submit_return
from shared.api import RuntimeDep
from shared.contracts.monitoring import KPI, Rating, ReturnOverdue

router = APIRouter(prefix="/partnerships/{partnership_id}/monitoring", tags=["returns"])
SERVICE = "/services/{service_id}"


class RecordedEvent(BaseModel):
    """One stored event, as the store numbered it."""

    event_id: UUID
    event_type: str
    stream_version: int
    payload: dict[str, object]


class Recorded(BaseModel):
    """The events a command stored, in order."""

    service_id: str
    events: list[RecordedEvent]


class ReturnRecorded(Recorded):
    """A return (or amendment) stored and rated."""

    return_id: str
    rating: Rating


class Amendment(ReturnFigures):
    """Corrected figures for a period, and why they changed."""

    reason: str = Field(min_length=1)


class AgreedKPIs(BaseModel):
    """The service-specific KPIs and their targets per reporting period."""

    model_config = ConfigDict(extra="forbid")

    kpis: list[KPI]


class OverdueCheck(BaseModel):
    """The day to check on: the tests and the scheduler say which."""

    as_of: date


class OverdueFound(BaseModel):
    """The returns newly found overdue (none twice for the same period)."""

    as_of: date
    overdue: list[ReturnOverdue]


def recorded(outcome: Outcome) -> dict[str, object]:
    """The fields of `Recorded` for an outcome."""
    return {
        "service_id": outcome.service.service_id,
        "events": [
            RecordedEvent(
                event_id=e.event_id,
                event_type=e.event_type,
                stream_version=e.stream_version,
                payload=e.payload,
            )
            for e in outcome.stored
        ],
    }


def _return_recorded(outcome: Outcome) -> ReturnRecorded:
    rated = outcome.service.ratings[-1]
    return ReturnRecorded(**recorded(outcome), return_id=rated.return_id, rating=rated.rating)


@router.post(
    SERVICE + "/returns", status_code=status.HTTP_201_CREATED, response_model=ReturnRecorded
)
async def post_return(
    partnership_id: str,
    service_id: str,
    figures: ReturnFigures,
    principal: Provider,
    runtime: RuntimeDep,
    now: Now,
    response: Response,
) -> ReturnRecorded:
    """Submit the KPI return of one period of your own service; it is validated and rated."""
    try:
        outcome = await execute(
            runtime.engine,
            runtime.store,
            partnership_id,
            service_id,
            lambda s: submit_return(s, figures, principal.organisation_id, now.date()),
            actor_of(principal),
            now,
        )
    except MonitoringError as error:
        raise http_error(error) from error
    answer = _return_recorded(outcome)
    response.headers["Location"] = f"/partnerships/{partnership_id}/monitoring{SERVICE}".format(
        service_id=service_id
    )
    return answer


@router.post(
    SERVICE + "/returns/{period_start}/amendments",
    status_code=status.HTTP_201_CREATED,
    response_model=ReturnRecorded,
)
async def post_amendment(
    partnership_id: str,
    service_id: str,
    period_start: date,
    amendment: Amendment,
    principal: Provider,
    runtime: RuntimeDep,
    now: Now,
) -> ReturnRecorded:
    """Correct the return of a period, giving the reason; the corrected figures are rated."""
    if amendment.period_start != period_start:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=f"the body's period_start {amendment.period_start} is not the path's "
            f"{period_start}",
        )
    figures = ReturnFigures.model_validate(amendment.model_dump(exclude={"reason"}))
    try:
        outcome = await execute(
            runtime.engine,
            runtime.store,
            partnership_id,
            service_id,
            lambda s: amend_return(
                s, figures, amendment.reason, principal.organisation_id, now.date()
            ),
            actor_of(principal),
            now,
        )
    except MonitoringError as error:
        raise http_error(error) from error
    return _return_recorded(outcome)


@router.put(SERVICE + "/kpis", response_model=Recorded)
async def put_kpis(
    partnership_id: str,
    service_id: str,
    body: AgreedKPIs,
    principal: Commissioner,
    runtime: RuntimeDep,
    now: Now,
) -> Recorded:
    """Record the service-specific KPIs and targets agreed with the provider."""
    try:
        outcome = await execute(
            runtime.engine,
            runtime.store,
            partnership_id,
            service_id,
            lambda s: [agree_kpis(s, tuple(body.kpis), principal.user_id, now.date())],
            actor_of(principal),
            now,
        )
    except MonitoringError as error:
        raise http_error(error) from error
    return Recorded(**recorded(outcome))


@router.post("/overdue-check", response_model=OverdueFound)
async def post_overdue_check(
    partnership_id: str, check: OverdueCheck, principal: Commissioner, runtime: RuntimeDep, now: Now
) -> OverdueFound:
    """Record ReturnOverdue for every period past due date and grace with no return, once."""
    async with reading(runtime.engine) as conn:
        ids = await service_ids(conn, partnership_id)
    found: list[ReturnOverdue] = []
    for service_id in ids:
        # Cheap read first: most services have nothing overdue and need no transaction.
        service = await load_service(runtime.engine, runtime.store, partnership_id, service_id)
        if not overdue_returns(service, check.as_of):
            continue
        outcome = await execute(
            runtime.engine,
            runtime.store,
            partnership_id,
            service_id,
            lambda s: overdue_returns(s, check.as_of),
            actor_of(principal),
            now,
        )
        found += [ReturnOverdue.model_validate(e.payload) for e in outcome.stored]
    return OverdueFound(as_of=check.as_of, overdue=found)
