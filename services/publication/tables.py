"""Publication's read models: the feed index and what deciding needs, in `proj_publication_feed`.

The truth is the feed stream (and its hold stream) in publication's event store; these tables are
an inline projection of it (`views.FeedProjection`), written in the same transaction as each
append and rebuildable from event 0 with `commissioning rebuild publication_feed`. The
projection writes through schema-less tables mapped onto its schema; readers use the same
definitions qualified with that schema (`feed_tables(FEED_SCHEMA)`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, String, Table
from sqlalchemy.dialects.postgresql import JSONB

PROJECTION = "publication_feed"
FEED_SCHEMA = f"proj_{PROJECTION}"  # the schema the projection runner keeps it in


@dataclass(frozen=True)
class FeedTables:
    """The publication tables of one schema (the service's, or a test's)."""

    schema: str | None  # None: the projection's own, mapped onto its schema when applied
    metadata: MetaData
    entries: Table
    subjects: Table
    decision_counters: Table
    held: Table


@cache
def feed_tables(schema: str | None = FEED_SCHEMA) -> FeedTables:
    """The table definitions for `schema` (None: unqualified), built once per schema."""
    metadata = MetaData(schema=schema)
    entries = Table(
        "feed_entries",
        metadata,
        Column("number", BigInteger, primary_key=True, autoincrement=False),
        Column("entry_type", String(40), nullable=False, index=True),
        Column("subject", String(300), nullable=False, index=True),
        Column("partnership_id", String(100), nullable=False, index=True),
        Column("fund_id", String(200), index=True),
        Column("occurred_at", DateTime(timezone=True), nullable=False, index=True),
        Column("corrects", BigInteger),
        Column("body", JSONB, nullable=False),  # the FeedEntryPublished payload, as published
    )
    subjects = Table(
        "feed_subjects",
        metadata,
        Column("subject", String(300), primary_key=True),
        Column("number", BigInteger, nullable=False),
        Column("digest", String(64), nullable=False),
        Column("fund_id", String(200)),
        Column("decision_number", String(100)),
    )
    decision_counters = Table(
        "decision_counters",
        metadata,
        Column("partnership_id", String(100), primary_key=True),
        Column("year", Integer, primary_key=True, autoincrement=False),
        Column("count", Integer, nullable=False),
    )
    held = Table(
        "held_entries",
        metadata,
        Column("hold", BigInteger, primary_key=True, autoincrement=False),
        Column("waiting_for", String(300), nullable=False, index=True),  # a subject key
        Column("body", JSONB, nullable=False),  # the FeedEntryHeld payload
    )
    return FeedTables(schema, metadata, entries, subjects, decision_counters, held)


def notify_channel(schema: str | None = FEED_SCHEMA) -> str:
    """The PostgreSQL channel told the newest entry number after each commit."""
    return f"feed_{schema}"
