"""The one way a command runs: fold the stream, decide, append (the read model follows), retry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.applications.domain.errors import ConflictError
from shared.auth import Principal
from shared.contracts.base import DomainEvent
from shared.eventstore.envelope import Actor, Envelope, NewEvent
from shared.eventstore.store import ConcurrencyError, EventStore
from shared.projection import ProjectionRunner

ATTEMPTS = 4  # a command that loses the race this often answers 409

# Decides the new events from the stream's history; may read other streams and the read model
# through the connection (the append comes after it, last in the transaction).
Decide = Callable[[AsyncConnection, list[DomainEvent]], Awaitable[Sequence[DomainEvent]]]


class ProjectedStore(EventStore):
    """The service's store: every append also updates the inline read model, in its transaction.

    So no handler writes a read model itself, and the read model is what a replay of the store
    gives (`commissioning rebuild applications`).
    """

    def __init__(self, runner: ProjectionRunner, schema: str = "applications") -> None:
        super().__init__(schema)
        self.runner = runner

    async def append(
        self,
        conn: AsyncConnection,
        stream_type: str,
        stream_id: str,
        new_events: Sequence[NewEvent],
        expected_version: int | None,
    ) -> list[Envelope]:
        """Append (see EventStore.append), then apply the new events to the read model."""
        stored = await super().append(conn, stream_type, stream_id, new_events, expected_version)
        await self.runner.apply_inline(conn, stored)
        return stored


async def hold_read_model(conn: AsyncConnection, store: EventStore) -> None:
    """Keep a rebuild from swapping the read model while this command reads and writes it."""
    if isinstance(store, ProjectedStore):
        await store.runner.hold_shared(conn)


@dataclass(frozen=True)
class Context:
    """Who gives the command, in which partnership, when, and (for reactions) because of what."""

    partnership_id: str
    actor: Actor
    now: datetime
    causation_id: UUID | None = None
    correlation_id: UUID | None = None

    @classmethod
    def of(cls, principal: Principal, now: datetime) -> Context:
        actor = Actor(
            organisation_id=principal.organisation_id,
            user_id=principal.user_id,
            role=principal.role.value,
        )
        return cls(partnership_id=principal.partnership_id, actor=actor, now=now)

    def new(self, payload: DomainEvent) -> NewEvent:
        return NewEvent(
            payload=payload,
            partnership_id=self.partnership_id,
            actor=self.actor,
            occurred_at=self.now,
            causation_id=self.causation_id,
            correlation_id=self.correlation_id,
        )


async def history(
    conn: AsyncConnection, store: EventStore, partnership_id: str, stream_id: str
) -> list[DomainEvent]:
    """A stream's events, or none when the stream belongs to another partnership."""
    envelopes = await store.read_stream(conn, stream_id)
    if envelopes and envelopes[0].partnership_id != partnership_id:
        return []  # another tenant's aggregate is, for this one, not there at all
    return [e.event() for e in envelopes]


async def decide_and_append(
    conn: AsyncConnection,
    store: EventStore,
    context: Context,
    stream: tuple[str, str],
    decide: Decide,
    check_version: bool = True,
) -> list[Envelope]:
    """One command in the caller's transaction; `stream` is (stream type, stream id)."""
    stream_type, stream_id = stream
    past = await history(conn, store, context.partnership_id, stream_id)
    new = await decide(conn, past)
    return await store.append(
        conn,
        stream_type,
        stream_id,
        [context.new(e) for e in new],
        expected_version=len(past) if check_version else None,
    )


async def execute(
    engine: AsyncEngine,
    store: EventStore,
    context: Context,
    stream: tuple[str, str],
    decide: Decide,
    check_version: bool = True,
) -> list[Envelope]:
    """Run a command in a transaction of its own, deciding again if another writer got first."""
    for attempt in range(ATTEMPTS):
        try:
            async with engine.begin() as conn:
                await hold_read_model(conn, store)
                return await decide_and_append(conn, store, context, stream, decide, check_version)
        except ConcurrencyError as error:
            if attempt == ATTEMPTS - 1:
                raise ConflictError(
                    f"{stream[1]} kept changing while the command ran; try again"
                ) from error
    raise AssertionError("unreachable")
