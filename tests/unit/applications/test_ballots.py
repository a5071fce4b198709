"""Participatory budgeting: salted voter hashes, one vote each, winners within budget and cap."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from services.applications.domain import ballots
from services.applications.domain.applications import Status
from services.applications.domain.decisions import decided_by_vote
from services.applications.domain.errors import ConflictError, NotFoundError
from services.applications.domain.schemes import Round
from services.applications.seed_schemes import NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE
from shared.contracts.applications import (
    ApplicationApproved,
    ApplicationRejected,
    ApplicationScreened,
    BallotCandidate,
)
from tests.unit.applications.builders import a_round, fold, launched, submitted

SCHEME = launched(NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE)
T0 = datetime(2019, 6, 1, tzinfo=UTC)


def candidate(app: str, amount: str, minutes: int = 0) -> BallotCandidate:
    return BallotCandidate(
        application_id=app,
        title=f"Project {app}",
        amount=Decimal(amount),
        submitted_at=T0 + timedelta(minutes=minutes),
    )


def closed_round() -> Round:
    return Round(opened=a_round(SCHEME).opened, closed_on=date(2019, 7, 1))


def test_a_voter_is_kept_only_as_a_salted_normalised_hash() -> None:
    one = ballots.voter_hash("salt-one-0123456789", "Ann@Example.org ")
    assert one == ballots.voter_hash("salt-one-0123456789", "ann@example.org")
    assert one != ballots.voter_hash("salt-two-0123456789", "ann@example.org")
    assert "ann" not in one and len(one) == 64


def test_a_ballot_opens_only_for_a_closed_public_vote_round_with_candidates() -> None:
    with pytest.raises(ConflictError, match="still accepts applications"):
        ballots.open_ballot(None, SCHEME, a_round(SCHEME), [candidate("a", "100")])
    with pytest.raises(ConflictError, match="no eligible projects"):
        ballots.open_ballot(None, SCHEME, closed_round(), [])
    with pytest.raises(ConflictError, match="decided by a panel"):
        ballots.open_ballot(None, launched(), closed_round(), [candidate("a", "100")])
    opened = ballots.open_ballot(None, SCHEME, closed_round(), [candidate("a", "100")])
    assert (opened.budget, opened.project_cap) == (Decimal("42000.00"), 12)
    with pytest.raises(ConflictError, match="already has a ballot"):
        ballots.open_ballot(ballots.ballot([opened]), SCHEME, closed_round(), [])


def test_votes_go_only_to_projects_on_an_open_ballot() -> None:
    on_ballot = frozenset({"a", "b"})
    vote = ballots.cast_vote("round-1", on_ballot, False, "f" * 64, "a")
    assert vote.application_id == "a"
    with pytest.raises(NotFoundError, match="project c is not on the ballot"):
        ballots.cast_vote("round-1", on_ballot, False, "f" * 64, "c")
    with pytest.raises(ConflictError, match="is closed"):
        ballots.cast_vote("round-1", on_ballot, True, "f" * 64, "a")


def test_winners_are_taken_by_votes_within_the_budget_and_the_cap() -> None:
    candidates = [candidate(n, "5000") for n in "abcdefghijklmn"]  # 14 projects of £5,000
    tallies = {c.application_id: 100 - i for i, c in enumerate(candidates)}
    winners = ballots.select_winners(candidates, tallies, Decimal("42000"), cap=12)
    assert [w.application_id for w in winners] == list("abcdefgh")  # 8 × £5,000 fit £42,000
    cheap = [candidate(n, "1000") for n in "abcdefghijklmn"]
    capped = ballots.select_winners(cheap, tallies, Decimal("42000"), cap=12)
    assert [w.application_id for w in capped] == list("abcdefghijkl")  # the cap of 12


def test_a_project_that_no_longer_fits_is_passed_over_for_the_next_one() -> None:
    candidates = [candidate("big", "40000"), candidate("huge", "30000"), candidate("small", "2000")]
    tallies = {"big": 90, "huge": 80, "small": 10}
    winners = ballots.select_winners(candidates, tallies, Decimal("42000"), cap=12)
    assert [w.application_id for w in winners] == ["big", "small"]


def test_tie_rule_cheaper_first_then_earlier_submission_and_no_votes_never_win() -> None:
    candidates = [
        candidate("late-cheap", "1000", minutes=9),
        candidate("early-dear", "3000", minutes=1),
        candidate("early-cheap", "1000", minutes=2),
        candidate("unloved", "10", minutes=0),
    ]
    tallies = {"late-cheap": 5, "early-dear": 5, "early-cheap": 5, "unloved": 0}
    order = ballots.select_winners(candidates, tallies, Decimal("100000"), cap=3)
    assert [w.application_id for w in order] == ["early-cheap", "late-cheap", "early-dear"]
    two = ballots.select_winners(candidates, tallies, Decimal("100000"), cap=2)
    assert [w.application_id for w in two] == ["early-cheap", "late-cheap"]


def test_closing_counts_the_votes_and_decides_each_project() -> None:
    opened = ballots.open_ballot(
        None, SCHEME, closed_round(), [candidate("app-1", "2500"), candidate("app-2", "40000")]
    )
    votes = [
        ballots.cast_vote("round-1", frozenset({"app-1", "app-2"}), False, f"{i:064x}", app)
        for i, app in enumerate(["app-1", "app-1", "app-2"])
    ]
    state = ballots.ballot([opened, *votes])
    assert state is not None
    result = ballots.close_ballot(state, "YCYC-2019")
    assert [(t.application_id, t.votes) for t in result.tallies] == [("app-1", 2), ("app-2", 1)]
    assert (result.winners, result.allocated) == (("app-1",), Decimal("2500.00"))
    closed = ballots.ballot([opened, *votes, result])
    assert closed is not None
    with pytest.raises(ConflictError, match="already closed"):
        ballots.close_ballot(closed, "YCYC-2019")

    events = submitted(SCHEME)
    events.append(ApplicationScreened(application_id="app-1", eligible=True))
    on_ballot = fold(events)
    assert on_ballot.status is Status.ON_BALLOT
    approval = decided_by_vote(on_ballot, SCHEME, result)
    assert isinstance(approval, ApplicationApproved)
    assert approval.reason == "chosen by public vote (2 votes)"
    loser = result.model_copy(update={"winners": ()})
    assert isinstance(decided_by_vote(on_ballot, SCHEME, loser), ApplicationRejected)
