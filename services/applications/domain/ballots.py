"""Participatory budgeting ("Your Community, Your Choice", North Wales): ballots and winners.

Tie rule (docs/adr/0010): projects are taken in order of votes; among equal votes the project
asking for less goes first (it leaves more of the budget for others), then the earlier
submission, then the application id. A project that no longer fits the remaining budget is
passed over and the next one considered; selection stops at the project cap. A project with
no votes is never chosen.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from services.applications.domain.errors import ConflictError, NotFoundError, RuleViolationError
from services.applications.domain.schemes import Round
from shared.contracts.applications import (
    BallotCandidate,
    BallotClosed,
    BallotOpened,
    DecisionMode,
    SchemeLaunched,
    Tally,
    VoteCast,
)
from shared.contracts.base import DomainEvent


def voter_hash(salt: str, identity: str) -> str:
    """The only form in which a voter's identity is kept: HMAC-SHA256 under a secret salt.

    Normalised first (trimmed, case-folded) so "Ann@Example.org " cannot vote twice as
    "ann@example.org"; keyed so nobody without the salt can test a guess against the hashes.
    """
    normalised = identity.strip().casefold()
    if not normalised:
        raise RuleViolationError.single("voter", "a vote needs the voter's identity")
    return hmac.new(salt.encode(), normalised.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Ballot:
    """A round's ballot folded from its stream."""

    opened: BallotOpened
    tallies: dict[str, int] = field(default_factory=dict)
    closed: BallotClosed | None = None


def ballot(events: Iterable[DomainEvent]) -> Ballot | None:
    """Fold a ballot's events: the candidates, the votes so far, the result once closed."""
    state: Ballot | None = None
    for event in events:
        if isinstance(event, BallotOpened):
            state = Ballot(opened=event, tallies={c.application_id: 0 for c in event.candidates})
        elif isinstance(event, VoteCast) and state is not None:
            state.tallies[event.application_id] += 1
        elif isinstance(event, BallotClosed) and state is not None:
            state = Ballot(opened=state.opened, tallies=state.tallies, closed=event)
    return state


def open_ballot(
    existing: Ballot | None,
    launched: SchemeLaunched,
    current_round: Round,
    candidates: Sequence[BallotCandidate],
) -> BallotOpened:
    """Put a closed round's eligible projects to the public vote, with the scheme's limits."""
    round_id = current_round.opened.round_id
    if launched.decision_mode is not DecisionMode.PUBLIC_VOTE:
        raise ConflictError(f"scheme {launched.scheme_id} is decided by a panel, not a vote")
    if existing is not None:
        raise ConflictError(f"round {round_id} already has a ballot")
    if current_round.closed_on is None:
        raise ConflictError(f"round {round_id} still accepts applications: close it first")
    if not candidates:
        raise ConflictError(f"round {round_id} has no eligible projects to vote on")
    assert launched.budget is not None and launched.max_projects is not None  # launch checks
    return BallotOpened(
        round_id=round_id,
        budget=launched.budget,
        project_cap=launched.max_projects,
        candidates=tuple(candidates),
    )


def cast_vote(
    round_id: str, candidates: frozenset[str], is_closed: bool, voter: str, application_id: str
) -> VoteCast:
    """A vote for one project of an open ballot (one per voter: enforced where it is stored)."""
    if is_closed:
        raise ConflictError(f"the ballot of round {round_id} is closed")
    if application_id not in candidates:
        raise NotFoundError(f"project {application_id} is not on the ballot of round {round_id}")
    return VoteCast(round_id=round_id, voter_hash=voter, application_id=application_id)


def select_winners(
    candidates: Sequence[BallotCandidate], tallies: dict[str, int], budget: Decimal, cap: int
) -> list[BallotCandidate]:
    """The winners under the tie rule in this module's docstring."""
    order = sorted(
        (c for c in candidates if tallies.get(c.application_id, 0) > 0),
        key=lambda c: (-tallies[c.application_id], c.amount, c.submitted_at, c.application_id),
    )
    winners: list[BallotCandidate] = []
    remaining = budget
    for candidate in order:
        if len(winners) == cap:
            break
        if candidate.amount <= remaining:
            winners.append(candidate)
            remaining -= candidate.amount
    return winners


def close_ballot(state: Ballot, decision_reference: str) -> BallotClosed:
    """End voting and choose the winners within the budget and the cap."""
    opened = state.opened
    if state.closed is not None:
        raise ConflictError(f"the ballot of round {opened.round_id} is already closed")
    winners = select_winners(opened.candidates, state.tallies, opened.budget, opened.project_cap)
    return BallotClosed(
        round_id=opened.round_id,
        tallies=tuple(
            Tally(application_id=c.application_id, votes=state.tallies[c.application_id])
            for c in opened.candidates
        ),
        winners=tuple(w.application_id for w in winners),
        allocated=sum((w.amount for w in winners), start=Decimal(0)),
        decision_reference=decision_reference,
    )
