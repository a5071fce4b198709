"""Draft commands: save a draft, update it, submit it (with every submit-time rule)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.applications.domain import applications as domain
from services.applications.domain import drafts
from services.applications.domain.errors import NotFoundError
from services.applications.handlers.base import Context, execute
from services.applications.handlers.streams import (
    APPLICATION,
    load_applicant,
    load_priorities,
    load_round,
    load_scheme,
)
from shared.contracts.applications import DraftContent
from shared.contracts.base import DomainEvent
from shared.eventstore.envelope import Envelope
from shared.eventstore.store import EventStore


def _draft(context: Context, application_id: str, past: list[DomainEvent]) -> drafts.DraftState:
    state = drafts.draft_of(past)
    # Another organisation's draft is, for the caller, not there at all.
    if state is None or state.drafted.organisation_id != context.actor.organisation_id:
        raise NotFoundError(
            f"no draft {application_id!r} of {context.actor.organisation_id} in partnership "
            f"{context.partnership_id!r}"
        )
    return state


async def save_draft(
    engine: AsyncEngine,
    store: EventStore,
    context: Context,
    application_id: str,
    round_id: str,
    content: DraftContent,
) -> list[Envelope]:
    """Save a first draft of the caller's organisation to an open round."""

    async def decide(conn: AsyncConnection, past: list[DomainEvent]) -> list[DomainEvent]:
        current = await load_round(conn, store, context.partnership_id, round_id)
        organisation_id = context.actor.organisation_id
        return [
            drafts.start_draft(past, application_id, current, organisation_id, content, context.now)
        ]

    return await execute(engine, store, context, (APPLICATION, application_id), decide)


async def update_draft(
    engine: AsyncEngine,
    store: EventStore,
    context: Context,
    application_id: str,
    content: DraftContent,
) -> list[Envelope]:
    """Replace the content of the caller's organisation's unsubmitted draft."""

    async def decide(conn: AsyncConnection, past: list[DomainEvent]) -> list[DomainEvent]:
        state = _draft(context, application_id, past)
        current = await load_round(conn, store, context.partnership_id, state.drafted.round_id)
        return [
            drafts.update_draft(state, context.actor.organisation_id, current, content, context.now)
        ]

    return await execute(engine, store, context, (APPLICATION, application_id), decide)


async def submit_draft(
    engine: AsyncEngine, store: EventStore, context: Context, application_id: str
) -> list[Envelope]:
    """Submit a complete draft: the round must be open and the scheme's rules met."""

    async def decide(conn: AsyncConnection, past: list[DomainEvent]) -> list[DomainEvent]:
        pid, organisation_id = context.partnership_id, context.actor.organisation_id
        state = _draft(context, application_id, past)
        draft = drafts.completed(state, organisation_id)
        current = await load_round(conn, store, pid, state.drafted.round_id)
        launched = await load_scheme(conn, store, pid, current.opened.scheme_id)
        applicant = await load_applicant(conn, store, pid, organisation_id)
        priorities = await load_priorities(conn, store, pid)
        return [
            domain.submit(
                application_id, current, launched, applicant, draft, priorities, context.now
            )
        ]

    return await execute(engine, store, context, (APPLICATION, application_id), decide)
