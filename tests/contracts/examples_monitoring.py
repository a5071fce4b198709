"""One example of every event the monitoring service produces (contract round-trip tests)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.contracts.base import DomainEvent
from shared.contracts.monitoring import (
    KPI,
    ConcernRaised,
    ConcernResolved,
    Direction,
    EscalatedToCommissioner,
    FormalNoticeIssued,
    ImprovementPlanAgreed,
    KPIRating,
    KPIReturnAmended,
    KPIReturnSubmitted,
    KPITargetsAgreed,
    MonitoringPlanEstablished,
    PerformanceRated,
    Proportionality,
    Rating,
    ReportingPeriod,
    ReturnOverdue,
    ServiceDecommissioned,
)

SATISFACTION = KPI(
    code="satisfaction_rate",
    name="Clients feeling safer",
    target=Decimal("0.90"),
    tolerance=Decimal("0.05"),
)
FIGURES = {
    "return_id": "award-1:2019-04-01",
    "service_id": "award-1",
    "award_id": "award-1",
    "provider_organisation_id": "GB-CHC-1234567",
    "period_start": date(2019, 4, 1),
    "period_end": date(2019, 6, 30),
    "beneficiaries": 42,
    "breakdowns": {"gender": {"female": 30, "male": 12}},
    "referrals_in": 5,
    "referrals_out": 3,
    "kpi_values": {"satisfaction_rate": Decimal("0.93")},
}
IDS = {"service_id": "award-1", "award_id": "award-1"}

EXAMPLES: list[DomainEvent] = [
    MonitoringPlanEstablished(
        **IDS,
        provider_organisation_id="GB-CHC-1234567",
        provider_name="The Shores SARC",
        title="Sexual assault referral centre aftercare",
        fund_id="moj-victims-2019-20",
        scheme_id="victims-services-2019",
        mechanism="contracted_service",
        amount=Decimal("56442.00"),
        start_date=date(2019, 4, 1),
        end_date=date(2020, 3, 31),
        funders=("GB-LAE-DOR",),
        proportionality=Proportionality.FULL,
        cadence_months=3,
        grace_days=14,
        required_breakdowns=("gender", "age_band"),
        periods=(
            ReportingPeriod(start=date(2019, 4, 1), end=date(2019, 6, 30), due=date(2019, 7, 28)),
        ),
        kpis=(
            SATISFACTION,
            KPI(
                code="wait_days",
                name="Days to first contact",
                target=Decimal(5),
                direction=Direction.AT_MOST,
            ),
        ),
    ),
    KPITargetsAgreed(**IDS, kpis=(SATISFACTION,), agreed_on=date(2019, 4, 10), agreed_by="u-1"),
    KPIReturnSubmitted(**FIGURES, submitted_on=date(2019, 7, 20)),
    KPIReturnAmended(
        **FIGURES, reason="Two clients counted twice", amendment=1, amended_on=date(2019, 8, 1)
    ),
    ReturnOverdue(
        **IDS,
        provider_organisation_id="GB-CHC-1234567",
        period_start=date(2019, 7, 1),
        period_end=date(2019, 9, 30),
        due=date(2019, 10, 28),
        detected_on=date(2019, 11, 15),
    ),
    PerformanceRated(
        **IDS,
        return_id="award-1:2019-04-01",
        period_start=date(2019, 4, 1),
        period_end=date(2019, 6, 30),
        rating=Rating.GREEN,
        kpi_ratings=(
            KPIRating(
                code="satisfaction_rate",
                target=Decimal("0.90"),
                actual=Decimal("0.93"),
                rating=Rating.GREEN,
            ),
        ),
        rated_on=date(2019, 7, 20),
    ),
    ConcernRaised(
        concern_id="c-1",
        **IDS,
        reason="Return overdue",
        raised_on=date(2019, 10, 1),
        raised_by="u-1",
    ),
    FormalNoticeIssued(
        concern_id="c-1",
        **IDS,
        reason="Two late returns",
        issued_on=date(2019, 11, 1),
        issued_by="u-1",
    ),
    EscalatedToCommissioner(
        concern_id="c-1",
        **IDS,
        reason="No response to the notice",
        escalated_on=date(2019, 11, 20),
        escalated_by="u-1",
    ),
    ImprovementPlanAgreed(
        concern_id="c-1",
        **IDS,
        summary="New service specification; quarterly data",
        review_on=date(2020, 1, 10),
        agreed_on=date(2019, 12, 1),
        agreed_by="u-1",
    ),
    ConcernResolved(
        concern_id="c-1",
        **IDS,
        outcome="Improvement plan met",
        resolved_on=date(2020, 1, 15),
        resolved_by="u-1",
    ),
    ServiceDecommissioned(
        **IDS,
        reason="Persistent under-performance",
        effective_date=date(2020, 3, 31),
        decision_reference="PCCG-2020-015",
        last_report_considered="award-1:2019-04-01",
    ),
]
