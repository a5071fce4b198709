"""One example of every event the funding service produces (contract round-trip tests)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.contracts.base import DomainEvent
from shared.contracts.funding import (
    AreaAllocation,
    AwardBlocked,
    BudgetAllocated,
    ClawbackRaised,
    ClawbackRepaid,
    CommitmentReleased,
    ContractAwarded,
    ContributionPledged,
    ContributionReceived,
    FormulaAllocationMade,
    FundEstablished,
    FundingShare,
    FundSource,
    KPIReturnRecorded,
    Mechanism,
    PaymentReleased,
    PaymentResumed,
    PaymentScheduled,
    PaymentSuspended,
    RingFenceCreated,
    ScheduledInstalment,
)
from tests.support.events import grant_awarded

AWARD = grant_awarded("award-1")
COUNCIL = FundingShare(
    organisation_id="GB-LAE-WLT", organisation_name="Wiltshire Council", amount=Decimal("60.00")
)
OPCC = FundingShare(
    organisation_id="GB-PLA-WILTS-OPCC", organisation_name="Wiltshire OPCC", amount=Decimal("40.00")
)
FUND = "moj-victims-2017-18"
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
    FundEstablished(
        fund_id=FUND,
        name="MoJ victims' services 2017/18",
        financial_year="2017/18",
        source=FundSource.MINISTRY_OF_JUSTICE,
    ),
    BudgetAllocated(fund_id=FUND, amount=Decimal("814076.00"), reference="MoJ letter"),
    RingFenceCreated(
        fund_id=FUND,
        pot_id="csa",
        name="Child sexual abuse services",
        amount=Decimal("56442.00"),
        eligible_categories=("child-sexual-abuse",),
    ),
    ContributionPledged(
        fund_id="pool",
        contributor_organisation_id="GB-LAE-WLT",
        contributor_name="Wiltshire Council",
        amount=Decimal("30000.00"),
    ),
    ContributionReceived(
        fund_id="pool",
        contributor_organisation_id="GB-LAE-WLT",
        contributor_name="Wiltshire Council",
        amount=Decimal("30000.00"),
    ),
    FormulaAllocationMade(
        fund_id="kent-csf",
        allocation_id="csp-2012",
        amount=Decimal("506882.00"),
        areas=(
            AreaAllocation(
                area_id="ashford",
                area_name="Ashford",
                crimes=7000,
                population=118000,
                amount=Decimal("506882.00"),
            ),
        ),
    ),
    PaymentScheduled(
        fund_id=FUND,
        award_id="award-1",
        instalments=(
            ScheduledInstalment(
                number=1,
                due_date=date(2019, 7, 1),
                amount=Decimal("2500.00"),
                period_start=date(2019, 7, 1),
                period_end=date(2020, 6, 30),
                requires_kpi_return=True,
            ),
        ),
    ),
    PaymentReleased(
        fund_id=FUND,
        award_id="award-1",
        instalment=1,
        amount=Decimal("2500.00"),
        released_on=date(2019, 7, 1),
    ),
    PaymentSuspended(
        fund_id=FUND,
        award_id="award-1",
        concern_id="c-1",
        reason="formal notice",
        suspended_on=date(2019, 8, 1),
    ),
    PaymentResumed(fund_id=FUND, award_id="award-1", concern_id="c-1", resumed_on=date(2019, 9, 1)),
    ClawbackRaised(
        fund_id=FUND,
        award_id="award-1",
        amount=Decimal("100.00"),
        reason="unspent",
        raised_on=date(2019, 10, 1),
        funded_by=(COUNCIL, OPCC),
    ),
    KPIReturnRecorded(
        fund_id=FUND,
        award_id="award-1",
        return_id="return-award-1-2019-q2",
        period_start=date(2019, 7, 1),
        period_end=date(2019, 9, 30),
    ),
    ClawbackRepaid(
        fund_id=FUND,
        award_id="award-1",
        amount=Decimal("100.00"),
        reference="BACS remittance 2019-11-04",
        repaid_on=date(2019, 11, 4),
        funded_by=(COUNCIL, OPCC),
    ),
    CommitmentReleased(
        fund_id=FUND,
        award_id="award-1",
        amount=Decimal("1250.00"),
        cancelled_instalments=(2,),
        reason="decommissioned",
        effective_date=date(2020, 1, 1),
    ),
]
