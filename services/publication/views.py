"""The feed's read models as an inline projection of publication's own store (ADR 0051).

Every table here follows from the feed stream and the hold stream alone: the entries index,
what each subject last said (for corrections and repeats), the decision counters and the held
entries. The publisher applies it in the transaction of each append; `commissioning rebuild
publication_feed` replays the store from event 0 into a fresh schema and swaps it in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.publication.domain import entry_digest, numbered_by_us, subject_key
from services.publication.tables import PROJECTION, feed_tables
from shared.contracts.publication import FeedEntryHeld, FeedEntryPublished, HeldEntriesReleased
from shared.eventstore.envelope import Envelope


class FeedProjection:
    """The feed index and the publisher's state, kept from FeedEntryPublished and the holds."""

    def __init__(self, name: str = PROJECTION) -> None:
        self.name = name
        self.tables = feed_tables(None)
        self.metadata = self.tables.metadata

    async def apply(self, conn: AsyncConnection, events: Sequence[Envelope]) -> None:
        """Index new entries and holds (the caller maps the tables onto the live schema)."""
        entries: list[FeedEntryPublished] = []
        holds: list[FeedEntryHeld] = []
        released: set[int] = set()
        for envelope in events:
            if envelope.event_type == FeedEntryPublished.event_type:
                entries.append(FeedEntryPublished.model_validate(envelope.payload))
            elif envelope.event_type == FeedEntryHeld.event_type:
                holds.append(FeedEntryHeld.model_validate(envelope.payload))
            elif envelope.event_type == HeldEntriesReleased.event_type:
                released.update(HeldEntriesReleased.model_validate(envelope.payload).holds)
        t = self.tables
        if holds:
            await conn.execute(
                insert(t.held),
                [
                    {
                        "hold": h.hold,
                        "waiting_for": subject_key(h.partnership_id, h.waiting_for),
                        "body": h.model_dump(mode="json"),
                    }
                    for h in holds
                ],
            )
        if released:
            await conn.execute(delete(t.held).where(t.held.c.hold.in_(sorted(released))))
        if entries:
            await self._index(conn, entries)

    async def _index(self, conn: AsyncConnection, entries: list[FeedEntryPublished]) -> None:
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
        latest: dict[str, dict[str, Any]] = {}  # the newest entry per subject wins
        counts: dict[tuple[str, int], int] = {}
        for e in entries:
            latest[subject_key(e.partnership_id, e.subject)] = {
                "number": e.number,
                "digest": entry_digest(e),
                "fund_id": e.fund_id,
                "decision_number": e.decision_number,
            }
            if (given := numbered_by_us(e)) is not None:
                key = (e.partnership_id, given[0])
                counts[key] = max(counts.get(key, 0), given[1])
        subjects = insert(t.subjects).values(
            [{"subject": s, **v} for s, v in sorted(latest.items())]
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
        if counts:
            counters = insert(t.decision_counters).values(
                [
                    {"partnership_id": p, "year": y, "count": n}
                    for (p, y), n in sorted(counts.items())
                ]
            )
            await conn.execute(
                counters.on_conflict_do_update(
                    index_elements=[
                        t.decision_counters.c.partnership_id,
                        t.decision_counters.c.year,
                    ],
                    set_={
                        "count": func.greatest(
                            t.decision_counters.c.count, counters.excluded["count"]
                        )
                    },
                )
            )
