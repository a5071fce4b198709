"""One example of every event the applications service produces (contract round-trip tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from services.applications.seed_schemes import (
    DORSET_COMMUNITY_GRANTS,
    NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE,
)
from shared.auth import Role
from shared.contracts.applications import (
    ApplicationApproved,
    ApplicationDrafted,
    ApplicationDraftUpdated,
    ApplicationFundingBlocked,
    ApplicationRejected,
    ApplicationScored,
    ApplicationScreened,
    ApplicationSubmitted,
    ApplicationWithdrawn,
    AssessorsAssigned,
    BallotCandidate,
    BallotClosed,
    BallotOpened,
    ConflictOfInterestDeclared,
    CriterionScore,
    DraftContent,
    FailedRule,
    OrganisationKind,
    OrganisationRegistered,
    PlanPrioritiesSet,
    ProviderAccreditationRevoked,
    ProviderAccredited,
    RoundClosed,
    RoundOpened,
    SchemeLaunched,
    Tally,
    UserDeactivated,
    UserRegistered,
    VoteCast,
)
from shared.contracts.base import DomainEvent
from shared.contracts.funding import Mechanism

SUBMITTED_AT = datetime(2019, 6, 10, 9, 30, tzinfo=UTC)

EXAMPLES: list[DomainEvent] = [
    PlanPrioritiesSet(priorities=("protect the most vulnerable", "support victims")),
    OrganisationRegistered(
        organisation_id="GB-CHC-1234567",
        name="Weymouth Boxing Club",
        kind=OrganisationKind.CHARITY,
        is_public_body=False,
    ),
    SchemeLaunched(**DORSET_COMMUNITY_GRANTS.model_dump()),
    SchemeLaunched(**NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE.model_dump()),
    RoundOpened(
        round_id="round-1",
        scheme_id="dorset-community-grant-scheme",
        name="Summer 2019",
        opens_on=date(2019, 6, 1),
        closes_on=date(2019, 6, 30),
    ),
    RoundClosed(
        round_id="round-1", scheme_id="dorset-community-grant-scheme", closed_on=date(2019, 6, 30)
    ),
    ApplicationSubmitted(
        application_id="app-1",
        round_id="round-1",
        scheme_id="dorset-community-grant-scheme",
        organisation_id="GB-CHC-1234567",
        organisation_name="Weymouth Boxing Club",
        organisation_kind=OrganisationKind.CHARITY,
        is_public_body=False,
        title="Youth diversion",
        description="Weekly sessions",
        amount=Decimal("2500.00"),
        start_date=date(2019, 7, 1),
        end_date=date(2020, 6, 30),
        plan_priorities=("protect the most vulnerable",),
        submitted_at=SUBMITTED_AT,
    ),
    ApplicationScreened(
        application_id="app-2",
        eligible=False,
        failed_rules=(FailedRule(rule="max_amount", reason="£3,500.00 is above £3,000.00"),),
    ),
    ConflictOfInterestDeclared(
        application_id="app-1", assessor_id="assessor-1", has_conflict=True, details="trustee"
    ),
    ApplicationScored(
        application_id="app-1",
        assessor_id="assessor-2",
        scores=(CriterionScore(criterion="community benefit", score=4),),
        weighted_total=Decimal("80.00"),
    ),
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
    ApplicationRejected(
        application_id="app-3", round_id="round-1", decision_reference="PCCG-2019-016", reason="x"
    ),
    ApplicationWithdrawn(application_id="app-4", round_id="round-1", reason="project cancelled"),
    ApplicationFundingBlocked(
        application_id="app-1",
        reason="fund has £1,200.00 available",
        award_blocked_event_id="00000000-0000-0000-0000-000000000009",
    ),
    BallotOpened(
        round_id="round-2",
        budget=Decimal("42000.00"),
        project_cap=12,
        candidates=(
            BallotCandidate(
                application_id="app-5",
                title="Llandudno youth club",
                amount=Decimal("3500.00"),
                submitted_at=SUBMITTED_AT,
            ),
        ),
    ),
    VoteCast(round_id="round-2", voter_hash="a" * 64, application_id="app-5"),
    BallotClosed(
        round_id="round-2",
        tallies=(Tally(application_id="app-5", votes=311),),
        winners=("app-5",),
        allocated=Decimal("3500.00"),
        decision_reference="YCYC-2019",
    ),
    ProviderAccredited(
        organisation_id="GB-CHC-1234567",
        organisation_name="Weymouth Boxing Club",
        service_category="restorative justice",
        unit_price=Decimal("42.50"),
        accredited_on=date(2019, 6, 1),
    ),
    ProviderAccreditationRevoked(
        organisation_id="GB-CHC-1234567",
        service_category="restorative justice",
        reason="quality concerns",
        revoked_on=date(2019, 9, 1),
    ),
    ApplicationDrafted(
        application_id="app-9",
        round_id="round-1",
        scheme_id="dorset-community-grant-scheme",
        organisation_id="GB-CHC-1234567",
        content=DraftContent(title="Youth diversion boxing", amount=Decimal("2500.00")),
        saved_at=SUBMITTED_AT,
    ),
    ApplicationDraftUpdated(
        application_id="app-9",
        content=DraftContent(
            title="Youth diversion boxing",
            description="Weekly sessions for young people at risk of offending",
            amount=Decimal("2400.00"),
            start_date=date(2019, 7, 1),
            end_date=date(2020, 6, 30),
            plan_priorities=("protect the most vulnerable",),
        ),
        saved_at=SUBMITTED_AT,
    ),
    UserRegistered(
        user_id="u-panel-assessor-1",
        display_name="A. Assessor",
        organisation_id="GB-PLA-DORSET-OPCC",
        roles=(Role.ASSESSOR,),
    ),
    UserDeactivated(
        user_id="u-panel-assessor-1", organisation_id="GB-PLA-DORSET-OPCC", reason="left the panel"
    ),
    AssessorsAssigned(
        round_id="round-1",
        assessor_ids=("u-panel-assessor-1", "u-panel-assessor-2"),
        assigned_by="u-commissioning-officer-7",
    ),
]
