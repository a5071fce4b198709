"""Reactions to other services' events: funding's `AwardBlocked` blocks the application."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import cast

from sqlalchemy.ext.asyncio import AsyncConnection

from services.applications.domain import applications as domain
from services.applications.domain.applications import Status
from services.applications.handlers.base import Context, ProjectedStore, decide_and_append
from services.applications.handlers.streams import APPLICATION
from services.applications.projections import PROJECTION
from shared.contracts.base import DomainEvent
from shared.contracts.funding import AwardBlocked
from shared.eventstore.envelope import Actor, Envelope
from shared.projection import ProjectionRunner

log = logging.getLogger(__name__)
FUNDING_CONSUMER = "applications.funding"


async def on_award_blocked(conn: AsyncConnection, envelopes: Sequence[Envelope]) -> None:
    """Mark each approved application funding refused as blocked, with funding's reason."""
    store = ProjectedStore(ProjectionRunner(PROJECTION, conn.engine))
    for envelope in envelopes:
        if envelope.event_type != AwardBlocked.event_type:
            continue  # awards and the rest of funding's history are not ours to react to
        blocked = cast(AwardBlocked, envelope.event())
        context = Context(
            partnership_id=envelope.partnership_id,
            actor=Actor.system("applications"),
            now=envelope.occurred_at,
            causation_id=envelope.event_id,
            correlation_id=envelope.correlation_id,
        )

        async def decide(
            conn: AsyncConnection,
            past: list[DomainEvent],
            blocked: AwardBlocked = blocked,
            context: Context = context,
            envelope: Envelope = envelope,
        ) -> list[DomainEvent]:
            state = domain.application(past)
            if state is None or state.status is not Status.APPROVED:
                # Not ours (an award made without an application here) or already handled.
                log.info(
                    "AwardBlocked %s: application %s is not approved here; ignored",
                    envelope.event_id,
                    blocked.application_id,
                )
                return []
            return [domain.block(state, blocked.reason, str(envelope.event_id))]

        await decide_and_append(conn, store, context, (APPLICATION, blocked.application_id), decide)
