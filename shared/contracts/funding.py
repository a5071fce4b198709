"""Events produced by the funding service (topic `commissioning.funding.v1`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contracts.base import DomainEvent, Money, event


class Mechanism(StrEnum):
    """How a service is bought (Dorset and North Wales papers)."""

    GRANT = "grant"
    CONTRACTED_SERVICE = "contracted_service"
    ANY_QUALIFIED_PROVIDER = "any_qualified_provider"
    PARTNERSHIP_AGREEMENT = "partnership_agreement"


class Instalment(BaseModel):
    """One scheduled payment of an award."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    due_date: date
    amount: Money = Field(gt=0)


class FundingShare(BaseModel):
    """The part of an award paid for by one organisation (several for a pooled budget)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    organisation_id: str
    organisation_name: str
    amount: Money = Field(ge=0)


def shares_add_up(shares: tuple[FundingShare, ...], amount: Decimal) -> None:
    """A movement's contributor shares, when given, must add up to its amount exactly."""
    shared = sum((s.amount for s in shares), start=Decimal(0))
    if shares and shared != amount:
        raise ValueError(f"funding shares total {shared}, the amount is {amount}")


class AwardMade(DomainEvent):
    """What every award says, whatever the mechanism (not an event itself)."""

    award_id: str
    application_id: str | None
    scheme_id: str | None = None  # the scheme the application came through; None if direct
    fund_id: str
    pot_id: str | None
    mechanism: Mechanism
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    recipient_organisation_id: str
    recipient_name: str
    amount: Money = Field(gt=0)
    currency: str = "GBP"
    award_date: date
    start_date: date
    end_date: date
    spend_category: str | None = None
    conditions: tuple[str, ...] = ()
    payment_schedule: tuple[Instalment, ...] = ()
    funded_by: tuple[FundingShare, ...] = ()
    beneficiary_location: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> AwardMade:
        if self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        scheduled = sum((i.amount for i in self.payment_schedule), start=0)
        if self.payment_schedule and scheduled != self.amount:
            raise ValueError(f"payment schedule totals {scheduled}, award is {self.amount}")
        shares_add_up(self.funded_by, self.amount)
        return self


@event("funding")
class GrantAwarded(AwardMade):
    """Money was committed from a fund to a recipient as a grant."""


@event("funding")
class ContractAwarded(AwardMade):
    """A service was contracted (contracted service, AQP or partnership agreement)."""

    contract_reference: str | None = None
    unit_price: Money | None = None  # Any Qualified Provider: price per unit of service


@event("funding")
class AwardBlocked(DomainEvent):
    """An approved application could not be funded; nothing was committed."""

    application_id: str
    fund_id: str
    pot_id: str | None
    amount: Money
    reason: str = Field(min_length=1)
    available: Money | None = None  # headroom at the time, when the reason is headroom


class FundSource(StrEnum):
    """Where a fund's money comes from (North Wales, Dorset, Kent and Wiltshire papers)."""

    HOME_OFFICE = "home_office"
    MINISTRY_OF_JUSTICE = "ministry_of_justice"
    LOCAL_PRECEPT = "local_precept"
    POLICE_PROPERTY_ACT = "police_property_act"
    PARTNER_POOL = "partner_pool"  # a pooled budget: partners' contributions are its budget
    OTHER = "other"


# A UK financial year, April to March, written as the papers do: "2017/18".
FinancialYear = Annotated[str, Field(pattern=r"^\d{4}/\d{2}$")]


@event("funding")
class FundEstablished(DomainEvent):
    """A fund for one financial year was set up; its budget arrives as `BudgetAllocated`."""

    fund_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    financial_year: FinancialYear
    source: FundSource
    eligible_categories: tuple[str, ...] = ()  # empty: any spend category

    @model_validator(mode="after")
    def _year_follows(self) -> FundEstablished:
        start, end = int(self.financial_year[:4]), int(self.financial_year[5:])
        if (start + 1) % 100 != end:
            raise ValueError(f"financial year {self.financial_year} does not run April to March")
        return self


@event("funding")
class BudgetAllocated(DomainEvent):
    """Money was added to a fund's budget by its source."""

    fund_id: str
    amount: Money = Field(gt=0)
    reference: str = Field(min_length=1)  # the grant letter, precept decision...


@event("funding")
class RingFenceCreated(DomainEvent):
    """Part of a fund's budget was reserved in a pot for eligible spend categories only."""

    fund_id: str
    pot_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    amount: Money = Field(gt=0)
    eligible_categories: tuple[str, ...] = Field(min_length=1)


@event("funding")
class ContributionPledged(DomainEvent):
    """A partner promised to pay into a pooled budget."""

    fund_id: str
    contributor_organisation_id: str
    contributor_name: str = Field(min_length=1)
    amount: Money = Field(gt=0)


@event("funding")
class ContributionReceived(DomainEvent):
    """A partner's payment into a pooled budget arrived; it is now budget of the pool."""

    fund_id: str
    contributor_organisation_id: str
    contributor_name: str = Field(min_length=1)
    amount: Money = Field(gt=0)


class AreaAllocation(BaseModel):
    """One area's recorded formula inputs and the amount they gave it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    area_id: str = Field(min_length=1)
    area_name: str = Field(min_length=1)
    crimes: int = Field(ge=0)
    population: int = Field(gt=0)
    amount: Money = Field(ge=0)


@event("funding")
class FormulaAllocationMade(DomainEvent):
    """An amount was committed to areas by a formula over the recorded inputs."""

    fund_id: str
    allocation_id: str = Field(min_length=1)
    formula: str = "crimes_per_1000_population"
    amount: Money = Field(gt=0)
    areas: tuple[AreaAllocation, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _adds_up(self) -> FormulaAllocationMade:
        total = sum((a.amount for a in self.areas), start=Decimal(0))
        if total != self.amount:
            raise ValueError(f"area amounts total {total}, allocation is {self.amount}")
        return self


class ScheduledInstalment(BaseModel):
    """An instalment with the period it pays for and whether it waits for a KPI return."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int = Field(ge=1)
    due_date: date
    amount: Money = Field(gt=0)
    period_start: date
    period_end: date
    requires_kpi_return: bool = False  # payment by results


@event("funding")
class PaymentScheduled(DomainEvent):
    """An award's instalments were scheduled."""

    fund_id: str
    award_id: str
    pot_id: str | None = None
    instalments: tuple[ScheduledInstalment, ...] = Field(min_length=1)


@event("funding")
class PaymentReleased(DomainEvent):
    """An instalment was paid to the recipient."""

    fund_id: str
    award_id: str
    pot_id: str | None = None
    instalment: int
    amount: Money = Field(gt=0)
    released_on: date
    # A pooled award's payment, by contributor: pro rata to each one's unpaid share (ADR 0030).
    funded_by: tuple[FundingShare, ...] = ()

    @model_validator(mode="after")
    def _shares(self) -> PaymentReleased:
        shares_add_up(self.funded_by, self.amount)
        return self


@event("funding")
class PaymentSuspended(DomainEvent):
    """Payments of an award stopped while a formal concern about its service is open."""

    fund_id: str
    award_id: str
    concern_id: str
    reason: str = Field(min_length=1)
    suspended_on: date


@event("funding")
class PaymentResumed(DomainEvent):
    """A concern that suspended an award's payments was resolved."""

    fund_id: str
    award_id: str
    concern_id: str
    resumed_on: date
    still_suspended: bool = False  # another formal concern is still open


@event("funding")
class ClawbackRaised(DomainEvent):
    """The recipient must repay part of what it was paid."""

    fund_id: str
    award_id: str
    pot_id: str | None = None
    amount: Money = Field(gt=0)
    reason: str = Field(min_length=1)
    raised_on: date
    # A pooled award's clawback, by contributor: pro rata to what each one's money paid (ADR 0030).
    funded_by: tuple[FundingShare, ...] = ()

    @model_validator(mode="after")
    def _shares(self) -> ClawbackRaised:
        shares_add_up(self.funded_by, self.amount)
        return self


@event("funding")
class ClawbackRepaid(DomainEvent):
    """The recipient repaid (part of) a clawback; the money is available in the fund again."""

    fund_id: str
    award_id: str
    pot_id: str | None = None
    amount: Money = Field(gt=0)
    reference: str = Field(min_length=1)  # the remittance or receipt
    repaid_on: date
    # Back to the contributors of a pool, pro rata to what each one is owed (ADR 0030).
    funded_by: tuple[FundingShare, ...] = ()

    @model_validator(mode="after")
    def _shares(self) -> ClawbackRepaid:
        shares_add_up(self.funded_by, self.amount)
        return self


@event("funding")
class CommitmentReleased(DomainEvent):
    """Unpaid commitment of an award went back to the fund (decommissioning cancels instalments)."""

    fund_id: str
    award_id: str
    pot_id: str | None = None
    amount: Money = Field(gt=0)
    cancelled_instalments: tuple[int, ...] = ()
    reason: str = Field(min_length=1)
    effective_date: date
    # A pooled award's release, by contributor: pro rata to each one's unpaid share (ADR 0030).
    funded_by: tuple[FundingShare, ...] = ()

    @model_validator(mode="after")
    def _shares(self) -> CommitmentReleased:
        shares_add_up(self.funded_by, self.amount)
        return self


@event("funding")
class KPIReturnRecorded(DomainEvent):
    """Monitoring accepted the KPI return of a payment-by-results award's period.

    Recorded on the fund's stream so the decision to release an instalment rests on the
    stream alone (and every read model is rebuilt from funding's own events).
    """

    fund_id: str
    award_id: str
    return_id: str = Field(min_length=1)
    period_start: date
    period_end: date
