"""Events produced by the applications service (topic `commissioning.applications.v1`)."""

from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator

from shared.contracts.base import DomainEvent, Money, event
from shared.contracts.funding import Mechanism


@event("applications")
class ApplicationApproved(DomainEvent):
    """The commissioner approved an application (or a ballot chose it); funding awards it."""

    application_id: str
    round_id: str
    scheme_id: str
    fund_id: str
    pot_id: str | None = None
    mechanism: Mechanism
    applicant_organisation_id: str
    applicant_name: str
    applicant_is_public_body: bool = False
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    amount: Money = Field(gt=0)
    start_date: date
    end_date: date
    spend_category: str | None = None
    decision_reference: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    beneficiary_location: str | None = None
    plan_priorities: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _dates_in_order(self) -> ApplicationApproved:
        if self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self
