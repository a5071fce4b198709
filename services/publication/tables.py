"""Publication's read models, in the service's schema: the feed index and what deciding needs.

The truth is the feed stream in publication's event store; these tables, written in the same
transaction as each append, index it for filtering and keep the state `domain.decide` reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import BigInteger, Column, DateTime, Integer, MetaData, String, Table
from sqlalchemy.dialects.postgresql import JSONB

SCHEMA = "publication"


@dataclass(frozen=True)
class FeedTables:
    """The publication tables of one schema (the service's, or a test's)."""

    schema: str
    metadata: MetaData
    entries: Table
    subjects: Table
    decision_counters: Table


@cache
def feed_tables(schema: str = SCHEMA) -> FeedTables:
    """The table definitions for `schema`, built once per schema."""
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
    return FeedTables(schema, metadata, entries, subjects, decision_counters)


def notify_channel(schema: str = SCHEMA) -> str:
    """The PostgreSQL channel told the newest entry number after each commit."""
    return f"feed_{schema}"
