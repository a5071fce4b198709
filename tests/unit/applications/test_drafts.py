"""Drafts: saved and updated while the round is open, private, submitted with every rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from services.applications.domain import applications as domain
from services.applications.domain.applications import Status, application
from services.applications.domain.drafts import (
    completed,
    draft_of,
    start_draft,
    update_draft,
)
from services.applications.domain.errors import ConflictError, ForbiddenError, RuleViolationError
from services.applications.domain.schemes import Round
from shared.contracts.applications import DraftContent, RoundClosed
from shared.contracts.base import DomainEvent
from tests.unit.applications.builders import (
    BOXING_CLUB,
    COUNCIL,
    NOW,
    PRIORITIES,
    a_round,
    launched,
)

CLUB = BOXING_CLUB.organisation_id
TITLE_ONLY = DraftContent(title="Youth diversion boxing")
COMPLETE = DraftContent(
    title="Youth diversion boxing",
    description="Weekly sessions for young people at risk of offending",
    amount=Decimal("2500.00"),
    start_date=date(2019, 7, 1),
    end_date=date(2020, 6, 30),
    plan_priorities=(PRIORITIES[0],),
)


def drafted(content: DraftContent = TITLE_ONLY) -> list[DomainEvent]:
    return [start_draft([], "app-1", a_round(launched()), CLUB, content, NOW)]


def test_a_draft_needs_only_a_title_and_belongs_to_the_applicant_organisation() -> None:
    state = draft_of(drafted())
    assert state is not None
    assert (state.drafted.organisation_id, state.content.title, state.submitted) == (
        CLUB,
        "Youth diversion boxing",
        False,
    )
    # A draft is not yet an application: nobody assesses, lists or decides it.
    assert application(drafted()) is None


@pytest.mark.parametrize(
    ("opens", "closes", "now", "words"),
    [
        (date(2019, 6, 1), date(2019, 6, 30), datetime(2019, 7, 1, 9, tzinfo=NOW.tzinfo), "closed"),
        (date(2019, 6, 20), date(2019, 6, 30), NOW, "opens on 2019-06-20"),
    ],
)
def test_a_draft_is_saved_only_while_the_round_is_open(
    opens: date, closes: date, now: datetime, words: str
) -> None:
    current = a_round(launched(), opens, closes)
    with pytest.raises(RuleViolationError, match=words) as refused:
        start_draft([], "app-1", current, CLUB, TITLE_ONLY, now)
    assert refused.value.failures[0].rule == "round_dates"


def test_a_draft_is_updated_while_the_round_is_open_and_not_after_it_closes() -> None:
    state = draft_of(drafted())
    assert state is not None
    current = a_round(launched())
    updated = update_draft(state, CLUB, current, COMPLETE, NOW + timedelta(hours=1))
    folded = draft_of([*drafted(), updated])
    assert folded is not None and folded.content == COMPLETE
    closed = Round(opened=current.opened, closed_on=date(2019, 6, 15))
    with pytest.raises(RuleViolationError, match="cannot update the draft: round"):
        update_draft(state, CLUB, closed, COMPLETE, NOW)


def test_only_the_drafting_organisation_may_change_or_submit_its_draft() -> None:
    state = draft_of(drafted(COMPLETE))
    assert state is not None
    with pytest.raises(ForbiddenError, match="belongs to GB-CHC-1234567"):
        update_draft(state, COUNCIL.organisation_id, a_round(launched()), COMPLETE, NOW)
    with pytest.raises(ForbiddenError):
        completed(state, COUNCIL.organisation_id)


def test_an_incomplete_draft_is_refused_at_submission_naming_every_missing_field() -> None:
    state = draft_of(drafted())
    assert state is not None
    with pytest.raises(RuleViolationError) as refused:
        completed(state, CLUB)
    assert [f.rule for f in refused.value.failures] == [
        "description",
        "amount",
        "start_date",
        "end_date",
    ]


def test_a_complete_draft_submits_with_the_submit_time_rules_of_its_round() -> None:
    scheme = launched()
    events = drafted(COMPLETE)
    state = draft_of(events)
    assert state is not None
    proposal = completed(state, CLUB)
    submitted = domain.submit(
        "app-1", a_round(scheme), scheme, BOXING_CLUB, proposal, PRIORITIES, NOW
    )
    events.append(submitted)
    after = draft_of(events)
    assert after is not None and after.submitted
    folded = application(events)
    assert folded is not None and folded.status is Status.SUBMITTED
    assert folded.submitted.amount == Decimal("2500.00")
    # A submitted draft cannot change, nor be submitted again.
    with pytest.raises(ConflictError, match="already submitted"):
        update_draft(after, CLUB, a_round(scheme), COMPLETE, NOW)
    with pytest.raises(ConflictError, match="already submitted"):
        completed(after, CLUB)


def test_submitting_a_draft_above_the_maximum_from_an_ineligible_kind_is_refused() -> None:
    scheme = launched()
    too_much = COMPLETE.model_copy(update={"amount": Decimal("3500.00")})
    state = draft_of(
        [start_draft([], "app-1", a_round(scheme), COUNCIL.organisation_id, too_much, NOW)]
    )
    assert state is not None
    proposal = completed(state, COUNCIL.organisation_id)
    with pytest.raises(RuleViolationError) as refused:
        domain.submit("app-1", a_round(scheme), scheme, COUNCIL, proposal, PRIORITIES, NOW)
    assert [f.rule for f in refused.value.failures] == ["max_amount", "organisation_kind"]


def test_submitting_a_draft_after_the_round_closed_is_refused() -> None:
    scheme = launched()
    state = draft_of(drafted(COMPLETE))
    assert state is not None
    current = a_round(scheme)
    closed = Round(
        opened=current.opened,
        closed_on=RoundClosed(
            round_id="round-1", scheme_id=scheme.scheme_id, closed_on=date(2019, 6, 9)
        ).closed_on,
    )
    with pytest.raises(RuleViolationError, match="round_dates: round 'Summer 2019' was closed"):
        domain.submit("app-1", closed, scheme, BOXING_CLUB, completed(state, CLUB), PRIORITIES, NOW)


def test_a_draft_id_already_in_use_is_refused() -> None:
    with pytest.raises(ConflictError, match="already exists"):
        start_draft(drafted(), "app-1", a_round(launched()), CLUB, TITLE_ONLY, NOW)
