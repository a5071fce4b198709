"""Awards: the command a commissioner gives and the event it becomes. Pure: no I/O, no clock."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.base import Money
from shared.contracts.funding import FundingShare, GrantAwarded, Instalment, Mechanism


class AwardGrant(BaseModel):
    """Commit money from a fund to a recipient: a `GrantAwarded` without its id, given here."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    application_id: str | None = None
    fund_id: str = Field(min_length=1)
    pot_id: str | None = None
    mechanism: Mechanism
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    # org-id.guide form, as the principal's organisation: GB-CHC-1234567, GB-COH-…, GB-LAE-…
    recipient_organisation_id: str = Field(pattern=r"^[A-Z]{2}-[A-Z0-9]+-\S+$")
    recipient_name: str = Field(min_length=1)
    amount: Money = Field(gt=0)
    currency: str = Field(default="GBP", pattern=r"^[A-Z]{3}$")  # ISO 4217
    award_date: date
    start_date: date
    end_date: date
    conditions: tuple[str, ...] = ()
    payment_schedule: tuple[Instalment, ...] = ()
    funded_by: tuple[FundingShare, ...] = ()
    beneficiary_location: str | None = None


def award_grant(command: AwardGrant, award_id: str) -> GrantAwarded:
    """Decide the award: the event, whose own rules (dates, schedule, shares) must hold too.

    Raises pydantic's ValidationError naming the rule the command breaks.
    """
    return GrantAwarded(award_id=award_id, **command.model_dump())
