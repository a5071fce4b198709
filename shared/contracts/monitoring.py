"""Events produced by the monitoring service (topic `commissioning.monitoring.v1`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field, NonNegativeInt, model_validator

from shared.contracts.base import DomainEvent, event

# Breakdown of beneficiaries by a client-detail dimension (Dorset minimum KPI set), e.g.
# {"gender": {"female": 12, "male": 9}}; counts only, never an individual's record.
Breakdowns = dict[str, dict[str, NonNegativeInt]]


@event("monitoring")
class KPIReturnSubmitted(DomainEvent):
    """A provider reported its performance for one period of a monitored service."""

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
    def _period_in_order(self) -> KPIReturnSubmitted:
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


@event("monitoring")
class ServiceDecommissioned(DomainEvent):
    """A funded service is ended; only after its last monitoring report was considered."""

    service_id: str
    award_id: str
    reason: str = Field(min_length=1)
    effective_date: date
    decision_reference: str = Field(min_length=1)
    last_report_considered: str = Field(min_length=1)


@event("monitoring")
class FormalNoticeIssued(DomainEvent):
    """A concern about a service became a formal notice; funding suspends its payments."""

    concern_id: str
    service_id: str
    award_id: str
    reason: str = Field(min_length=1)
    issued_on: date


@event("monitoring")
class ConcernResolved(DomainEvent):
    """A concern was closed; funding resumes payments suspended by its formal notice."""

    concern_id: str
    service_id: str
    award_id: str
    outcome: str = Field(min_length=1)
    resolved_on: date
