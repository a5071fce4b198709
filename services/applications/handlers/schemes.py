"""Scheme and round commands."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.applications.domain import schemes
from services.applications.domain.errors import NotFoundError
from services.applications.handlers.base import Context, execute
from services.applications.handlers.streams import ROUND, load_scheme, load_user, scheme_stream
from shared.contracts.base import DomainEvent
from shared.eventstore.envelope import Envelope
from shared.eventstore.store import EventStore


async def launch(
    engine: AsyncEngine, store: EventStore, context: Context, command: schemes.LaunchScheme
) -> list[Envelope]:
    """Launch a funding scheme."""

    async def decide(conn: AsyncConnection, past: list[DomainEvent]) -> list[DomainEvent]:
        return [schemes.launch_scheme(schemes.scheme(past), command)]

    stream = scheme_stream(context.partnership_id, command.scheme_id)
    return await execute(engine, store, context, stream, decide)


async def open_round(
    engine: AsyncEngine,
    store: EventStore,
    context: Context,
    scheme_id: str,
    round_id: str,
    name: str,
    dates: tuple[date, date],
) -> list[Envelope]:
    """Open a round of a scheme for applications between two dates."""

    async def decide(conn: AsyncConnection, past: list[DomainEvent]) -> list[DomainEvent]:
        launched = await load_scheme(conn, store, context.partnership_id, scheme_id)
        return [schemes.open_round(launched, round_id, name, *dates)]

    return await execute(engine, store, context, (ROUND, round_id), decide)


async def close_round(
    engine: AsyncEngine, store: EventStore, context: Context, round_id: str
) -> list[Envelope]:
    """Close a round to further applications."""

    async def decide(conn: AsyncConnection, past: list[DomainEvent]) -> list[DomainEvent]:
        current = schemes.round_of(past)
        if current is None:
            raise NotFoundError(f"no round {round_id!r} in partnership {context.partnership_id!r}")
        return [schemes.close_round(current, context.now.date())]

    return await execute(engine, store, context, (ROUND, round_id), decide)


async def assign_assessors(
    engine: AsyncEngine,
    store: EventStore,
    context: Context,
    round_id: str,
    assessor_ids: Sequence[str],
) -> list[Envelope]:
    """Name the only assessors who may see and score the round's applications."""

    async def decide(conn: AsyncConnection, past: list[DomainEvent]) -> list[DomainEvent]:
        current = schemes.round_of(past)
        if current is None:
            raise NotFoundError(f"no round {round_id!r} in partnership {context.partnership_id!r}")
        registered = {
            a: await load_user(conn, store, context.partnership_id, a) for a in assessor_ids
        }
        return [schemes.assign_assessors(current, assessor_ids, registered, context.actor.user_id)]

    return await execute(engine, store, context, (ROUND, round_id), decide)
