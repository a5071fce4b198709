"""Monitoring's HTTP API for dashboards: services with their state, one service, totals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from services.monitoring.api_support import Now, Reader, http_error, may_read, unseen
from services.monitoring.dashboard import Dashboard, dashboard
from services.monitoring.domain import MonitoringError
from services.monitoring.handlers import load_service
from services.monitoring.queries import list_status, reading, totals
from shared.api import PageDep, RuntimeDep
from shared.contracts.base import Money
from shared.contracts.monitoring import Rating

router = APIRouter(prefix="/partnerships/{partnership_id}/monitoring", tags=["dashboard"])


class ServiceState(BaseModel):
    """A monitored service in a listing: its plan's headline and where it stands."""

    model_config = ConfigDict(from_attributes=True)

    service_id: str
    title: str
    provider_organisation_id: str
    fund_id: str
    scheme_id: str | None  # None: a direct award
    mechanism: str
    amount: Money
    proportionality: str
    start_date: date
    end_date: date
    returns: int
    beneficiaries: int
    overdue: int
    latest_rating: Rating | None  # of the latest period rated (amending an older one keeps it)
    concern_stage: str | None
    decommissioned: bool


class ServiceStates(BaseModel):
    """One page of monitored services."""

    items: list[ServiceState]
    total: int
    limit: int
    offset: int


class Total(BaseModel):
    """The services of one fund, scheme or mechanism added up on a day.

    RAG counts use each service's latest rating. Each ended reporting period still owed counts
    once: in `returns` (received), `overdue_returns` (ReturnOverdue recorded, no return since) or
    `returns_due` (awaiting its return, not yet overdue), as the dashboard shows its periods.
    """

    model_config = ConfigDict(from_attributes=True)

    key: str | None  # by scheme, None groups the direct awards (made without a scheme)
    services: int
    amount: Money
    returns: int
    returns_due: int
    beneficiaries: int
    green: int
    amber: int
    red: int
    overdue_returns: int
    open_concerns: int
    decommissioned: int


class Totals(BaseModel):
    """Totals grouped by fund, scheme or mechanism, on a day."""

    by: str
    as_of: date
    groups: list[Total]


@router.get("/services", response_model=ServiceStates)
async def get_service_states(
    partnership_id: str, principal: Reader, runtime: RuntimeDep, page: PageDep
) -> ServiceStates:
    """The monitored services the caller may see, with returns, latest rating and concerns."""
    async with reading(runtime.engine) as conn:
        total, rows = await list_status(conn, principal, page.limit, page.offset)
    return ServiceStates(
        items=[ServiceState.model_validate(dict(r)) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/services/{service_id}", response_model=Dashboard)
async def get_dashboard(
    partnership_id: str, service_id: str, principal: Reader, runtime: RuntimeDep, now: Now
) -> Dashboard:
    """One service's dashboard: periods, returns, KPI trends, RAG history, escalation."""
    try:
        service = await load_service(runtime.engine, runtime.store, partnership_id, service_id)
    except MonitoringError as error:
        raise http_error(error) from error
    if not may_read(service, principal):
        raise unseen(service_id, partnership_id)
    return dashboard(service, now.date())


@router.get("/totals", response_model=Totals)
async def get_totals(
    partnership_id: str,
    principal: Reader,
    runtime: RuntimeDep,
    now: Now,
    by: Annotated[
        Literal["fund", "scheme", "mechanism"], Query(description="how to group")
    ] = "fund",
    as_of: Annotated[date | None, Query(description="the day returns are due on; today")] = None,
) -> Totals:
    """Totals per fund, scheme or mechanism over the services the caller may see."""
    day = as_of or now.date()
    async with reading(runtime.engine) as conn:
        rows = await totals(conn, principal, by, day)
    groups = [Total.model_validate({**r, "amount": Decimal(r["amount"])}) for r in rows]
    return Totals(by=by, as_of=day, groups=groups)
