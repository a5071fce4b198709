"""Events produced by the funding service (topic `commissioning.funding.v1`)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

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


class AwardMade(DomainEvent):
    """What every award says, whatever the mechanism (not an event itself)."""

    award_id: str
    application_id: str | None
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
        shared = sum((s.amount for s in self.funded_by), start=0)
        if self.funded_by and shared != self.amount:
            raise ValueError(f"funding shares total {shared}, award is {self.amount}")
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
