"""The dashboard of one monitored service, built from its folded history. Pure: no I/O."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel

from services.monitoring.catalogue import COUNTED
from services.monitoring.domain import Concern, ConcernStage, MonitoredService
from shared.contracts.base import Money
from shared.contracts.monitoring import (
    KPI,
    PerformanceRated,
    Proportionality,
    Rating,
    ServiceDecommissioned,
)


class PeriodState(StrEnum):
    """Where a reporting period stands on the dashboard's day."""

    RECEIVED = "received"
    OVERDUE = "overdue"  # ReturnOverdue was recorded and no return has come since
    DUE = "due"  # ended, no return yet, not (yet) reported overdue
    UPCOMING = "upcoming"
    CANCELLED = "cancelled"  # starts after the service was decommissioned


class PeriodView(BaseModel):
    start: date
    end: date
    due: date
    overdue_after: date
    state: PeriodState


class ReturnView(BaseModel):
    return_id: str
    period_start: date
    period_end: date
    beneficiaries: int
    breakdowns: dict[str, dict[str, int]]
    referrals_in: int
    referrals_out: int
    kpi_values: dict[str, Decimal]
    amendments: int
    rating: Rating | None


class TrendPoint(BaseModel):
    period_start: date
    value: Decimal


class StepView(BaseModel):
    stage: ConcernStage
    on: date
    by: str
    why: str


class ConcernView(BaseModel):
    concern_id: str
    stage: ConcernStage
    open: bool
    steps: list[StepView]


class Dashboard(BaseModel):
    """Per service: plan, returns, a trend per KPI, RAG history and escalation state."""

    service_id: str
    award_id: str
    title: str
    provider_organisation_id: str
    provider_name: str
    fund_id: str
    scheme_id: str | None  # None: a direct award
    mechanism: str
    amount: Money
    start_date: date
    end_date: date
    proportionality: Proportionality
    cadence_months: int
    required_breakdowns: list[str]
    kpis: list[KPI]
    periods: list[PeriodView]
    returns: list[ReturnView]
    trends: dict[str, list[TrendPoint]]
    rag_history: list[PerformanceRated]
    escalation: ConcernView | None  # the open concern, if any
    concerns: list[ConcernView]
    decommissioned: ServiceDecommissioned | None


def _concern(concern: Concern) -> ConcernView:
    return ConcernView(
        concern_id=concern.concern_id,
        stage=concern.stage,
        open=concern.open,
        steps=[StepView(stage=s.stage, on=s.on, by=s.by, why=s.why) for s in concern.steps],
    )


def dashboard(service: MonitoredService, today: date) -> Dashboard:
    """What a commissioner sees of a service on `today`."""
    plan, live = service.plan, service.live_periods()
    latest_rating = {r.period_start: r.rating for r in service.ratings}  # later ratings win
    periods = []
    for p in plan.periods:
        state = (
            PeriodState.RECEIVED
            if p.start in service.returns
            else PeriodState.CANCELLED
            if p not in live
            else PeriodState.OVERDUE
            if p.start in service.overdue
            else PeriodState.DUE
            if p.end < today
            else PeriodState.UPCOMING
        )
        overdue_after = p.due + timedelta(days=plan.grace_days)
        periods.append(PeriodView(**p.model_dump(), overdue_after=overdue_after, state=state))
    returns = [
        ReturnView(
            **record.figures.model_dump(include=set(ReturnView.model_fields)),
            amendments=record.amendments,
            rating=latest_rating.get(start),
        )
        for start, record in sorted(service.returns.items())
    ]
    codes = ["beneficiaries", "referrals_in", "referrals_out", *(k.code for k in service.kpis)]
    trends: dict[str, list[TrendPoint]] = {}
    for code in dict.fromkeys(codes):
        points = []
        for r in returns:
            value = getattr(r, code) if code in COUNTED else r.kpi_values.get(code)
            if value is not None:
                points.append(TrendPoint(period_start=r.period_start, value=Decimal(value)))
        trends[code] = points
    concern = service.open_concern
    return Dashboard(
        **plan.model_dump(
            include={
                "service_id",
                "award_id",
                "title",
                "provider_organisation_id",
                "provider_name",
                "fund_id",
                "scheme_id",
                "mechanism",
                "amount",
                "start_date",
                "end_date",
                "proportionality",
                "cadence_months",
            }
        ),
        required_breakdowns=list(plan.required_breakdowns),
        kpis=list(service.kpis),
        periods=periods,
        returns=returns,
        trends=trends,
        rag_history=list(service.ratings),
        escalation=_concern(concern) if concern else None,
        concerns=[_concern(c) for c in service.concerns],
        decommissioned=service.decommissioned,
    )
