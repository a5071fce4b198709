"""Tables of one service's event store, outbox and inbox, in a PostgreSQL schema named after it.

Each service owns a database; inside it everything lives in a schema of the service's name, so
that tests and small installations may also share one database without the services mixing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.schema import CreateSchema


@dataclass(frozen=True)
class StoreTables:
    """The backbone tables of one service."""

    schema: str
    metadata: MetaData
    events: Table
    outbox: Table
    inbox: Table


@cache
def store_tables(schema: str) -> StoreTables:
    """The table definitions for a service's schema (built once per schema)."""
    metadata = MetaData(schema=schema)
    events = Table(
        "events",
        metadata,
        # Gapless, assigned under the store lock in commit order: a reader following positions
        # never skips an event that commits late, and a missing number means a deleted row.
        Column("position", BigInteger, primary_key=True, autoincrement=False),
        Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        Column("event_type", String(100), nullable=False),
        Column("schema_version", Integer, nullable=False),
        Column("stream_type", String(100), nullable=False),
        Column("stream_id", String(200), nullable=False),
        Column("stream_version", Integer, nullable=False),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
        Column("recorded_at", DateTime(timezone=True), nullable=False),
        Column("partnership_id", String(100), nullable=False),
        Column("actor", JSONB, nullable=False),
        Column("correlation_id", UUID(as_uuid=True), nullable=False),
        Column("causation_id", UUID(as_uuid=True)),
        Column("traceparent", String(100)),
        Column("payload", JSONB, nullable=False),
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
        UniqueConstraint("stream_id", "stream_version", name="events_stream_version_key"),
    )
    outbox = Table(
        "outbox",
        metadata,
        # A row per event not yet on Kafka; the relay deletes it once the broker acknowledged.
        Column("position", BigInteger, primary_key=True, autoincrement=False),
    )
    inbox = Table(
        "inbox",
        metadata,
        # Events this service has consumed, recorded in the same transaction as their effect.
        Column("consumer", String(100), primary_key=True),
        Column("event_id", UUID(as_uuid=True), primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )
    return StoreTables(schema, metadata, events, outbox, inbox)


async def create_store_tables(conn: AsyncConnection, schema: str) -> None:
    """Create the service's schema and backbone tables if they are not there yet (idempotent)."""
    await conn.execute(CreateSchema(schema, if_not_exists=True))
    await conn.run_sync(store_tables(schema).metadata.create_all)
    # The store lock and the head read by `EventStore.append`, in one round trip. In a volatile
    # plpgsql function each statement takes a new snapshot, so the reads after the lock see
    # everything the previous holder committed.
    await conn.execute(
        text(
            f"CREATE OR REPLACE FUNCTION {schema}.lock_head(p_key bigint, p_stream text, "
            "OUT head_version integer, OUT head_position bigint, OUT head_hash text) "
            "LANGUAGE plpgsql VOLATILE AS $$ BEGIN "
            "PERFORM pg_advisory_xact_lock(p_key); "
            f"SELECT coalesce(max(e.stream_version), 0) INTO head_version FROM {schema}.events e "
            "WHERE e.stream_id = p_stream; "
            f"SELECT e.position, e.hash INTO head_position, head_hash FROM {schema}.events e "
            "ORDER BY e.position DESC LIMIT 1; END $$"
        )
    )
    # Wake the relay on every append without an extra round trip from the writer.
    await conn.execute(
        text(
            f"CREATE OR REPLACE FUNCTION {schema}.notify_outbox() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('outbox_{schema}', ''); "
            "RETURN NULL; END $$"
        )
    )
    await conn.execute(
        text(
            f"CREATE OR REPLACE TRIGGER outbox_notify AFTER INSERT ON {schema}.outbox "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {schema}.notify_outbox()"
        )
    )
