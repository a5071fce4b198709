"""Registry commands: plan priorities, organisations, provider accreditation."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.applications.domain import registry
from services.applications.handlers.base import Context, execute
from services.applications.handlers.streams import (
    accreditation_stream,
    load_organisation,
    organisation_stream,
    partnership_stream,
)
from shared.contracts.applications import OrganisationKind
from shared.contracts.base import DomainEvent
from shared.eventstore.envelope import Envelope
from shared.eventstore.store import EventStore


async def set_priorities(
    engine: AsyncEngine, store: EventStore, context: Context, priorities: Sequence[str]
) -> list[Envelope]:
    """Record the partnership's Police and Crime Plan priorities."""

    async def decide(conn: AsyncConnection, past: list[DomainEvent]) -> list[DomainEvent]:
        return [registry.set_plan_priorities(priorities)]

    return await execute(engine, store, context, partnership_stream(context.partnership_id), decide)


async def register_organisation(
    engine: AsyncEngine,
    store: EventStore,
    context: Context,
    organisation_id: str,
    name: str,
    kind: OrganisationKind,
    is_public_body: bool | None,
) -> list[Envelope]:
    """Register an organisation in the partnership's registry."""

    async def decide(conn: AsyncConnection, past: list[DomainEvent]) -> list[DomainEvent]:
        return [
            registry.register_organisation(
                registry.organisation(past), organisation_id, name, kind, is_public_body
            )
        ]

    stream = organisation_stream(context.partnership_id, organisation_id)
    return await execute(engine, store, context, stream, decide)


async def accredit(
    engine: AsyncEngine,
    store: EventStore,
    context: Context,
    organisation_id: str,
    service_category: str,
    unit_price: Decimal,
) -> list[Envelope]:
    """Accredit a provider for a service category (Any Qualified Provider)."""

    async def decide(conn: AsyncConnection, past: list[DomainEvent]) -> list[DomainEvent]:
        provider = await load_organisation(conn, store, context.partnership_id, organisation_id)
        return [
            registry.accredit_provider(
                registry.accreditation(past),
                provider,
                organisation_id,
                service_category,
                unit_price,
                context.now.date(),
            )
        ]

    stream = accreditation_stream(context.partnership_id, organisation_id, service_category)
    return await execute(engine, store, context, stream, decide)


async def revoke(
    engine: AsyncEngine,
    store: EventStore,
    context: Context,
    organisation_id: str,
    service_category: str,
    reason: str,
) -> list[Envelope]:
    """Revoke a provider's accreditation for a service category."""

    async def decide(conn: AsyncConnection, past: list[DomainEvent]) -> list[DomainEvent]:
        return [
            registry.revoke_accreditation(
                registry.accreditation(past),
                organisation_id,
                service_category,
                reason,
                context.now.date(),
            )
        ]

    stream = accreditation_stream(context.partnership_id, organisation_id, service_category)
    return await execute(engine, store, context, stream, decide)
