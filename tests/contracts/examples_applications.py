"""One example of every event the applications service produces (contract round-trip tests)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.contracts.applications import ApplicationApproved
from shared.contracts.base import DomainEvent
from shared.contracts.funding import Mechanism

EXAMPLES: list[DomainEvent] = [
    ApplicationApproved(
        application_id="app-1",
        round_id="round-1",
        scheme_id="dorset-community-grants",
        fund_id="fund-1",
        mechanism=Mechanism.GRANT,
        applicant_organisation_id="GB-CHC-1234567",
        applicant_name="Weymouth Boxing Club",
        title="Youth diversion",
        description="Weekly sessions",
        amount=Decimal("2500.00"),
        start_date=date(2019, 7, 1),
        end_date=date(2020, 6, 30),
        decision_reference="PCCG-2019-015",
        reason="Scored 82/100",
    ),
]
