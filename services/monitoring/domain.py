"""A monitored service, folded from its events; the errors its commands raise. Pure: no I/O.

The commands live beside it: plans.py (the plan made from an award), returns.py (returns,
ratings, overdue detection) and escalation.py (the Dorset escalation ladder, decommissioning).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from shared.contracts.base import DomainEvent
from shared.contracts.monitoring import (
    KPI,
    ConcernRaised,
    ConcernResolved,
    EscalatedToCommissioner,
    FormalNoticeIssued,
    ImprovementPlanAgreed,
    KPIReturnAmended,
    KPIReturnSubmitted,
    KPITargetsAgreed,
    MonitoringPlanEstablished,
    PerformanceRated,
    ReportingPeriod,
    ReturnOverdue,
    ServiceDecommissioned,
)

STREAM_TYPE = "monitored_service"


class MonitoringError(Exception):
    """A command the service's history does not allow; the message says why."""


class InvalidCommandError(MonitoringError):
    """A command breaks one or more rules; `problems` lists every one of them."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class InvalidReturnError(InvalidCommandError):
    """A KPI return breaks one or more rules."""


class NotProviderError(MonitoringError):
    """Someone other than the service's provider tried to report for it."""


class ConflictError(MonitoringError):
    """The command is out of step with the service's history (duplicate, wrong order, closed)."""


class ConcernStage(StrEnum):
    """The rungs of the Dorset escalation ladder (commissioning overview 2019, §4.3)."""

    RAISED = "raised"  # informally, with the provider
    FORMAL_NOTICE = "formal_notice"
    ESCALATED = "escalated"  # to the Police and Crime Commissioner
    IMPROVEMENT_PLAN = "improvement_plan"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class ConcernStep:
    """One rung climbed: when, by whom and why."""

    stage: ConcernStage
    on: date
    by: str
    why: str


@dataclass
class Concern:
    """A concern about a service and the steps it went through."""

    concern_id: str
    steps: list[ConcernStep] = field(default_factory=list)

    @property
    def stage(self) -> ConcernStage:
        return self.steps[-1].stage

    @property
    def open(self) -> bool:
        return self.stage is not ConcernStage.RESOLVED


@dataclass
class ReturnRecord:
    """The current figures of a period's return, and how often they were corrected."""

    figures: KPIReturnSubmitted | KPIReturnAmended
    amendments: int = 0

    @property
    def return_id(self) -> str:
        return self.figures.return_id


@dataclass
class MonitoredService:
    """Everything monitoring knows about one awarded service."""

    plan: MonitoringPlanEstablished
    kpis: tuple[KPI, ...]
    version: int = 1
    returns: dict[date, ReturnRecord] = field(default_factory=dict)  # by period start
    overdue: dict[date, ReturnOverdue] = field(default_factory=dict)
    ratings: list[PerformanceRated] = field(default_factory=list)
    concerns: list[Concern] = field(default_factory=list)
    decommissioned: ServiceDecommissioned | None = None

    @property
    def service_id(self) -> str:
        return self.plan.service_id

    @property
    def open_concern(self) -> Concern | None:
        return next((c for c in self.concerns if c.open), None)

    @property
    def latest_return(self) -> ReturnRecord | None:
        return self.returns[max(self.returns)] if self.returns else None

    def period(self, start: date, end: date) -> ReportingPeriod | None:
        """The plan's period with exactly these dates, if there is one."""
        return next((p for p in self.plan.periods if (p.start, p.end) == (start, end)), None)

    def live_periods(self) -> tuple[ReportingPeriod, ...]:
        """The periods still owed: none starting after the service was decommissioned."""
        if self.decommissioned is None:
            return self.plan.periods
        ends = self.decommissioned.effective_date
        return tuple(p for p in self.plan.periods if p.start <= ends)


def fold(events: Iterable[DomainEvent]) -> MonitoredService | None:
    """The service as its events describe it; None if the stream holds no plan."""
    service: MonitoredService | None = None
    for event in events:
        if isinstance(event, MonitoringPlanEstablished):
            service = MonitoredService(plan=event, kpis=event.kpis)
            continue
        if service is None:
            raise ValueError(f"{type(event).__name__} before the monitoring plan was established")
        service.version += 1
        _apply(service, event)
    return service


def _apply(service: MonitoredService, event: DomainEvent) -> None:
    match event:
        case KPITargetsAgreed():
            service.kpis = event.kpis
        case KPIReturnSubmitted():
            service.returns[event.period_start] = ReturnRecord(event)
        case KPIReturnAmended():
            service.returns[event.period_start] = ReturnRecord(event, event.amendment)
        case ReturnOverdue():
            service.overdue[event.period_start] = event
        case PerformanceRated():
            service.ratings.append(event)
        case ConcernRaised():
            step = ConcernStep(ConcernStage.RAISED, event.raised_on, event.raised_by, event.reason)
            service.concerns.append(Concern(event.concern_id, [step]))
        case FormalNoticeIssued():
            by = event.issued_by or "unknown"
            _step(service, ConcernStage.FORMAL_NOTICE, event.issued_on, by, event.reason)
        case EscalatedToCommissioner():
            _step(
                service,
                ConcernStage.ESCALATED,
                event.escalated_on,
                event.escalated_by,
                event.reason,
            )
        case ImprovementPlanAgreed():
            _step(
                service,
                ConcernStage.IMPROVEMENT_PLAN,
                event.agreed_on,
                event.agreed_by,
                event.summary,
            )
        case ConcernResolved():
            by = event.resolved_by or "unknown"
            _step(service, ConcernStage.RESOLVED, event.resolved_on, by, event.outcome)
        case ServiceDecommissioned():
            service.decommissioned = event
        case _:
            raise ValueError(f"a monitored service has no use for {type(event).__name__}")


def _step(service: MonitoredService, stage: ConcernStage, on: date, by: str, why: str) -> None:
    concern = service.open_concern
    if concern is None:
        raise ValueError(f"{stage} without an open concern")
    concern.steps.append(ConcernStep(stage, on, by, why))
