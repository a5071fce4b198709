"""The monitoring plan an award gets, proportionate to its size and scheme. Pure: no I/O.

Dorset (§4.1): every commissioned service reports the minimum KPI set plus KPIs specific to its
objectives. Wiltshire ("Governance and Performance Monitoring"): reporting is "proportionate to
the service provided and the funding amount", so small grants get a light plan: one return at the
end of the agreement with the counts only. Dorset §4.5: the usual cadence is quarterly.

Which policy applies: the award's scheme's if it has one, else its fund's, else the default
(docs/adr/0040-monitoring-plans-per-scheme.md).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from services.monitoring.catalogue import FULL_PLAN_BREAKDOWNS, IF_APPLICABLE
from services.monitoring.domain import ConflictError, InvalidCommandError, MonitoredService
from shared.contracts.base import Money
from shared.contracts.funding import AwardMade
from shared.contracts.monitoring import (
    KPI,
    KPITargetsAgreed,
    MonitoringPlanEstablished,
    Proportionality,
    ReportingPeriod,
)


class PlanPolicy(BaseModel):
    """How a scheme's awards are monitored."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Up to the Dorset Community Grant Scheme's ceiling (£3,000) a grant gets a light plan.
    light_up_to: Money = Field(default=Decimal("3000.00"), ge=0)
    # None: a light plan owes one return at the end of the agreement; else one every n months.
    light_cadence_months: int | None = Field(default=None, ge=1, le=12)
    cadence_months: int = Field(default=3, ge=1, le=12)
    due_after_days: int = Field(default=28, ge=0)  # after the period ends
    grace_days: int = Field(default=14, ge=0)  # after the due date, before it is overdue
    if_applicable: tuple[str, ...] = ()  # offence type / location, when the scheme needs them
    kpis: tuple[KPI, ...] = ()  # the scheme's default service-specific KPIs


class MonitoringPolicy(BaseModel):
    """The default policy and the schemes and funds that differ from it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    default: PlanPolicy = PlanPolicy()
    per_scheme: dict[str, PlanPolicy] = Field(default_factory=dict)
    per_fund: dict[str, PlanPolicy] = Field(default_factory=dict)

    def for_award(self, award: AwardMade) -> PlanPolicy:
        """The award's scheme's policy, else its fund's, else the default."""
        if award.scheme_id is not None and award.scheme_id in self.per_scheme:
            return self.per_scheme[award.scheme_id]
        return self.per_fund.get(award.fund_id, self.default)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reporting_periods(
    start: date, end: date, months: int, due_after_days: int
) -> tuple[ReportingPeriod, ...]:
    """Consecutive periods of `months` from `start`, the last one cut at `end`."""
    periods, n = [], 0
    while (first := add_months(start, months * n)) <= end:
        last = min(add_months(start, months * (n + 1)) - timedelta(days=1), end)
        periods.append(ReportingPeriod(start=first, end=last, due=last + timedelta(due_after_days)))
        n += 1
    return tuple(periods)


def months_spanned(start: date, end: date) -> int:
    """How many (started) months an agreement lasts."""
    return max(1, (end.year - start.year) * 12 + end.month - start.month + (end.day >= start.day))


def establish_plan(award: AwardMade, policy: MonitoringPolicy) -> MonitoringPlanEstablished:
    """The plan of an awarded service: proportionate to its amount, as its scheme says."""
    scheme = policy.for_award(award)
    light = award.amount <= scheme.light_up_to
    whole = months_spanned(award.start_date, award.end_date)
    cadence = (scheme.light_cadence_months or whole) if light else scheme.cadence_months
    return MonitoringPlanEstablished(
        service_id=award.award_id,
        award_id=award.award_id,
        provider_organisation_id=award.recipient_organisation_id,
        provider_name=award.recipient_name,
        title=award.title,
        fund_id=award.fund_id,
        scheme_id=award.scheme_id,
        mechanism=award.mechanism.value,
        amount=award.amount,
        start_date=award.start_date,
        end_date=award.end_date,
        funders=tuple(share.organisation_id for share in award.funded_by),
        proportionality=Proportionality.LIGHT if light else Proportionality.FULL,
        cadence_months=cadence,
        grace_days=scheme.grace_days,
        required_breakdowns=()
        if light
        else (*FULL_PLAN_BREAKDOWNS, *(b for b in IF_APPLICABLE if b in scheme.if_applicable)),
        periods=reporting_periods(award.start_date, award.end_date, cadence, scheme.due_after_days),
        kpis=scheme.kpis,
    )


def agree_kpis(
    service: MonitoredService, kpis: tuple[KPI, ...], by: str, today: date
) -> KPITargetsAgreed:
    """Replace the service-specific KPIs; returns already rated keep their ratings."""
    if service.decommissioned is not None:
        raise ConflictError(f"service {service.service_id} was decommissioned")
    codes = [k.code for k in kpis]
    if duplicated := sorted({c for c in codes if codes.count(c) > 1}):
        raise InvalidCommandError([f"KPI codes are repeated: {', '.join(duplicated)}"])
    return KPITargetsAgreed(
        service_id=service.service_id,
        award_id=service.plan.award_id,
        kpis=kpis,
        agreed_on=today,
        agreed_by=by,
    )
