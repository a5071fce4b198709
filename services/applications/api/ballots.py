"""Participatory budgeting routes: the commissioner's ballot, and the public's vote."""

from datetime import UTC, datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from services.applications.api.common import (
    ERRORS,
    Commissioner,
    Member,
    Recorded,
    domain_errors,
    recorded,
    store_of,
)
from services.applications.api.common import context as member_context
from services.applications.domain.ballots import Ballot, ballot, voter_hash
from services.applications.domain.errors import NotFoundError
from services.applications.handlers import ballots as commands
from services.applications.handlers.base import Context, history
from services.applications.handlers.streams import ballot_stream
from services.applications.settings import DEV_VOTER_SALT, ApplicationsSettings
from shared.api import RuntimeDep
from shared.contracts.applications import BallotCandidate, Tally
from shared.contracts.base import Money
from shared.eventstore.envelope import Actor
from shared.runtime import ServiceRuntime

router = APIRouter(prefix="/partnerships/{partnership_id}", tags=["ballots"], responses=ERRORS)
public = APIRouter(prefix="/public/partnerships/{partnership_id}", tags=["public vote"])
# Votes are recorded with this actor: the voter is known only by the hash inside the event.
PUBLIC_VOTER = Actor(organisation_id="public", user_id="voter", role="public")


class BallotView(BaseModel):
    """A ballot: its projects, limits and, once closed, the count and the winners."""

    round_id: str
    budget: Money
    project_cap: int
    candidates: list[BallotCandidate]
    closed: bool
    tallies: list[Tally] | None
    winners: list[str] | None
    allocated: Money | None


class CloseBallot(BaseModel):
    """The decision that closes the ballot and approves the winners."""

    model_config = ConfigDict(extra="forbid")

    decision_reference: str = Field(min_length=1)


class Vote(BaseModel):
    """A member of the public's vote: who they are (kept only as a salted hash) and for what."""

    model_config = ConfigDict(extra="forbid")

    voter: str = Field(min_length=1, max_length=320, description="e.g. the voter's email")
    application_id: str


def _view(state: Ballot) -> BallotView:
    closed = state.closed
    return BallotView(
        round_id=state.opened.round_id,
        budget=state.opened.budget,
        project_cap=state.opened.project_cap,
        candidates=list(state.opened.candidates),
        closed=closed is not None,
        tallies=list(closed.tallies) if closed else None,
        winners=list(closed.winners) if closed else None,
        allocated=closed.allocated if closed else None,
    )


async def _load(runtime: ServiceRuntime, partnership_id: str, round_id: str) -> Ballot:
    async with runtime.engine.connect() as conn:
        past = await history(conn, store_of(runtime), partnership_id, ballot_stream(round_id)[1])
    state = ballot(past)
    if state is None:
        raise NotFoundError(f"no ballot for round {round_id!r} in partnership {partnership_id!r}")
    return state


@router.post(
    "/rounds/{round_id}/ballot", status_code=status.HTTP_201_CREATED, response_model=Recorded
)
async def post_ballot(
    partnership_id: str, round_id: str, principal: Commissioner, runtime: RuntimeDep
) -> Recorded:
    """Open the public vote on a closed round's eligible projects."""
    with domain_errors():
        stored = await commands.open_ballot(
            runtime.engine, store_of(runtime), member_context(principal), round_id
        )
    return recorded(round_id, stored)


@router.get("/rounds/{round_id}/ballot", response_model=BallotView)
async def get_ballot(
    partnership_id: str, round_id: str, principal: Member, runtime: RuntimeDep
) -> BallotView:
    """The round's ballot, with the count once it is closed."""
    with domain_errors():
        return _view(await _load(runtime, partnership_id, round_id))


@router.post("/rounds/{round_id}/ballot/closure", response_model=Recorded)
async def post_ballot_closure(
    partnership_id: str,
    round_id: str,
    body: CloseBallot,
    principal: Commissioner,
    runtime: RuntimeDep,
) -> Recorded:
    """Close the vote: winners within budget and cap are approved, the others rejected."""
    with domain_errors():
        stored = await commands.close_ballot(
            runtime.engine,
            store_of(runtime),
            member_context(principal),
            round_id,
            body.decision_reference,
        )
    return recorded(round_id, stored)


@public.get("/ballots/{round_id}", response_model=BallotView)
async def get_public_ballot(partnership_id: str, round_id: str, runtime: RuntimeDep) -> BallotView:
    """The projects the public may vote for (no sign-in), and the result once closed."""
    with domain_errors():
        return _view(await _load(runtime, partnership_id, round_id))


@public.post(
    "/ballots/{round_id}/votes",
    status_code=status.HTTP_201_CREATED,
    response_model=Recorded,
    responses={k: v for k, v in ERRORS.items() if k in (404, 409, 422)},
)
async def post_vote(
    partnership_id: str, round_id: str, body: Vote, runtime: RuntimeDep
) -> Recorded:
    """Cast a vote for one project; each voter votes once per ballot."""
    settings = runtime.settings
    salt = (
        settings.voter_hash_salt if isinstance(settings, ApplicationsSettings) else DEV_VOTER_SALT
    )
    context = Context(partnership_id=partnership_id, actor=PUBLIC_VOTER, now=datetime.now(UTC))
    with domain_errors():
        stored = await commands.vote(
            runtime.engine,
            store_of(runtime),
            context,
            round_id,
            voter_hash(salt, body.voter),
            body.application_id,
        )
    return recorded(round_id, [stored])
