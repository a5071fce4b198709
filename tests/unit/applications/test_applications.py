"""The application lifecycle: submit, screen, assess (conflicts enforced), decide, block."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.applications.domain import applications as domain
from services.applications.domain import decisions
from services.applications.domain.applications import Status
from services.applications.domain.errors import ConflictError, ForbiddenError, RuleViolationError
from services.applications.domain.schemes import Round
from services.applications.seed_schemes import NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE
from shared.contracts.applications import (
    ApplicationApproved,
    ApplicationSubmitted,
    OrganisationKind,
    RoundClosed,
)
from shared.contracts.funding import Mechanism
from tests.unit.applications.builders import (
    COUNCIL,
    NOW,
    PRIORITIES,
    a_round,
    draft,
    fold,
    in_assessment,
    launched,
    submitted,
)


def test_a_submission_carries_the_registry_facts_and_starts_submitted() -> None:
    [event] = submitted()
    assert isinstance(event, ApplicationSubmitted)
    assert (event.organisation_name, event.organisation_kind, event.is_public_body) == (
        "Weymouth Boxing Club",
        OrganisationKind.CHARITY,
        False,
    )
    assert fold([event]).status is Status.SUBMITTED


@pytest.mark.parametrize(
    ("round_dates", "message"),
    [
        ((date(2019, 6, 11), date(2019, 6, 30)), "opens on 2019-06-11; today is 2019-06-10"),
        ((date(2019, 5, 1), date(2019, 6, 9)), "closed on 2019-06-09; today is 2019-06-10"),
    ],
)
def test_submitting_outside_the_rounds_dates_is_refused(
    round_dates: tuple[date, date], message: str
) -> None:
    scheme = launched()
    current = a_round(scheme, *round_dates)
    with pytest.raises(RuleViolationError, match=f"round_dates: .*{message}"):
        domain.submit("app-1", current, scheme, COUNCIL, draft(), PRIORITIES, NOW)


def test_submitting_to_a_closed_round_is_refused() -> None:
    scheme = launched()
    opened = a_round(scheme).opened
    closed = Round(opened=opened, closed_on=date(2019, 6, 5))
    with pytest.raises(RuleViolationError, match="was closed on 2019-06-05"):
        domain.submit("app-1", closed, scheme, COUNCIL, draft(), PRIORITIES, NOW)
    assert isinstance(RoundClosed(round_id="r", scheme_id="s", closed_on=NOW.date()), RoundClosed)


def test_submitting_above_the_maximum_from_an_ineligible_kind_names_both_rules() -> None:
    scheme = launched()
    with pytest.raises(RuleViolationError) as refused:
        domain.submit("app-1", a_round(scheme), scheme, COUNCIL, draft("3500"), PRIORITIES, NOW)
    assert [f.rule for f in refused.value.failures] == ["max_amount", "organisation_kind"]
    assert "£3,500.00 is above the scheme maximum of £3,000.00" in str(refused.value)
    assert "a local_authority may not apply" in str(refused.value)


def test_screening_names_every_failed_rule_including_the_screeners_own() -> None:
    events = submitted(amount="50.00")  # below Dorset's £100 minimum: found at screening
    screened = domain.screen(fold(events), launched(), PRIORITIES, ["no safeguarding policy"])
    assert not screened.eligible
    assert [(f.rule, f.reason) for f in screened.failed_rules] == [
        ("min_amount", "£50.00 is below the scheme minimum of £100.00"),
        ("screener", "no safeguarding policy"),
    ]
    state = fold([*events, screened])
    assert (state.status, state.failed_rules) == (Status.INELIGIBLE, screened.failed_rules)
    with pytest.raises(ConflictError, match="is ineligible: cannot screen it again"):
        domain.screen(state, launched(), PRIORITIES)


def test_an_eligible_application_goes_to_assessment_or_to_the_ballot() -> None:
    panel = fold(in_assessment())
    assert panel.status is Status.UNDER_ASSESSMENT
    vote_scheme = launched(NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE)
    events = submitted(vote_scheme)
    screened = domain.screen(fold(events), vote_scheme, PRIORITIES)
    assert fold([*events, screened]).status is Status.ON_BALLOT


def test_an_assessor_must_declare_before_scoring_and_a_conflicted_one_cannot_score() -> None:
    scores = {"meets plan priorities": 5, "community benefit": 4, "value for money": 3}
    undeclared = fold(in_assessment())
    with pytest.raises(ForbiddenError, match="must declare any conflict of interest"):
        decisions.score(undeclared, launched(), "assessor-1", scores)
    conflicted = fold(in_assessment(None, ("assessor-1", True)))
    with pytest.raises(ForbiddenError, match=r"declared a conflict of interest .* may not score"):
        decisions.score(conflicted, launched(), "assessor-1", scores)
    assert not conflicted.may_be_scored_by("assessor-1")
    assert conflicted.may_be_scored_by("assessor-2")
    with pytest.raises(ConflictError, match="already declared"):
        decisions.declare_conflict(conflicted, "assessor-1", False, "")
    with pytest.raises(RuleViolationError, match="must say what it is"):
        decisions.declare_conflict(conflicted, "assessor-2", True, " ")


def test_scores_are_weighted_into_a_total_out_of_100_once_per_assessor() -> None:
    events = in_assessment(None, ("a1", False), ("a2", False))
    # weights 3, 2, 1 over max 5: (3*5 + 2*4 + 1*3) / 5 / 6 * 100 = 86.67
    first = decisions.score(
        fold(events),
        launched(),
        "a1",
        {"meets plan priorities": 5, "community benefit": 4, "value for money": 3},
    )
    assert first.weighted_total == Decimal("86.67")
    second = decisions.score(
        fold([*events, first]),
        launched(),
        "a2",
        {"meets plan priorities": 3, "community benefit": 3, "value for money": 3},
    )
    assert second.weighted_total == Decimal("60.00")
    state = fold([*events, first, second])
    assert (state.status, decisions.mean_score(state)) == (Status.SCORED, Decimal("73.34"))
    with pytest.raises(ConflictError, match="a1 already scored"):
        decisions.score(state, launched(), "a1", {"meets plan priorities": 1})


def test_scores_must_cover_every_criterion_within_its_range() -> None:
    state = fold(in_assessment(None, ("a1", False)))
    with pytest.raises(RuleViolationError) as refused:
        decisions.score(state, launched(), "a1", {"meets plan priorities": 6, "colour": 2})
    assert [f.reason for f in refused.value.failures] == [
        "no score for criterion 'community benefit'",
        "no score for criterion 'value for money'",
        "'meets plan priorities' scored 6, outside 0..5",
        "'colour' is not a criterion",
    ]


def scored_application() -> list:  # type: ignore[type-arg]
    events = in_assessment(None, ("a1", False))
    full = {"meets plan priorities": 5, "community benefit": 5, "value for money": 5}
    return [*events, decisions.score(fold(events), launched(), "a1", full)]


def test_approval_needs_a_score_and_carries_everything_funding_needs() -> None:
    with pytest.raises(ConflictError, match="only a scored application can be approved"):
        decisions.approve(fold(in_assessment()), launched(), "PCCG-2019-015", "good")
    approval = decisions.approve(fold(scored_application()), launched(), "PCCG-2019-015", "good")
    assert isinstance(approval, ApplicationApproved)
    assert approval.model_dump(include={"fund_id", "mechanism", "amount", "applicant_name"}) == {
        "fund_id": "dorset-police-property-act-fund",
        "mechanism": Mechanism.GRANT,
        "amount": "2500.00",  # Money serialises as an exact string
        "applicant_name": "Weymouth Boxing Club",
    }
    assert (approval.spend_category, approval.start_date, approval.decision_reference) == (
        "community safety",
        date(2019, 7, 1),
        "PCCG-2019-015",
    )


def test_decided_and_withdrawn_applications_are_final() -> None:
    events = scored_application()
    rejected = domain.reject(fold(events), "PCCG-2019-016", "budget exhausted")
    done = fold([*events, rejected])
    assert done.status is Status.REJECTED
    with pytest.raises(ConflictError, match="is rejected: cannot withdraw it"):
        domain.withdraw(done, "changed our minds")
    withdrawn = domain.withdraw(fold(events), "project cancelled")
    assert fold([*events, withdrawn]).status is Status.WITHDRAWN


def test_funding_refusal_blocks_an_approved_application_with_the_reason() -> None:
    events = scored_application()
    approval = decisions.approve(fold(events), launched(), "PCCG-2019-015", "good")
    with pytest.raises(ConflictError, match="cannot mark it blocked"):
        domain.block(fold(events), "no headroom", "evt-1")
    blocked = domain.block(fold([*events, approval]), "fund has £1,200.00 available", "evt-1")
    state = fold([*events, approval, blocked])
    assert (state.status, state.blocked_reason) == (Status.BLOCKED, "fund has £1,200.00 available")
