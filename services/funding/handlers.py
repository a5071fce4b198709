"""Commands against the funding store: decide, then append the events in one transaction."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncEngine

from services.funding.domain import AwardGrant, award_grant
from shared.auth import Principal
from shared.eventstore.envelope import Actor, Envelope, NewEvent
from shared.eventstore.store import EventStore

AWARD = "award"  # the stream type of an award's history


def actor_of(principal: Principal) -> Actor:
    """The envelope's actor for a signed-in caller."""
    return Actor(
        organisation_id=principal.organisation_id,
        user_id=principal.user_id,
        role=principal.role.value,
    )


def new_award_id() -> str:
    """A fresh award id; it is also the stream id of the award's history."""
    return f"award-{uuid4()}"


async def handle_award_grant(
    engine: AsyncEngine,
    store: EventStore,
    command: AwardGrant,
    award_id: str,
    principal: Principal,
    now: datetime,
) -> Envelope:
    """Record a grant award; the stream must be new (expected version 0)."""
    event = award_grant(command, award_id)
    async with engine.begin() as conn:
        [stored] = await store.append(
            conn,
            AWARD,
            award_id,
            [
                NewEvent(
                    payload=event,
                    partnership_id=principal.partnership_id,
                    actor=actor_of(principal),
                    occurred_at=now,
                )
            ],
            expected_version=0,
        )
    return stored


async def award_history(engine: AsyncEngine, store: EventStore, award_id: str) -> list[Envelope]:
    """Every event of one award, oldest first (empty if there is no such award)."""
    async with engine.connect() as conn:
        return await store.read_stream(conn, award_id)
