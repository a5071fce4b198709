"""Application commands: submit, screen, declare conflicts, score, decide, withdraw."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.applications.domain import applications as domain
from services.applications.domain import decisions
from services.applications.domain.applications import Application, Draft
from services.applications.domain.errors import ForbiddenError, NotFoundError
from services.applications.domain.schemes import assessor_refusal
from services.applications.handlers.base import Context, execute
from services.applications.handlers.streams import (
    APPLICATION,
    load_applicant,
    load_priorities,
    load_round,
    load_scheme,
)
from shared.contracts.base import DomainEvent
from shared.eventstore.envelope import Envelope
from shared.eventstore.store import EventStore

Step = Callable[[AsyncConnection, Application], Awaitable[DomainEvent]]


async def submit(
    engine: AsyncEngine,
    store: EventStore,
    context: Context,
    application_id: str,
    round_id: str,
    draft: Draft,
) -> list[Envelope]:
    """Submit an application of the caller's organisation to a round."""
    organisation_id = context.actor.organisation_id

    async def decide(conn: AsyncConnection, past: list[DomainEvent]) -> list[DomainEvent]:
        pid = context.partnership_id
        current = await load_round(conn, store, pid, round_id)
        launched = await load_scheme(conn, store, pid, current.opened.scheme_id)
        applicant = await load_applicant(conn, store, pid, organisation_id)
        priorities = await load_priorities(conn, store, pid)
        event = domain.submit(
            application_id, current, launched, applicant, draft, priorities, context.now
        )
        return [event]

    return await execute(engine, store, context, (APPLICATION, application_id), decide)


async def _run(
    engine: AsyncEngine, store: EventStore, context: Context, application_id: str, step: Step
) -> list[Envelope]:
    """Fold the application and take one step."""

    async def decide(conn: AsyncConnection, past: list[DomainEvent]) -> list[DomainEvent]:
        state = domain.application(past)
        if state is None:
            raise NotFoundError(
                f"no application {application_id!r} in partnership {context.partnership_id!r}"
            )
        return [await step(conn, state)]

    return await execute(engine, store, context, (APPLICATION, application_id), decide)


async def screen(
    engine: AsyncEngine,
    store: EventStore,
    context: Context,
    application_id: str,
    other_failures: Sequence[str],
) -> list[Envelope]:
    """Screen an application against every rule of its scheme."""

    async def step(conn: AsyncConnection, state: Application) -> DomainEvent:
        pid = context.partnership_id
        launched = await load_scheme(conn, store, pid, state.submitted.scheme_id)
        priorities = await load_priorities(conn, store, pid)
        return domain.screen(state, launched, priorities, other_failures)

    return await _run(engine, store, context, application_id, step)


async def _require_assigned(
    conn: AsyncConnection, store: EventStore, context: Context, state: Application
) -> None:
    """Only the round's assigned assessors may declare on or score its applications."""
    current = await load_round(conn, store, context.partnership_id, state.submitted.round_id)
    if refusal := assessor_refusal(current, context.actor.user_id):
        raise ForbiddenError(refusal)


async def declare_conflict(
    engine: AsyncEngine,
    store: EventStore,
    context: Context,
    application_id: str,
    has_conflict: bool,
    details: str,
) -> list[Envelope]:
    """Record the calling assessor's declaration of interest."""

    async def step(conn: AsyncConnection, state: Application) -> DomainEvent:
        await _require_assigned(conn, store, context, state)
        return decisions.declare_conflict(state, context.actor.user_id, has_conflict, details)

    return await _run(engine, store, context, application_id, step)


async def score(
    engine: AsyncEngine,
    store: EventStore,
    context: Context,
    application_id: str,
    scores: Mapping[str, int],
    comment: str,
) -> list[Envelope]:
    """Record the calling assessor's scores."""

    async def step(conn: AsyncConnection, state: Application) -> DomainEvent:
        await _require_assigned(conn, store, context, state)
        launched = await load_scheme(conn, store, context.partnership_id, state.submitted.scheme_id)
        return decisions.score(state, launched, context.actor.user_id, scores, comment)

    return await _run(engine, store, context, application_id, step)


async def approve(
    engine: AsyncEngine,
    store: EventStore,
    context: Context,
    application_id: str,
    decision_reference: str,
    reason: str,
) -> list[Envelope]:
    """Approve a scored application; funding will award it."""

    async def step(conn: AsyncConnection, state: Application) -> DomainEvent:
        launched = await load_scheme(conn, store, context.partnership_id, state.submitted.scheme_id)
        return decisions.approve(state, launched, decision_reference, reason)

    return await _run(engine, store, context, application_id, step)


async def reject(
    engine: AsyncEngine,
    store: EventStore,
    context: Context,
    application_id: str,
    decision_reference: str,
    reason: str,
) -> list[Envelope]:
    """Reject an application."""

    async def step(conn: AsyncConnection, state: Application) -> DomainEvent:
        return domain.reject(state, decision_reference, reason)

    return await _run(engine, store, context, application_id, step)


async def withdraw(
    engine: AsyncEngine, store: EventStore, context: Context, application_id: str, reason: str
) -> list[Envelope]:
    """Withdraw an application."""

    async def step(conn: AsyncConnection, state: Application) -> DomainEvent:
        return domain.withdraw(state, reason)

    return await _run(engine, store, context, application_id, step)
