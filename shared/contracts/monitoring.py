"""Events produced by the monitoring service (topic `commissioning.monitoring.v1`).

A monitored service's stream id is the award id of the `GrantAwarded` / `ContractAwarded` it came
from, so `service_id` and `award_id` are equal on every event monitoring emits today.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, model_validator

from shared.contracts.base import DomainEvent, Money, event

# Breakdown of beneficiaries by a client-detail dimension (Dorset minimum KPI set), e.g.
# {"gender": {"female": 12, "male": 9}}; counts only, never an individual's record.
Breakdowns = dict[str, dict[str, NonNegativeInt]]


class Rating(StrEnum):
    """Red/amber/green against a target."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class Direction(StrEnum):
    """Whether a KPI is good when high (beneficiaries) or when low (waiting days)."""

    AT_LEAST = "at_least"
    AT_MOST = "at_most"


class Proportionality(StrEnum):
    """How heavy a plan is: a £250 community grant is not monitored like a contract."""

    LIGHT = "light"
    FULL = "full"


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class KPI(_Part):
    """A service-specific KPI and its target per reporting period."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)
    name: str = Field(min_length=1)
    target: Decimal | None = None  # None: reported, not rated
    direction: Direction = Direction.AT_LEAST
    # Within this fraction of the target is amber rather than red.
    tolerance: Decimal = Field(default=Decimal("0.10"), ge=0, le=1)


class ReportingPeriod(_Part):
    """One period a return is owed for, and the date it is due."""

    start: date
    end: date
    due: date


class KPIRating(_Part):
    """How one KPI of one return compares with its target."""

    code: str
    target: Decimal
    actual: Decimal
    rating: Rating


@event("monitoring")
class MonitoringPlanEstablished(DomainEvent):
    """An awarded service is now monitored: what it must report, and when."""

    service_id: str
    award_id: str
    provider_organisation_id: str
    provider_name: str
    title: str
    fund_id: str
    # The scheme the award's application came through (AwardMade.scheme_id); None: a direct award.
    scheme_id: str | None = None
    mechanism: str
    amount: Money
    start_date: date
    end_date: date
    funders: tuple[str, ...] = ()  # organisations co-funding it (partners may read it)
    proportionality: Proportionality
    cadence_months: int = Field(ge=1)
    grace_days: NonNegativeInt
    required_breakdowns: tuple[str, ...]  # from the Dorset minimum KPI set
    periods: tuple[ReportingPeriod, ...] = Field(min_length=1)
    kpis: tuple[KPI, ...] = ()


@event("monitoring")
class KPITargetsAgreed(DomainEvent):
    """The commissioner and provider agreed the service-specific KPIs and their targets."""

    service_id: str
    award_id: str
    kpis: tuple[KPI, ...]
    agreed_on: date
    agreed_by: str


class _ReturnFigures(DomainEvent):
    """The figures of a return (not an event itself)."""

    return_id: str
    service_id: str
    award_id: str
    provider_organisation_id: str
    period_start: date
    period_end: date
    beneficiaries: NonNegativeInt
    breakdowns: Breakdowns = Field(default_factory=dict)
    referrals_in: NonNegativeInt = 0
    referrals_out: NonNegativeInt = 0
    kpi_values: dict[str, Decimal] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _period_in_order(self) -> _ReturnFigures:
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


@event("monitoring")
class KPIReturnSubmitted(_ReturnFigures):
    """A provider reported its performance for one period of a monitored service."""

    submitted_on: date | None = None


@event("monitoring")
class KPIReturnAmended(_ReturnFigures):
    """A provider corrected a return it submitted; the figures replace the earlier ones."""

    reason: str = Field(min_length=1)
    amendment: int = Field(ge=1)
    amended_on: date


@event("monitoring")
class ReturnOverdue(DomainEvent):
    """No return arrived for a period by its due date plus the grace period."""

    service_id: str
    award_id: str
    provider_organisation_id: str
    period_start: date
    period_end: date
    due: date
    detected_on: date


@event("monitoring")
class PerformanceRated(DomainEvent):
    """A return (or its amendment) was rated red/amber/green against the service's targets."""

    service_id: str
    award_id: str
    return_id: str
    period_start: date
    period_end: date
    rating: Rating
    kpi_ratings: tuple[KPIRating, ...] = ()
    rated_on: date


@event("monitoring")
class ConcernRaised(DomainEvent):
    """The commissioning manager raised a concern with the provider, informally at first."""

    concern_id: str
    service_id: str
    award_id: str
    reason: str = Field(min_length=1)
    raised_on: date
    raised_by: str


@event("monitoring")
class FormalNoticeIssued(DomainEvent):
    """A concern about a service became a formal notice; funding suspends its payments."""

    concern_id: str
    service_id: str
    award_id: str
    reason: str = Field(min_length=1)
    issued_on: date
    issued_by: str | None = None


@event("monitoring")
class EscalatedToCommissioner(DomainEvent):
    """A formal concern was escalated to the Police and Crime Commissioner."""

    concern_id: str
    service_id: str
    award_id: str
    reason: str = Field(min_length=1)
    escalated_on: date
    escalated_by: str


@event("monitoring")
class ImprovementPlanAgreed(DomainEvent):
    """Provider and commissioner agreed how performance will be brought back on track."""

    concern_id: str
    service_id: str
    award_id: str
    summary: str = Field(min_length=1)
    review_on: date
    agreed_on: date
    agreed_by: str


@event("monitoring")
class ConcernResolved(DomainEvent):
    """A concern was closed; funding resumes payments suspended by its formal notice."""

    concern_id: str
    service_id: str
    award_id: str
    outcome: str = Field(min_length=1)
    resolved_on: date
    resolved_by: str | None = None


@event("monitoring")
class ServiceDecommissioned(DomainEvent):
    """A funded service is ended; only after its last monitoring report was considered."""

    service_id: str
    award_id: str
    reason: str = Field(min_length=1)
    effective_date: date
    decision_reference: str = Field(min_length=1)
    last_report_considered: str = Field(min_length=1)
