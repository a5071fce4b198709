"""Commands against a fund: load its stream, decide, append with the version read, retry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.funding.domain import Fund, NotFoundError, fold
from services.funding.payments import Period
from services.funding.readmodels import awards, funds, kpi_returns
from shared.auth import Principal
from shared.contracts.base import DomainEvent
from shared.contracts.funding import AwardMade, FundEstablished
from shared.eventstore.envelope import Actor, Envelope, NewEvent
from shared.eventstore.store import ConcurrencyError, EventStore

FUND = "fund"  # the stream type of a fund's history
ATTEMPTS = 5
Decide = Callable[[Fund | None], Sequence[DomainEvent]]


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

    Writers of one fund queue on its lookup row (FOR UPDATE, held to commit), so each decides
    on the stream as the previous one left it and headroom is never spent twice. The expected
    version stays the backstop: should a writer slip past the queue, its append fails, the
    savepoint undoes the attempt and we decide again on the fresh stream.
    """
    await conn.execute(select(funds.c.fund_id).where(funds.c.fund_id == fund_id).with_for_update())
    for attempt in range(ATTEMPTS):
        try:
            async with conn.begin_nested():
                fund = await load_fund(conn, store, partnership_id, fund_id)
                events = list(decide(fund))
                if not events:
                    return []
                await _record_lookups(conn, partnership_id, events)
                return await store.append(
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
        except ConcurrencyError:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


async def _record_lookups(
    conn: AsyncConnection, partnership_id: str, events: Sequence[DomainEvent]
) -> None:
    for event in events:
        if isinstance(event, FundEstablished):
            await conn.execute(
                insert(funds).values(
                    fund_id=event.fund_id,
                    partnership_id=partnership_id,
                    name=event.name,
                    financial_year=event.financial_year,
                    source=event.source.value,
                )
            )
        elif isinstance(event, AwardMade):
            await conn.execute(
                insert(awards).values(
                    award_id=event.award_id,
                    fund_id=event.fund_id,
                    partnership_id=partnership_id,
                    recipient_organisation_id=event.recipient_organisation_id,
                    recipient_name=event.recipient_name,
                    title=event.title,
                    mechanism=event.mechanism.value,
                    amount=event.amount,
                    award_date=event.award_date,
                )
            )


async def fund_of_award(conn: AsyncConnection, partnership_id: str, award_id: str) -> str:
    """The fund whose stream holds the award, or NotFoundError."""
    fund_id = await conn.scalar(
        select(awards.c.fund_id).where(
            awards.c.award_id == award_id, awards.c.partnership_id == partnership_id
        )
    )
    if fund_id is None:
        raise NotFoundError(f"no award {award_id!r} in partnership {partnership_id!r}")
    return str(fund_id)


async def returns_of(conn: AsyncConnection, award_id: str) -> list[Period]:
    """The periods of the KPI returns monitoring accepted for the award."""
    result = await conn.execute(
        select(kpi_returns.c.period_start, kpi_returns.c.period_end).where(
            kpi_returns.c.award_id == award_id
        )
    )
    return [(start, end) for start, end in result]


def award_events(stream: Sequence[Envelope], award_id: str) -> list[Envelope]:
    """The events of a fund's stream about one award."""
    return [e for e in stream if e.payload.get("award_id") == award_id]
