"""Plain builders for monitoring's domain tests: awards, plans, services, returns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from services.monitoring.catalogue import FULL_PLAN_BREAKDOWNS
from services.monitoring.domain import MonitoredService, fold
from services.monitoring.plans import MonitoringPolicy, establish_plan
from services.monitoring.returns import ReturnFigures
from shared.contracts.base import DomainEvent
from shared.contracts.funding import ContractAwarded, FundingShare, GrantAwarded, Mechanism
from shared.contracts.monitoring import KPI, KPITargetsAgreed

PROVIDER = "GB-CHC-1234567"
TODAY = date(2021, 1, 1)  # after every period of the awards below


def contract(amount: str = "40000.00", **changes: Any) -> ContractAwarded:
    """A year's contracted victims' service, like the Dorset SARC aftercare."""
    fields: dict[str, Any] = {
        "award_id": "award-sarc",
        "application_id": None,
        "fund_id": "moj-victims-2019-20",
        "pot_id": None,
        "mechanism": Mechanism.CONTRACTED_SERVICE,
        "title": "SARC counselling and aftercare",
        "description": "Counselling for people who experienced rape or sexual assault",
        "recipient_organisation_id": PROVIDER,
        "recipient_name": "The Shores",
        "amount": Decimal(amount),
        "award_date": date(2019, 3, 1),
        "start_date": date(2019, 4, 1),
        "end_date": date(2020, 3, 31),
        "funded_by": (
            FundingShare(
                organisation_id="GB-PLA-DORSET-OPCC",
                organisation_name="OPCC",
                amount=Decimal(amount) - 10000,
            ),
            FundingShare(
                organisation_id="GB-LAE-DOR",
                organisation_name="Dorset Council",
                amount=Decimal(10000),
            ),
        ),
    }
    return ContractAwarded(**{**fields, **changes})


def community_grant(amount: str = "250.00") -> GrantAwarded:
    """A Dorset Community Grant Scheme grant (£100 to £3,000)."""
    return GrantAwarded(
        award_id="award-club",
        application_id="app-club",
        fund_id="safer-dorset-community-grant-scheme",
        pot_id=None,
        mechanism=Mechanism.GRANT,
        title="Youth boxing evenings",
        description="Weekly sessions",
        recipient_organisation_id="GB-CHC-7654321",
        recipient_name="Weymouth Boxing Club",
        amount=Decimal(amount),
        award_date=date(2019, 6, 1),
        start_date=date(2019, 7, 1),
        end_date=date(2020, 6, 30),
    )


SATISFACTION = KPI(code="felt_safer", name="Clients feeling safer (%)", target=Decimal(90))
WAITING = KPI(
    code="wait_days", name="Days to first contact", target=Decimal(5), direction="at_most"
)


def service(
    *events: DomainEvent,
    kpis: tuple[KPI, ...] = (SATISFACTION,),
    policy: MonitoringPolicy | None = None,
) -> MonitoredService:
    """The SARC contract's service with agreed KPIs, after `events`."""
    plan = establish_plan(contract(), policy or MonitoringPolicy())
    agreed = KPITargetsAgreed(
        service_id=plan.service_id,
        award_id=plan.award_id,
        kpis=kpis,
        agreed_on=date(2019, 4, 2),
        agreed_by="u-1",
    )
    folded = fold([plan, agreed, *events])
    assert folded is not None
    return folded


def split(total: int, codes: list[str]) -> dict[str, int]:
    """`total` counted in the first code, zero in the rest: a breakdown that adds up."""
    return {code: total if n == 0 else 0 for n, code in enumerate(codes)}


BREAKDOWN_EXAMPLE = {
    "gender": ["female", "male"],
    "age_band": ["25_34", "18_24"],
    "learning_difficulties": ["no", "yes"],
    "ethnicity": ["white", "not_known"],
    "vulnerability": ["sexual_violence", "none"],
    "intervention_type": ["counselling", "advocacy"],
}
assert set(BREAKDOWN_EXAMPLE) == set(FULL_PLAN_BREAKDOWNS)


def figures(
    start: date = date(2019, 4, 1),
    end: date = date(2019, 6, 30),
    beneficiaries: int = 40,
    **changes: Any,
) -> ReturnFigures:
    """A complete, valid quarterly return of the SARC contract."""
    body: dict[str, Any] = {
        "period_start": start,
        "period_end": end,
        "beneficiaries": beneficiaries,
        "breakdowns": {
            name: split(beneficiaries, codes) for name, codes in BREAKDOWN_EXAMPLE.items()
        },
        "referrals_in": 12,
        "referrals_out": 7,
        "kpi_values": {"felt_safer": Decimal(92)},
    }
    return ReturnFigures(**{**body, **changes})
