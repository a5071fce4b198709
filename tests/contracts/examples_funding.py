"""One example of every event the funding service produces (contract round-trip tests)."""

from __future__ import annotations

from decimal import Decimal

from shared.contracts.base import DomainEvent
from shared.contracts.funding import AwardBlocked, ContractAwarded, Mechanism
from tests.support.events import grant_awarded

AWARD = grant_awarded("award-1")
EXAMPLES: list[DomainEvent] = [
    AWARD,
    ContractAwarded.model_validate(
        {
            **AWARD.model_dump(),
            "mechanism": Mechanism.CONTRACTED_SERVICE,
            "contract_reference": "DOR-VS-2019-01",
        }
    ),
    AwardBlocked(
        application_id="app-9",
        fund_id="fund-1",
        pot_id="pot-csa",
        amount=Decimal("3000.00"),
        reason="ring-fenced pot 'child sexual abuse services' has £1,200.00 available",
        available=Decimal("1200.00"),
    ),
]
