"""Schemes as data (the seed papers), rounds, and every eligibility rule named when broken."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.applications.domain.eligibility import Proposal, add_months, eligibility_failures
from services.applications.domain.errors import ConflictError, RuleViolationError
from services.applications.domain.schemes import (
    LaunchScheme,
    close_round,
    launch_scheme,
    not_accepting,
    round_of,
)
from services.applications.seed_schemes import (
    DORSET_COMMUNITY_GRANTS,
    NORTH_WALES_NPT_SMALL_GRANTS,
    NORTH_WALES_PACT,
    NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE,
    SEED_SCHEMES,
    WILTSHIRE_POLICE_PROPERTY_ACT,
)
from shared.contracts.applications import DecisionMode, EligibilityRules, OrganisationKind
from shared.contracts.funding import Mechanism
from tests.unit.applications.builders import PRIORITIES, a_round, launched


def proposal(
    amount: str = "2500.00",
    kind: OrganisationKind = OrganisationKind.CHARITY,
    public: bool = False,
    start: date = date(2019, 7, 1),
    end: date = date(2020, 6, 30),
    priorities: tuple[str, ...] = (PRIORITIES[0],),
) -> Proposal:
    return Proposal(kind, public, Decimal(amount), start, end, priorities)


def rules_broken(scheme: LaunchScheme, candidate: Proposal) -> list[str]:
    return [f.rule for f in eligibility_failures(launched(scheme), candidate, PRIORITIES)]


def test_every_seed_scheme_launches_as_data() -> None:
    assert {s.scheme_id for s in (launched(x) for x in SEED_SCHEMES.values())} == set(SEED_SCHEMES)
    vote = launched(NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE)
    assert (vote.decision_mode, vote.budget, vote.max_projects) == (
        DecisionMode.PUBLIC_VOTE,
        Decimal("42000.00"),
        12,
    )


def test_dorset_community_grants_are_100_to_3000_pounds_for_the_voluntary_sector() -> None:
    assert rules_broken(DORSET_COMMUNITY_GRANTS, proposal("100.00")) == []
    assert rules_broken(DORSET_COMMUNITY_GRANTS, proposal("3000.00")) == []
    assert rules_broken(DORSET_COMMUNITY_GRANTS, proposal("99.99")) == ["min_amount"]
    assert rules_broken(DORSET_COMMUNITY_GRANTS, proposal("3000.01")) == ["max_amount"]
    council = proposal(kind=OrganisationKind.LOCAL_AUTHORITY, public=True)
    assert rules_broken(DORSET_COMMUNITY_GRANTS, council) == ["organisation_kind"]


def test_wiltshire_property_act_grants_last_one_year_only() -> None:
    one_year = proposal(start=date(2019, 7, 1), end=date(2020, 6, 30))
    longer = proposal(start=date(2019, 7, 1), end=date(2020, 7, 1))
    assert rules_broken(WILTSHIRE_POLICE_PROPERTY_ACT, one_year) == []
    [failure] = eligibility_failures(launched(WILTSHIRE_POLICE_PROPERTY_ACT), longer, PRIORITIES)
    assert failure.rule == "max_duration"
    assert "beyond the scheme's maximum of 12 months (to 2020-06-30)" in failure.reason


def test_north_wales_pact_grants_are_up_to_2000_and_npt_grants_for_police_officers_only() -> None:
    assert rules_broken(NORTH_WALES_PACT, proposal("2000.00")) == []
    assert rules_broken(NORTH_WALES_PACT, proposal("2000.01")) == ["max_amount"]
    officer = proposal("250.00", kind=OrganisationKind.POLICE_FORCE, public=True, priorities=())
    assert rules_broken(NORTH_WALES_NPT_SMALL_GRANTS, officer) == []
    group = proposal("250.00", priorities=())
    assert rules_broken(NORTH_WALES_NPT_SMALL_GRANTS, group) == ["organisation_kind"]
    big = proposal("250.01", kind=OrganisationKind.POLICE_FORCE, public=True)
    assert rules_broken(NORTH_WALES_NPT_SMALL_GRANTS, big) == ["max_amount"]


def test_every_failed_rule_is_named_at_once() -> None:
    bad = proposal("5000.00", kind=OrganisationKind.COMPANY, end=date(2019, 6, 1), priorities=())
    failures = eligibility_failures(launched(DORSET_COMMUNITY_GRANTS), bad, PRIORITIES)
    assert [f.rule for f in failures] == [
        "max_amount",
        "organisation_kind",
        "dates",
        "plan_priority",
    ]
    assert failures[0].reason == "£5,000.00 is above the scheme maximum of £3,000.00"


def test_an_application_must_serve_a_priority_of_the_partnerships_plan() -> None:
    unknown = proposal(priorities=("build a new stadium",))
    [failure] = eligibility_failures(launched(DORSET_COMMUNITY_GRANTS), unknown, PRIORITIES)
    assert failure.reason == "not priorities of the partnership's plan: build a new stadium"


def test_partnership_agreements_are_for_public_bodies_only() -> None:
    agreement = LaunchScheme(
        scheme_id="dorset-cs-partnership",
        name="Community safety partnership agreement",
        mechanism=Mechanism.PARTNERSHIP_AGREEMENT,
        fund_id="dorset-csf",
        rules=EligibilityRules(public_bodies_only=True, requires_plan_priority=False),
        criteria=DORSET_COMMUNITY_GRANTS.criteria,
    )
    assert rules_broken(agreement, proposal()) == ["public_body"]
    council = proposal(kind=OrganisationKind.LOCAL_AUTHORITY, public=True)
    assert rules_broken(agreement, council) == []
    loose = agreement.model_copy(update={"rules": EligibilityRules()})
    with pytest.raises(RuleViolationError, match="must be for public bodies only"):
        launch_scheme(None, loose)


def test_scheme_launch_checks_decision_mode_criteria_and_uniqueness() -> None:
    no_criteria = DORSET_COMMUNITY_GRANTS.model_copy(update={"criteria": ()})
    with pytest.raises(RuleViolationError, match="a panel scheme needs criteria"):
        launch_scheme(None, no_criteria)
    vote = NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE.model_copy(update={"budget": None})
    with pytest.raises(RuleViolationError, match="a public vote needs a budget"):
        launch_scheme(None, vote)
    with pytest.raises(ConflictError, match="already launched"):
        launch_scheme(launched(), DORSET_COMMUNITY_GRANTS)


def test_a_round_accepts_applications_between_its_dates_until_closed() -> None:
    current = a_round(launched(), date(2019, 6, 1), date(2019, 6, 30))
    assert not_accepting(current, date(2019, 6, 1)) is None
    assert not_accepting(current, date(2019, 6, 30)) is None
    early = not_accepting(current, date(2019, 5, 31))
    assert early is not None and early.reason == (
        "round 'Summer 2019' opens on 2019-06-01; today is 2019-05-31"
    )
    closed = close_round(current, date(2019, 6, 15))
    after = round_of([current.opened, closed])
    assert after is not None
    late = not_accepting(after, date(2019, 6, 16))
    assert late is not None and late.reason == "round 'Summer 2019' was closed on 2019-06-15"
    with pytest.raises(ConflictError, match="already closed on 2019-06-15"):
        close_round(after, date(2019, 6, 16))


def test_a_round_cannot_close_before_it_opens() -> None:
    with pytest.raises(RuleViolationError, match=r"closes .* before it opens"):
        a_round(launched(), date(2019, 6, 30), date(2019, 6, 1))


def test_months_are_added_calendar_wise() -> None:
    assert add_months(date(2019, 1, 31), 1) == date(2019, 2, 28)
    assert add_months(date(2019, 7, 1), 12) == date(2020, 7, 1)
