"""User registry commands: register and deactivate the users of the partnership's organisations."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.applications.domain import users
from services.applications.handlers.base import Context, execute
from services.applications.handlers.streams import load_organisation, user_stream
from shared.auth import Role
from shared.contracts.base import DomainEvent
from shared.eventstore.envelope import Envelope
from shared.eventstore.store import EventStore


async def register_user(
    engine: AsyncEngine,
    store: EventStore,
    context: Context,
    user_id: str,
    display_name: str,
    organisation_id: str,
    roles: Sequence[Role],
) -> list[Envelope]:
    """Register a user of one of the partnership's organisations."""

    async def decide(conn: AsyncConnection, past: list[DomainEvent]) -> list[DomainEvent]:
        organisation = await load_organisation(conn, store, context.partnership_id, organisation_id)
        return [
            users.register_user(
                users.user_of(past), organisation, user_id, display_name, organisation_id, roles
            )
        ]

    return await execute(
        engine, store, context, user_stream(context.partnership_id, user_id), decide
    )


async def deactivate_user(
    engine: AsyncEngine, store: EventStore, context: Context, user_id: str, reason: str
) -> list[Envelope]:
    """Stop a user acting in the partnership: their tokens are refused from now on."""

    async def decide(conn: AsyncConnection, past: list[DomainEvent]) -> list[DomainEvent]:
        return [users.deactivate_user(users.user_of(past), user_id, reason)]

    return await execute(
        engine, store, context, user_stream(context.partnership_id, user_id), decide
    )
