"""KPI returns: validation, red/amber/green rating, overdue detection. Pure: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from services.monitoring.catalogue import BREAKDOWN_CODES, COUNTED
from services.monitoring.domain import (
    ConflictError,
    InvalidReturnError,
    MonitoredService,
    NotProviderError,
)
from shared.contracts.base import DomainEvent
from shared.contracts.monitoring import (
    KPI,
    Direction,
    KPIRating,
    KPIReturnAmended,
    KPIReturnSubmitted,
    PerformanceRated,
    Rating,
    ReturnOverdue,
)

_WORST_FIRST = (Rating.RED, Rating.AMBER, Rating.GREEN)


class ReturnFigures(BaseModel):
    """What a provider reports for one period; plain ints so every problem can be listed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    period_start: date
    period_end: date
    beneficiaries: int
    breakdowns: dict[str, dict[str, int]] = Field(default_factory=dict)
    referrals_in: int = 0
    referrals_out: int = 0
    kpi_values: dict[str, Decimal] = Field(default_factory=dict)


def return_id(service_id: str, period_start: date) -> str:
    """One id per service and period: amendments keep the id of the return they correct."""
    return f"{service_id}:{period_start.isoformat()}"


def return_problems(service: MonitoredService, figures: ReturnFigures, today: date) -> list[str]:
    """Every rule of the plan the figures break (empty when the return is acceptable)."""
    plan, problems = service.plan, []
    start, end = figures.period_start, figures.period_end
    period = service.period(start, end)
    if start < plan.start_date or end > plan.end_date:
        problems.append(
            f"period {start} to {end} is outside the agreement ({plan.start_date} to "
            f"{plan.end_date})"
        )
    elif period is None:
        expected = ", ".join(f"{p.start} to {p.end}" for p in plan.periods)
        problems.append(f"period {start} to {end} is not a reporting period; periods: {expected}")
    elif period not in service.live_periods():
        problems.append(f"period {start} to {end} starts after the service was decommissioned")
    if end >= today:
        problems.append(f"period {start} to {end} has not ended yet: a return is not due")
    counts = {
        "beneficiaries": figures.beneficiaries,
        "referrals_in": figures.referrals_in,
        "referrals_out": figures.referrals_out,
    }
    problems += [f"{name} is negative ({n})" for name, n in counts.items() if n < 0]
    problems += _breakdown_problems(service, figures)
    problems += _kpi_problems(service.kpis, figures)
    return problems


def _breakdown_problems(service: MonitoredService, figures: ReturnFigures) -> list[str]:
    problems = [
        f"breakdown {name!r} is required by this plan"
        for name in service.plan.required_breakdowns
        if name not in figures.breakdowns
    ]
    for name, cells in sorted(figures.breakdowns.items()):
        if name not in BREAKDOWN_CODES:
            problems.append(f"unknown breakdown {name!r}; known: {', '.join(BREAKDOWN_CODES)}")
            continue
        known = BREAKDOWN_CODES[name]
        if known is not None and (unknown := sorted(set(cells) - known)):
            problems.append(
                f"breakdown {name!r} has unknown codes {', '.join(unknown)}; "
                f"known: {', '.join(sorted(known))}"
            )
        problems += [
            f"breakdown {name!r}: {code} is negative ({n})" for code, n in cells.items() if n < 0
        ]
        if (total := sum(cells.values())) != figures.beneficiaries:
            problems.append(
                f"breakdown {name!r} adds up to {total}, beneficiaries are {figures.beneficiaries}"
            )
    return problems


def _kpi_problems(kpis: tuple[KPI, ...], figures: ReturnFigures) -> list[str]:
    own = {k.code: k for k in kpis if k.code not in COUNTED}
    problems = [
        f"unknown KPI {code!r}; this plan's KPIs: {', '.join(own) or 'none'}"
        for code in sorted(figures.kpi_values)
        if code not in own
    ]
    problems += [
        f"KPI {c!r} ({k.name}) is missing" for c, k in own.items() if c not in figures.kpi_values
    ]
    problems += [f"KPI {c!r} is negative ({v})" for c, v in figures.kpi_values.items() if v < 0]
    return problems


def rate(kpis: tuple[KPI, ...], figures: ReturnFigures) -> tuple[Rating, tuple[KPIRating, ...]]:
    """Each KPI with a target rated; the return is as bad as its worst KPI (green if none)."""
    counted = {code: Decimal(getattr(figures, code)) for code in COUNTED}
    ratings = []
    for kpi in kpis:
        actual = counted.get(kpi.code, figures.kpi_values.get(kpi.code))
        if kpi.target is None or actual is None:
            continue
        ratings.append(
            KPIRating(code=kpi.code, target=kpi.target, actual=actual, rating=_rag(kpi, actual))
        )
    overall = next((r for r in _WORST_FIRST if any(k.rating is r for k in ratings)), Rating.GREEN)
    return overall, tuple(ratings)


def _rag(kpi: KPI, actual: Decimal) -> Rating:
    assert kpi.target is not None
    if kpi.direction is Direction.AT_LEAST:
        met, near = actual >= kpi.target, actual >= kpi.target * (1 - kpi.tolerance)
    else:
        met, near = actual <= kpi.target, actual <= kpi.target * (1 + kpi.tolerance)
    return Rating.GREEN if met else Rating.AMBER if near else Rating.RED


def _checked(
    service: MonitoredService,
    figures: ReturnFigures,
    provider: str,
    today: date,
    also: Iterable[str] = (),
) -> str:
    """The return's id if the provider may report these figures; else every problem (`also` too)."""
    if provider != service.plan.provider_organisation_id:
        raise NotProviderError(
            f"organisation {provider} is not the provider of service {service.service_id}: "
            "only its provider reports for it"
        )
    if problems := [*also, *return_problems(service, figures, today)]:
        raise InvalidReturnError(problems)
    return return_id(service.service_id, figures.period_start)


def _rated(
    service: MonitoredService, figures: ReturnFigures, ret: str, today: date
) -> PerformanceRated:
    rating, kpi_ratings = rate(service.kpis, figures)
    return PerformanceRated(
        service_id=service.service_id,
        award_id=service.plan.award_id,
        return_id=ret,
        period_start=figures.period_start,
        period_end=figures.period_end,
        rating=rating,
        kpi_ratings=kpi_ratings,
        rated_on=today,
    )


def _common(service: MonitoredService, figures: ReturnFigures, ret: str) -> dict[str, object]:
    return {
        **figures.model_dump(),
        "return_id": ret,
        "service_id": service.service_id,
        "award_id": service.plan.award_id,
        "provider_organisation_id": service.plan.provider_organisation_id,
    }


def submit_return(
    service: MonitoredService, figures: ReturnFigures, provider: str, today: date
) -> list[DomainEvent]:
    """Accept a period's first return and rate it; corrections must be amendments."""
    if (existing := service.returns.get(figures.period_start)) is not None:
        raise ConflictError(
            f"a return for the period starting {figures.period_start} was already submitted "
            f"({existing.return_id}): correct it with an amendment and a reason"
        )
    ret = _checked(service, figures, provider, today)
    submitted = KPIReturnSubmitted.model_validate(
        {**_common(service, figures, ret), "submitted_on": today}
    )
    return [submitted, _rated(service, figures, ret, today)]


def amend_return(
    service: MonitoredService, figures: ReturnFigures, reason: str, provider: str, today: date
) -> list[DomainEvent]:
    """Correct a submitted return, with a reason, and rate the corrected figures."""
    existing = service.returns.get(figures.period_start)
    if existing is None:
        raise ConflictError(f"no return for the period starting {figures.period_start} to amend")
    unexplained = (
        [] if reason.strip() else ["an amendment needs a reason: why did the figures change"]
    )
    ret = _checked(service, figures, provider, today, unexplained)
    amended = KPIReturnAmended.model_validate(
        {
            **_common(service, figures, ret),
            "reason": reason,
            "amendment": existing.amendments + 1,
            "amended_on": today,
        }
    )
    return [amended, _rated(service, figures, ret, today)]


def overdue_returns(service: MonitoredService, today: date) -> list[ReturnOverdue]:
    """Periods past due date plus grace with no return, not reported as overdue before."""
    grace = timedelta(days=service.plan.grace_days)
    return [
        ReturnOverdue(
            service_id=service.service_id,
            award_id=service.plan.award_id,
            provider_organisation_id=service.plan.provider_organisation_id,
            period_start=p.start,
            period_end=p.end,
            due=p.due,
            detected_on=today,
        )
        for p in service.live_periods()
        if today > p.due + grace
        and p.start not in service.returns
        and p.start not in service.overdue
    ]


def detect_overdue(
    services: Iterable[MonitoredService], today: date
) -> dict[str, list[ReturnOverdue]]:
    """The new overdue returns of every service that has any, by service id."""
    found = {s.service_id: overdue_returns(s, today) for s in services}
    return {service_id: events for service_id, events in found.items() if events}
