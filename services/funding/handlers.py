"""Commands against a fund: load its stream, decide, append with the version read, retry."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.funding.domain import Fund, NotFoundError, fold
from services.funding.readmodels import awards, directory, runner
from shared.auth import Principal
from shared.contracts.base import DomainEvent
from shared.eventstore.envelope import Actor, Envelope, NewEvent
from shared.eventstore.store import ConcurrencyError, EventStore

FUND = "fund"  # the stream type of a fund's history
ATTEMPTS = 5
Decide = Callable[[Fund | None], Sequence[DomainEvent]]


def fund_lock_key(fund_id: str) -> int:
    """The advisory lock writers of one fund queue on (64 bits of a hash of its id)."""
    digest = hashlib.sha256(f"funding.fund:{fund_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def actor_of(principal: Principal) -> Actor:
    """The envelope's actor for a signed-in caller."""
    return Actor(
        organisation_id=principal.organisation_id,
        user_id=principal.user_id,
        role=principal.role.value,
    )


async def load_fund(
    conn: AsyncConnection, store: EventStore, partnership_id: str, fund_id: str
) -> Fund | None:
    """The fund as its stream tells it; another partnership's fund is reported as missing."""
    stream = await store.read_stream(conn, fund_id)
    if stream and stream[0].partnership_id != partnership_id:
        raise NotFoundError(f"no fund {fund_id!r} in partnership {partnership_id!r}")
    return fold(partnership_id, (e.event() for e in stream))


def existing(fund: Fund | None, fund_id: str) -> Fund:
    if fund is None:
        raise NotFoundError(f"no fund {fund_id!r}")
    return fund


async def execute(
    conn: AsyncConnection,
    store: EventStore,
    partnership_id: str,
    fund_id: str,
    decide: Decide,
    actor: Actor,
    occurred_at: datetime,
    cause: Envelope | None = None,
) -> list[Envelope]:
    """Decide on the fund as read and append at that version, in the caller's transaction.

    Writers of one fund queue on its lock (a transaction-level advisory lock on the fund id,
    held to commit, ADR 0031), so each decides on the stream as the previous one left it and
    headroom is never spent twice. The expected version stays the backstop: should a writer
    slip past the queue, its append fails, the savepoint undoes the attempt and we decide again
    on the fresh stream. The directory of funds and awards is updated in the same transaction.
    """
    await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": fund_lock_key(fund_id)})
    for attempt in range(ATTEMPTS):
        try:
            async with conn.begin_nested():
                fund = await load_fund(conn, store, partnership_id, fund_id)
                events = list(decide(fund))
                if not events:
                    return []
                stored = await store.append(
                    conn,
                    FUND,
                    fund_id,
                    [
                        NewEvent(
                            payload=event,
                            partnership_id=partnership_id,
                            actor=actor,
                            occurred_at=occurred_at,
                            causation_id=cause.event_id if cause else None,
                            correlation_id=cause.correlation_id if cause else None,
                        )
                        for event in events
                    ],
                    expected_version=fund.version if fund else 0,
                )
                await runner(conn.engine).apply_inline(conn, stored)
                return stored
        except ConcurrencyError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


async def fund_of_award(conn: AsyncConnection, partnership_id: str, award_id: str) -> str:
    """The fund whose stream holds the award, or NotFoundError."""
    fund_id = await (await directory(conn)).scalar(
        select(awards.c.fund_id).where(
            awards.c.award_id == award_id, awards.c.partnership_id == partnership_id
        )
    )
    if fund_id is None:
        raise NotFoundError(f"no award {award_id!r} in partnership {partnership_id!r}")
    return str(fund_id)


def award_events(stream: Sequence[Envelope], award_id: str) -> list[Envelope]:
    """The events of a fund's stream about one award."""
    return [e for e in stream if e.payload.get("award_id") == award_id]
