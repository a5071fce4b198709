"""Monitoring's handlers: load a service, decide, append and project, in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.monitoring.domain import STREAM_TYPE, MonitoredService, MonitoringError, fold
from services.monitoring.plans import establish_plan
from services.monitoring.projections import read_model
from services.monitoring.settings import monitoring_policy
from shared.auth import Principal
from shared.consumer import Handler
from shared.contracts.base import DomainEvent
from shared.contracts.funding import AwardMade, ContractAwarded, GrantAwarded
from shared.eventstore.envelope import Actor, Envelope, NewEvent
from shared.eventstore.store import ConcurrencyError, EventStore

ATTEMPTS = 3  # a command loses a race at most this often before the caller hears 409
AWARDS = (GrantAwarded.event_type, ContractAwarded.event_type)
Decide = Callable[[MonitoredService], Sequence[DomainEvent]]


class UnknownServiceError(MonitoringError):
    """No such monitored service in this partnership (or not yet: its award is on its way)."""


class BusyError(MonitoringError):
    """Others kept changing the service while this command was being decided."""


@dataclass(frozen=True)
class Outcome:
    """The service after a command, and the events the command stored."""

    service: MonitoredService
    stored: list[Envelope]


def actor_of(principal: Principal) -> Actor:
    """The envelope's actor for a signed-in caller."""
    return Actor(
        organisation_id=principal.organisation_id,
        user_id=principal.user_id,
        role=principal.role.value,
    )


async def _load(
    conn: AsyncConnection, store: EventStore, partnership_id: str, service_id: str
) -> tuple[list[DomainEvent], MonitoredService]:
    history = await store.read_stream(conn, service_id)
    # Another partnership's service is reported as unknown: its id must not leak.
    if not history or history[0].partnership_id != partnership_id:
        raise UnknownServiceError(
            f"no monitored service {service_id!r} in partnership {partnership_id!r}"
        )
    events = [envelope.event() for envelope in history]
    service = fold(events)
    assert service is not None  # a stream always begins with its plan
    return events, service


async def load_service(
    engine: AsyncEngine, store: EventStore, partnership_id: str, service_id: str
) -> MonitoredService:
    """The service as its history describes it, or UnknownServiceError."""
    async with engine.connect() as conn:
        return (await _load(conn, store, partnership_id, service_id))[1]


async def execute(
    engine: AsyncEngine,
    store: EventStore,
    partnership_id: str,
    service_id: str,
    decide: Decide,
    actor: Actor,
    now: datetime,
) -> Outcome:
    """Run a command on a service, deciding again if someone else changed it meanwhile."""
    projection = read_model(engine)  # kept in the transaction of the append
    for _attempt in range(ATTEMPTS):
        try:
            async with engine.begin() as conn:
                events, service = await _load(conn, store, partnership_id, service_id)
                new = list(decide(service))
                after = fold([*events, *new])
                assert after is not None
                stored = await store.append(
                    conn,
                    STREAM_TYPE,
                    service_id,
                    [
                        NewEvent(
                            payload=e, partnership_id=partnership_id, actor=actor, occurred_at=now
                        )
                        for e in new
                    ],
                    expected_version=len(events),
                )
                await projection.apply_inline(conn, stored)
                return Outcome(after, stored)
        except ConcurrencyError:
            continue
    raise BusyError(f"service {service_id} kept changing; try again")


def award_planner(store: EventStore) -> Handler:
    """The consumer of funding's awards, appending plans to `store`."""

    async def on_award(conn: AsyncConnection, envelopes: Sequence[Envelope]) -> None:
        await plan_awards(conn, store, envelopes)

    return on_award


async def plan_awards(
    conn: AsyncConnection, store: EventStore, envelopes: Sequence[Envelope]
) -> None:
    """Give each awarded service its monitoring plan; the inbox has dropped events seen before."""
    policy, stored = monitoring_policy(), []
    for envelope in envelopes:
        if envelope.event_type not in AWARDS:
            continue  # other funding events are not monitoring's concern
        plan = establish_plan(cast(AwardMade, envelope.event()), policy)
        new = NewEvent(
            payload=plan,
            partnership_id=envelope.partnership_id,
            actor=Actor.system("monitoring"),
            occurred_at=envelope.occurred_at,
            correlation_id=envelope.correlation_id,
            causation_id=envelope.event_id,
        )
        stored += await store.append(conn, STREAM_TYPE, plan.service_id, [new], expected_version=0)
    await read_model(conn.engine).apply_inline(conn, stored)
