"""The feed publisher: other services' public facts become numbered entries, in one transaction.

Each batch the consumer hands over (already deduped by the inbox) is mapped to candidates, decided
against the feed state, indexed in the read tables, announced with NOTIFY (delivered on commit)
and appended to the feed stream of publication's store, last, under the store lock.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.publication.domain import FeedState, Published, decide, subject_key
from services.publication.mapping import Candidate, Policy, candidates_of
from services.publication.tables import SCHEMA, feed_tables, notify_channel
from shared.contracts.publication import FeedEntryPublished
from shared.eventstore.envelope import Actor, Envelope, NewEvent
from shared.eventstore.store import EventStore

FEED_CONSUMER = "publication.feed"
FEED_STREAM_TYPE = "feed"
FEED_STREAM = "transparency-feed"


class FeedPublisher:
    """The consumer handler that turns public facts into feed entries."""

    def __init__(self, policy: Policy, schema: str = SCHEMA) -> None:
        self.policy, self.tables = policy, feed_tables(schema)
        self.store = EventStore(schema)
        self.channel = notify_channel(schema)

    async def __call__(self, conn: AsyncConnection, envelopes: Sequence[Envelope]) -> None:
        """Publish the entries the batch's events ask for (none for types the feed ignores)."""
        facts = [(e, c) for e in envelopes if (c := candidates_of(e, self.policy))]
        if not facts:
            return
        # Publishers in several processes take turns, so numbers follow commit order.
        await conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"feed:{self.tables.schema}"}
        )
        state = await self._load(conn, facts)
        version = state.last_number
        entries: list[tuple[Envelope, FeedEntryPublished]] = []
        for envelope, candidates in facts:
            decided, state = decide(state, envelope, candidates)
            entries.extend((envelope, entry) for entry in decided)
        if not entries:
            return
        await self._index(conn, [entry for _, entry in entries], state)
        await conn.execute(
            text("SELECT pg_notify(:channel, :number)"),
            {"channel": self.channel, "number": str(state.last_number)},
        )
        await self.store.append(
            conn,
            FEED_STREAM_TYPE,
            FEED_STREAM,
            [
                NewEvent(
                    payload=entry,
                    partnership_id=entry.partnership_id,
                    actor=Actor.system("publication"),
                    occurred_at=entry.occurred_at,
                    causation_id=source.event_id,
                    correlation_id=source.correlation_id,
                )
                for source, entry in entries
            ],
            expected_version=version,
        )

    async def _load(
        self, conn: AsyncConnection, facts: list[tuple[Envelope, list[Candidate]]]
    ) -> FeedState:
        """The part of the feed state the batch can touch."""
        t = self.tables
        names = {
            subject_key(e.partnership_id, s)
            for e, cs in facts
            for c in cs
            for s in (c.subject, c.refers_to_subject)
            if s
        }
        events = self.store.tables.events
        last = await conn.scalar(
            select(func.coalesce(func.max(events.c.stream_version), 0)).where(
                events.c.stream_id == FEED_STREAM
            )
        )
        rows = await conn.execute(select(t.subjects).where(t.subjects.c.subject.in_(names)))
        subjects = {
            r.subject: Published(r.number, r.digest, r.fund_id, r.decision_number) for r in rows
        }
        keys = {(e.partnership_id, e.occurred_at.year) for e, _ in facts}
        counters = t.decision_counters
        counted = await conn.execute(
            select(counters).where(tuple_(counters.c.partnership_id, counters.c.year).in_(keys))
        )
        counts = {(str(r.partnership_id), int(r.year)): int(r[2]) for r in counted}
        return FeedState(int(last or 0), subjects, counts)

    async def _index(
        self, conn: AsyncConnection, entries: list[FeedEntryPublished], state: FeedState
    ) -> None:
        t = self.tables
        await conn.execute(
            insert(t.entries),
            [
                {
                    "number": e.number,
                    "entry_type": e.entry_type.value,
                    "subject": e.subject,
                    "partnership_id": e.partnership_id,
                    "fund_id": e.fund_id,
                    "occurred_at": e.occurred_at,
                    "corrects": e.corrects,
                    "body": e.model_dump(mode="json"),
                }
                for e in entries
            ],
        )
        touched = {subject_key(e.partnership_id, e.subject) for e in entries}
        subjects = insert(t.subjects).values(
            [{"subject": s, **vars(state.subjects[s])} for s in sorted(touched)]
        )
        await conn.execute(
            subjects.on_conflict_do_update(
                index_elements=[t.subjects.c.subject],
                set_={
                    c: subjects.excluded[c]
                    for c in ("number", "digest", "fund_id", "decision_number")
                },
            )
        )
        if state.decision_counts:
            counters = insert(t.decision_counters).values(
                [
                    {"partnership_id": p, "year": y, "count": n}
                    for (p, y), n in state.decision_counts.items()
                ]
            )
            await conn.execute(
                counters.on_conflict_do_update(
                    index_elements=[
                        t.decision_counters.c.partnership_id,
                        t.decision_counters.c.year,
                    ],
                    set_={"count": counters.excluded["count"]},
                )
            )
