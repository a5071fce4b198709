"""One example of every event the monitoring service produces (contract round-trip tests)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.contracts.base import DomainEvent
from shared.contracts.monitoring import (
    ConcernResolved,
    FormalNoticeIssued,
    KPIReturnSubmitted,
    ServiceDecommissioned,
)

EXAMPLES: list[DomainEvent] = [
    KPIReturnSubmitted(
        return_id="ret-1",
        service_id="svc-1",
        award_id="award-1",
        provider_organisation_id="GB-CHC-1234567",
        period_start=date(2019, 4, 1),
        period_end=date(2019, 6, 30),
        beneficiaries=42,
        breakdowns={"gender": {"female": 30, "male": 12}},
        referrals_in=5,
        referrals_out=3,
        kpi_values={"satisfaction_rate": Decimal("0.93")},
    ),
    ServiceDecommissioned(
        service_id="svc-1",
        award_id="award-1",
        reason="Persistent under-performance",
        effective_date=date(2020, 3, 31),
        decision_reference="PCCG-2020-015",
        last_report_considered="ret-4",
    ),
    FormalNoticeIssued(
        concern_id="c-1",
        service_id="svc-1",
        award_id="award-1",
        reason="Two late returns",
        issued_on=date(2019, 11, 1),
    ),
    ConcernResolved(
        concern_id="c-1",
        service_id="svc-1",
        award_id="award-1",
        outcome="Improvement plan met",
        resolved_on=date(2020, 1, 15),
    ),
]
