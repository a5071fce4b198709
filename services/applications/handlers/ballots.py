"""Participatory budgeting: open a round's ballot, take votes, close it and decide."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.applications.domain import ballots as domain
from services.applications.domain.applications import Status, application
from services.applications.domain.decisions import decided_by_vote
from services.applications.domain.errors import ConflictError, NotFoundError
from services.applications.handlers.base import (
    Context,
    decide_and_append,
    execute,
    history,
    hold_read_model,
)
from services.applications.handlers.streams import (
    APPLICATION,
    ballot_stream,
    load_round,
    load_scheme,
)
from services.applications.projections import applications, ballot_voters, ballots, mapped
from shared.contracts.applications import BallotCandidate, BallotClosed
from shared.contracts.base import DomainEvent
from shared.eventstore.envelope import Envelope
from shared.eventstore.store import EventStore


async def open_ballot(
    engine: AsyncEngine, store: EventStore, context: Context, round_id: str
) -> list[Envelope]:
    """Put the eligible projects of a closed public-vote round to the vote."""

    async def decide(conn: AsyncConnection, past: list[DomainEvent]) -> list[DomainEvent]:
        pid = context.partnership_id
        current = await load_round(conn, store, pid, round_id)
        launched = await load_scheme(conn, store, pid, current.opened.scheme_id)
        rows = await (await mapped(conn)).execute(
            select(applications)
            .where(
                applications.c.partnership_id == pid,
                applications.c.round_id == round_id,
                applications.c.status == Status.ON_BALLOT.value,
            )
            .order_by(applications.c.submitted_at, applications.c.application_id)
        )
        candidates = [
            BallotCandidate(
                application_id=r.application_id,
                title=r.title,
                amount=r.amount,
                submitted_at=r.submitted_at,
            )
            for r in rows
        ]
        return [domain.open_ballot(domain.ballot(past), launched, current, candidates)]

    return await execute(engine, store, context, ballot_stream(round_id), decide)


async def vote(
    engine: AsyncEngine,
    store: EventStore,
    context: Context,
    round_id: str,
    voter_hash: str,
    application_id: str,
) -> Envelope:
    """Record one voter's vote; a second vote by the same voter is refused (409)."""
    async with engine.begin() as connection:
        await hold_read_model(connection, store)  # the voter claim below is in the read model
        conn = await mapped(connection)
        # FOR SHARE: votes go on side by side, but the close (FOR UPDATE) waits for them.
        row = (
            await conn.execute(
                select(ballots)
                .where(
                    ballots.c.round_id == round_id,
                    ballots.c.partnership_id == context.partnership_id,
                )
                .with_for_update(read=True)
            )
        ).one_or_none()
        if row is None:
            raise NotFoundError(f"no ballot for round {round_id!r} in {context.partnership_id!r}")
        event = domain.cast_vote(
            round_id, frozenset(row.candidates.split()), row.closed, voter_hash, application_id
        )
        # The primary key makes one vote per voter atomic: a concurrent second vote waits for
        # the first to commit, then inserts nothing.
        claimed = await conn.execute(
            insert(ballot_voters)
            .values(round_id=round_id, voter_hash=voter_hash)
            .on_conflict_do_nothing()
            .returning(ballot_voters.c.voter_hash)
        )
        if claimed.one_or_none() is None:
            raise ConflictError(f"this voter has already voted in round {round_id}")
        # No expected version: votes are independent of each other; the lock above orders
        # them against the close.
        [stored] = await store.append(
            conn, *ballot_stream(round_id), [context.new(event)], expected_version=None
        )
    return stored


async def close_ballot(
    engine: AsyncEngine,
    store: EventStore,
    context: Context,
    round_id: str,
    decision_reference: str,
) -> list[Envelope]:
    """Count the votes, choose the winners, approve them and reject the others."""
    pid = context.partnership_id
    async with engine.begin() as connection:
        await hold_read_model(connection, store)
        conn = await mapped(connection)
        locked = await conn.execute(
            select(ballots.c.round_id)
            .where(ballots.c.round_id == round_id, ballots.c.partnership_id == pid)
            .with_for_update()
        )
        if locked.one_or_none() is None:
            raise NotFoundError(f"no ballot for round {round_id!r} in {pid!r}")
        current = await load_round(conn, store, pid, round_id)
        launched = await load_scheme(conn, store, pid, current.opened.scheme_id)

        results: list[BallotClosed] = []

        async def decide(conn: AsyncConnection, past: list[DomainEvent]) -> list[DomainEvent]:
            state = domain.ballot(past)
            assert state is not None  # the ballots row exists only with its stream
            results.append(domain.close_ballot(state, decision_reference))
            return [results[0]]

        outcomes = await decide_and_append(conn, store, context, ballot_stream(round_id), decide)
        for tally in results[0].tallies:
            past = await history(conn, store, pid, tally.application_id)
            state = application(past)
            assert state is not None
            decided = decided_by_vote(state, launched, results[0])
            outcomes += await store.append(
                conn, APPLICATION, tally.application_id, [context.new(decided)], len(past)
            )
    return outcomes
