"""Request and response bodies of the application routes."""

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from services.applications.api.common import Paged
from services.applications.domain.applications import Status
from shared.contracts.applications import FailedRule
from shared.contracts.base import Money
from shared.eventstore.envelope import Envelope


class SubmitApplication(BaseModel):
    """An application of the caller's organisation to a round."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=500)
    description: str = Field(min_length=1)
    amount: Money = Field(gt=0)
    start_date: date
    end_date: date
    plan_priorities: list[str] = []
    beneficiary_location: str | None = None


class ApplicationSummary(BaseModel):
    """An application in a round's listing."""

    application_id: str
    organisation_id: str
    organisation_name: str
    title: str
    amount: Money
    status: Status
    submitted_at: datetime
    mean_score: Decimal | None
    blocked_reason: str | None


class ApplicationList(Paged):
    """One page of a round's applications."""

    items: list[ApplicationSummary]


class ApplicationView(BaseModel):
    """An application as it stands, with screening, scores and any funding block."""

    application_id: str
    round_id: str
    scheme_id: str
    organisation_id: str
    organisation_name: str
    title: str
    description: str
    amount: Money
    start_date: date
    end_date: date
    plan_priorities: list[str]
    submitted_at: datetime
    status: Status
    failed_rules: list[FailedRule]
    scores: int
    mean_score: Decimal | None
    blocked_reason: str | None


class History(BaseModel):
    """An application's events, oldest first."""

    application_id: str
    events: list[Envelope]


class Screening(BaseModel):
    """Screening: the scheme's rules are checked; the screener may add findings of its own."""

    model_config = ConfigDict(extra="forbid")

    other_failures: list[str] = []


class Declaration(BaseModel):
    """The calling assessor's declaration of interest in the application."""

    model_config = ConfigDict(extra="forbid")

    has_conflict: bool
    details: str = ""


class Scores(BaseModel):
    """The calling assessor's score for each criterion of the scheme."""

    model_config = ConfigDict(extra="forbid")

    scores: dict[str, int]
    comment: str = ""


class Decision(BaseModel):
    """A commissioner's decision: its reference (e.g. PCCG-2019-015) and reason."""

    model_config = ConfigDict(extra="forbid")

    decision_reference: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class Withdrawal(BaseModel):
    """Why the applicant withdraws."""

    model_config = ConfigDict(extra="forbid")

    reason: str = ""
