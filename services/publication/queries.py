"""Reading the feed back: filtered pages, entries after a number, everything as of a date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.publication.tables import FeedTables
from shared.contracts.publication import EntryType, FeedEntryPublished


def end_of(day: date) -> datetime:
    """The first instant after `day` (UTC): what was public on a date is what occurred before."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


@dataclass(frozen=True)
class FeedFilter:
    """What a reader of the feed may narrow it to."""

    entry_type: EntryType | None = None
    since: date | None = None
    until: date | None = None
    fund_id: str | None = None
    partnership_id: str | None = None
    as_of: date | None = None

    def conditions(self, tables: FeedTables) -> list[ColumnElement[bool]]:
        """The WHERE clauses of this filter."""
        c = tables.entries.c
        found: list[ColumnElement[bool]] = []
        if self.entry_type is not None:
            found.append(c.entry_type == self.entry_type.value)
        if self.since is not None:
            found.append(c.occurred_at >= datetime.combine(self.since, time(), tzinfo=UTC))
        if self.until is not None:
            found.append(c.occurred_at < end_of(self.until))
        if self.as_of is not None:
            found.append(c.occurred_at < end_of(self.as_of))
        if self.fund_id is not None:
            found.append(c.fund_id == self.fund_id)
        if self.partnership_id is not None:
            found.append(c.partnership_id == self.partnership_id)
        return found


def _entries(rows: Any) -> list[FeedEntryPublished]:
    return [FeedEntryPublished.model_validate(row.body) for row in rows]


async def feed_page(
    conn: AsyncConnection, tables: FeedTables, where: FeedFilter, limit: int, offset: int
) -> tuple[int, list[FeedEntryPublished]]:
    """One page of entries in feed order, and how many match."""
    e = tables.entries
    conditions = where.conditions(tables)
    total = await conn.scalar(select(func.count()).select_from(e).where(*conditions))
    query: Select[Any] = (
        select(e.c.body).where(*conditions).order_by(e.c.number).limit(limit).offset(offset)
    )
    return int(total or 0), _entries(await conn.execute(query))


async def all_entries(
    conn: AsyncConnection, tables: FeedTables, where: FeedFilter
) -> list[FeedEntryPublished]:
    """Every matching entry in feed order (the history the registers are folded from)."""
    e = tables.entries
    query = select(e.c.body).where(*where.conditions(tables)).order_by(e.c.number)
    return _entries(await conn.execute(query))


async def entries_after(
    conn: AsyncConnection,
    tables: FeedTables,
    after: int,
    limit: int,
    where: FeedFilter | None = None,
) -> list[FeedEntryPublished]:
    """Up to `limit` (matching) entries numbered after `after`, in order (for the streams)."""
    e = tables.entries
    conditions = where.conditions(tables) if where is not None else []
    query = (
        select(e.c.body).where(e.c.number > after, *conditions).order_by(e.c.number).limit(limit)
    )
    return _entries(await conn.execute(query))


async def last_number(conn: AsyncConnection, tables: FeedTables) -> int:
    """The newest entry's number (0 for an empty feed)."""
    return int(await conn.scalar(select(func.coalesce(func.max(tables.entries.c.number), 0))) or 0)
