"""Events produced by the applications service (topic `commissioning.applications.v1`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, model_validator

from shared.auth import Role
from shared.contracts.base import DomainEvent, Money, event
from shared.contracts.funding import Mechanism


class Part(BaseModel):
    """A value object inside an event payload: frozen, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class OrganisationKind(StrEnum):
    """The kinds of organisation a commissioning partnership deals with (DESIGN.md §1)."""

    OPCC = "opcc"
    POLICE_FORCE = "police_force"
    LOCAL_AUTHORITY = "local_authority"
    HEALTH_BOARD = "health_board"
    COMMUNITY_SAFETY_PARTNERSHIP = "community_safety_partnership"
    FIRE_AND_RESCUE = "fire_and_rescue"
    PROBATION_YOUTH_OFFENDING = "probation_youth_offending"
    VOLUNTARY_COMMUNITY_GROUP = "voluntary_community_group"
    CHARITY = "charity"
    COMPANY = "company"
    OTHER = "other"


class DecisionMode(StrEnum):
    """How a scheme's applications are decided: an assessment panel, or the public's vote."""

    PANEL = "panel"
    PUBLIC_VOTE = "public_vote"


class EligibilityRules(Part):
    """Who may apply for what; every rule optional, so each scheme states only its own."""

    min_amount: Money | None = Field(default=None, gt=0)
    max_amount: Money | None = Field(default=None, gt=0)
    eligible_kinds: tuple[OrganisationKind, ...] = ()  # empty: any kind of organisation
    public_bodies_only: bool = False
    max_duration_months: PositiveInt | None = None
    requires_plan_priority: bool = True

    @model_validator(mode="after")
    def _bounds_in_order(self) -> EligibilityRules:
        if self.min_amount and self.max_amount and self.min_amount > self.max_amount:
            raise ValueError(f"min_amount {self.min_amount} is above max_amount {self.max_amount}")
        return self


class Criterion(Part):
    """One assessment criterion: scored 0..max_score, counting `weight` in the total."""

    name: str = Field(min_length=1)
    weight: Decimal = Field(gt=0)
    max_score: PositiveInt = 5


class FailedRule(Part):
    """An eligibility rule an application breaks, and how."""

    rule: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class CriterionScore(Part):
    """An assessor's score on one criterion."""

    criterion: str = Field(min_length=1)
    score: int = Field(ge=0)


class BallotCandidate(Part):
    """A project on a participatory-budgeting ballot."""

    application_id: str
    title: str
    amount: Money = Field(gt=0)
    submitted_at: datetime


class Tally(Part):
    """The votes one project received."""

    application_id: str
    votes: int = Field(ge=0)


@event("applications")
class PlanPrioritiesSet(DomainEvent):
    """The partnership's Police and Crime Plan priorities, which applications must serve."""

    priorities: tuple[str, ...] = Field(min_length=1)


@event("applications")
class OrganisationRegistered(DomainEvent):
    """An organisation joined the partnership's registry under its org-id identifier."""

    organisation_id: str
    name: str = Field(min_length=1)
    kind: OrganisationKind
    is_public_body: bool


@event("applications")
class SchemeLaunched(DomainEvent):
    """A funding scheme: mechanism, fund, eligibility rules and how it decides."""

    scheme_id: str
    name: str = Field(min_length=1)
    mechanism: Mechanism
    fund_id: str = Field(min_length=1)
    pot_id: str | None = None
    spend_category: str | None = None
    rules: EligibilityRules
    decision_mode: DecisionMode
    criteria: tuple[Criterion, ...] = ()
    budget: Money | None = Field(default=None, gt=0)
    max_projects: PositiveInt | None = None


@event("applications")
class RoundOpened(DomainEvent):
    """A round of a scheme accepts applications from `opens_on` to `closes_on` inclusive."""

    round_id: str
    scheme_id: str
    name: str = Field(min_length=1)
    opens_on: date
    closes_on: date


@event("applications")
class RoundClosed(DomainEvent):
    """A round stopped accepting applications."""

    round_id: str
    scheme_id: str
    closed_on: date


class DraftContent(Part):
    """What an applicant has written so far; only the title is needed to save a draft."""

    title: str = Field(min_length=1, max_length=500)
    description: str | None = None
    amount: Money | None = Field(default=None, gt=0)
    start_date: date | None = None
    end_date: date | None = None
    plan_priorities: tuple[str, ...] = ()
    beneficiary_location: str | None = None


# Drafts are private to the applicant's organisation: publication maps none of these events.
@event("applications")
class ApplicationDrafted(DomainEvent):
    """An applicant saved a draft application to a round (the stream's first event)."""

    application_id: str
    round_id: str
    scheme_id: str
    organisation_id: str
    content: DraftContent
    saved_at: datetime


@event("applications")
class ApplicationDraftUpdated(DomainEvent):
    """The applicant replaced the draft's content."""

    application_id: str
    content: DraftContent
    saved_at: datetime


@event("applications")
class ApplicationSubmitted(DomainEvent):
    """An organisation applied to a round; the organisation's registry facts travel with it."""

    application_id: str
    round_id: str
    scheme_id: str
    organisation_id: str
    organisation_name: str
    organisation_kind: OrganisationKind
    is_public_body: bool
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    amount: Money = Field(gt=0)
    start_date: date
    end_date: date
    plan_priorities: tuple[str, ...] = ()
    beneficiary_location: str | None = None
    decision_mode: DecisionMode = DecisionMode.PANEL  # the scheme's, so the stages fold alone
    submitted_at: datetime


@event("applications")
class ApplicationScreened(DomainEvent):
    """Screening found the application eligible, or ineligible naming every failed rule."""

    application_id: str
    eligible: bool
    failed_rules: tuple[FailedRule, ...] = ()


@event("applications")
class ConflictOfInterestDeclared(DomainEvent):
    """An assessor declared a conflict of interest in an application, or declared none."""

    application_id: str
    assessor_id: str
    has_conflict: bool
    details: str = ""


@event("applications")
class ApplicationScored(DomainEvent):
    """An assessor scored every criterion; the weighted total is out of 100."""

    application_id: str
    assessor_id: str
    scores: tuple[CriterionScore, ...] = Field(min_length=1)
    weighted_total: Decimal = Field(ge=0, le=100)
    comment: str = ""


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


@event("applications")
class ApplicationRejected(DomainEvent):
    """The commissioner rejected an application, with a decision reference and a reason."""

    application_id: str
    round_id: str
    decision_reference: str = Field(min_length=1)
    reason: str = Field(min_length=1)


@event("applications")
class ApplicationWithdrawn(DomainEvent):
    """The applicant withdrew its application before a decision."""

    application_id: str
    round_id: str
    reason: str = ""


@event("applications")
class ApplicationFundingBlocked(DomainEvent):
    """Funding could not award an approved application (its `AwardBlocked`), with the reason."""

    application_id: str
    reason: str = Field(min_length=1)
    award_blocked_event_id: str


@event("applications")
class BallotOpened(DomainEvent):
    """The public may vote on a round's eligible projects, within a budget and a project cap."""

    round_id: str
    budget: Money = Field(gt=0)
    project_cap: PositiveInt
    candidates: tuple[BallotCandidate, ...] = Field(min_length=1)


@event("applications")
class VoteCast(DomainEvent):
    """One voter's vote; the voter is known only by a salted hash of their identity."""

    round_id: str
    voter_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    application_id: str


@event("applications")
class BallotClosed(DomainEvent):
    """Voting ended; the winners fit the budget and the cap (tie rule: docs/adr/0010)."""

    round_id: str
    tallies: tuple[Tally, ...]
    winners: tuple[str, ...]
    allocated: Money = Field(ge=0)
    decision_reference: str = Field(min_length=1)


@event("applications")
class ProviderAccredited(DomainEvent):
    """Any Qualified Provider: an organisation may deliver a service category at a unit price."""

    organisation_id: str
    organisation_name: str
    service_category: str = Field(min_length=1)
    unit_price: Money = Field(gt=0)
    accredited_on: date


@event("applications")
class ProviderAccreditationRevoked(DomainEvent):
    """A provider's accreditation for a service category ended."""

    organisation_id: str
    service_category: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    revoked_on: date


# The user registry is internal: display names are personal data, and publication maps none of
# these events (docs/adr/0020).
@event("applications")
class UserRegistered(DomainEvent):
    """A person may act for a registered organisation of the partnership, in these roles."""

    user_id: str = Field(min_length=1)
    display_name: str = Field(min_length=1, max_length=200)
    organisation_id: str
    roles: tuple[Role, ...] = Field(min_length=1)


@event("applications")
class UserDeactivated(DomainEvent):
    """A registered user may no longer act in the partnership; their tokens are refused."""

    user_id: str
    organisation_id: str
    reason: str = Field(min_length=1)


@event("applications")
class AssessorsAssigned(DomainEvent):
    """Who may see, declare on and score a round's applications (replaces any earlier list)."""

    round_id: str
    assessor_ids: tuple[str, ...]
    assigned_by: str
