"""The feed publisher: other services' public facts become numbered entries, in one transaction.

Each batch the consumer hands over (already deduped by the inbox) is mapped to candidates and
decided against the feed state (read from the feed projection), announced with NOTIFY
(delivered on commit) and appended to the feed stream, and to the hold stream when an entry must
wait for its referent, last, under the store lock; the projection then indexes the appended
events in the same transaction (an inline projection, rebuildable from the store).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from services.publication.domain import (
    Decided,
    FeedState,
    Held,
    Origin,
    Published,
    decide,
    subject_key,
)
from services.publication.mapping import CORRECTION_GUARDS, Candidate, Policy, candidates_of
from services.publication.tables import feed_tables, notify_channel
from services.publication.views import FeedProjection
from shared.contracts.base import DomainEvent
from shared.contracts.publication import FeedEntryHeld
from shared.eventstore.envelope import Actor, Envelope, NewEvent
from shared.eventstore.store import EventStore
from shared.projection import ProjectionRunner

FEED_CONSUMER = "publication.feed"
FEED_STREAM_TYPE = "feed"
FEED_STREAM = "transparency-feed"
HOLD_STREAM_TYPE = "feed-hold"
HOLD_STREAM = "transparency-feed-holds"


class FeedPublisher:
    """The consumer handler that turns public facts into feed entries."""

    def __init__(
        self, policy: Policy, store_schema: str = "publication", view: FeedProjection | None = None
    ) -> None:
        self.policy = policy
        self.view = view or FeedProjection()
        self.tables = feed_tables(f"proj_{self.view.name}")  # where the runner keeps the view
        self.store = EventStore(store_schema)
        self.channel = notify_channel(self.tables.schema)
        self._runner: ProjectionRunner | None = None

    def runner(self, conn: AsyncConnection) -> ProjectionRunner:
        """The view's runner (apply_inline only needs its schema and lock)."""
        if self._runner is None:
            self._runner = ProjectionRunner(self.view, conn.engine)
        return self._runner

    async def __call__(self, conn: AsyncConnection, envelopes: Sequence[Envelope]) -> None:
        """Publish the entries the batch's events ask for (none for types the feed ignores)."""
        facts = [(e, c) for e in envelopes if (c := candidates_of(e, self.policy))]
        if not facts:
            return
        # Publishers in several processes take turns, so numbers follow commit order.
        await conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"feed:{self.store.schema}"}
        )
        state = await self._load(conn, facts)
        version, hold_version = state.last_number, state.hold_version
        decided = Decided()
        for envelope, candidates in facts:
            more, state = decide(state, Origin.of(envelope), candidates)
            decided.entries.extend(more.entries)
            decided.holds.extend(more.holds)
        if not decided.entries and not decided.holds:
            return
        if decided.entries:
            await conn.execute(
                text("SELECT pg_notify(:channel, :number)"),
                {"channel": self.channel, "number": str(state.last_number)},
            )
        appended = await self.store.append(
            conn, FEED_STREAM_TYPE, FEED_STREAM, _new(decided.entries), expected_version=version
        )
        appended += await self.store.append(
            conn, HOLD_STREAM_TYPE, HOLD_STREAM, _new(decided.holds), hold_version
        )
        await self.runner(conn).apply_inline(conn, appended)

    async def _load(
        self, conn: AsyncConnection, facts: list[tuple[Envelope, list[Candidate]]]
    ) -> FeedState:
        """The part of the feed state the batch can touch (every hold: there are few)."""
        t = self.tables
        held = [
            Held.of(FeedEntryHeld.model_validate(body))
            for body in (
                await conn.execute(select(t.held.c.body).order_by(t.held.c.hold))
            ).scalars()
        ]
        waiting: dict[str, tuple[Held, ...]] = {}
        for hold in held:
            waiting[hold.waiting_for] = (*waiting.get(hold.waiting_for, ()), hold)
        touched = [(e.partnership_id, e.occurred_at.year, cs) for e, cs in facts] + [
            (h.origin.partnership_id, h.origin.occurred_at.year, [h.candidate]) for h in held
        ]
        names = {
            subject_key(p, s)
            for p, _, cs in touched
            for c in cs
            for s in (c.subject, c.refers_to_subject)
            if s
        }
        rows = await conn.execute(select(t.subjects).where(t.subjects.c.subject.in_(names)))
        history = await self._history(conn, touched)
        subjects = {
            r.subject: Published(
                r.number, r.digest, r.fund_id, r.decision_number, history.get(r.subject, ())
            )
            for r in rows
        }
        keys = {(p, y) for p, y, _ in touched}
        counters = t.decision_counters
        counted = await conn.execute(
            select(counters).where(tuple_(counters.c.partnership_id, counters.c.year).in_(keys))
        )
        counts = {(str(r.partnership_id), int(r.year)): int(r[2]) for r in counted}
        return FeedState(
            await self._version(conn, FEED_STREAM),
            subjects,
            counts,
            waiting,
            await self._version(conn, HOLD_STREAM),
        )

    async def _history(
        self, conn: AsyncConnection, touched: list[tuple[str, int, list[Candidate]]]
    ) -> dict[str, tuple[dict[str, Any], ...]]:
        """The data of every entry about the touched subjects whose corrections are guarded."""
        pairs = {
            (p, c.subject) for p, _, cs in touched for c in cs if c.entry_type in CORRECTION_GUARDS
        }
        if not pairs:
            return {}
        t = self.tables.entries
        rows = await conn.execute(
            select(t.c.partnership_id, t.c.subject, t.c.body)
            .where(tuple_(t.c.partnership_id, t.c.subject).in_(sorted(pairs)))
            .order_by(t.c.number)
        )
        found: dict[str, tuple[dict[str, Any], ...]] = {}
        for partnership_id, subject, body in rows:
            key = subject_key(partnership_id, subject)
            found[key] = (*found.get(key, ()), dict(body["data"]))
        return found

    async def _version(self, conn: AsyncConnection, stream: str) -> int:
        events = self.store.tables.events
        found = await conn.scalar(
            select(func.coalesce(func.max(events.c.stream_version), 0)).where(
                events.c.stream_id == stream
            )
        )
        return int(found or 0)


def _new(decided: Sequence[tuple[Origin, DomainEvent]]) -> list[NewEvent]:
    """Events for the store, caused by the facts they publish (or hold)."""
    return [
        NewEvent(
            payload=payload,
            partnership_id=origin.partnership_id,
            actor=Actor.system("publication"),
            occurred_at=origin.occurred_at,
            causation_id=origin.event_id,
            correlation_id=origin.correlation_id,
        )
        for origin, payload in decided
    ]
