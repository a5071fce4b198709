"""The event store: append with an expected version, read a stream, read all, verify the chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Result, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.eventstore.envelope import GENESIS_HASH, Actor, Envelope, NewEvent, chain_hash, seal
from shared.eventstore.schema import store_tables
from shared.telemetry import current_traceparent


class ConcurrencyError(Exception):
    """The stream moved on since the caller read it; reload and decide again."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(
            f"stream {stream_id!r} is at version {actual}, but the command expected {expected}: "
            "someone else changed it first; reload and retry"
        )
        self.stream_id, self.expected, self.actual = stream_id, expected, actual


@dataclass(frozen=True)
class ChainReport:
    """What `verify_chain` found: how many events it checked and the first break, if any."""

    checked: int
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


def _lock_key(schema: str) -> int:
    # A stable signed 64-bit advisory-lock key per store.
    return int.from_bytes(
        hashlib.sha256(f"eventstore:{schema}".encode()).digest()[:8], "big", signed=True
    )


class EventStore:
    """One service's append-only history in PostgreSQL, with outbox rows for the relay."""

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self.tables = store_tables(schema)
        # One round trip: `lock_head` (schema.py) takes the store lock, then reads the stream's
        # version and the head of the history in statements of its own, each with a snapshot
        # taken after the lock was granted, so it sees the last holder's commit.
        self._lock_head = text(
            "SELECT head_version AS version, head_position AS position, head_hash AS hash "
            f"FROM {schema}.lock_head(:key, :stream_id)"
        ).bindparams(key=_lock_key(schema))
        # Events and their outbox rows in one statement with one array per column: a single
        # prepared statement whatever the batch size (a multi-row VALUES is recompiled per call).
        unnested = ", ".join(f"CAST(:{name} AS {kind}[])" for name, kind in _COLUMN_TYPES)
        names = ", ".join(name for name, _ in _COLUMN_TYPES)
        self._insert = text(
            f"WITH stored AS (INSERT INTO {schema}.events ({names}) "
            f"SELECT * FROM unnest({unnested}) RETURNING position) "
            f"INSERT INTO {schema}.outbox (position) SELECT position FROM stored"
        )

    async def append(
        self,
        conn: AsyncConnection,
        stream_type: str,
        stream_id: str,
        new_events: Sequence[NewEvent],
        expected_version: int | None,
    ) -> list[Envelope]:
        """Append events to a stream in the caller's transaction, with their outbox rows.

        Call it last before commit: it takes the store's lock, which is held until commit so
        positions are handed out in commit order. `expected_version` None skips the check.
        """
        if not new_events:
            return []
        head = (await conn.execute(self._lock_head, {"stream_id": stream_id})).one()
        if expected_version is not None and head.version != expected_version:
            raise ConcurrencyError(stream_id, expected_version, head.version)
        position, prev_hash = head.position or 0, head.hash or GENESIS_HASH
        recorded_at = datetime.now(UTC)
        traceparent = current_traceparent()
        sealed: list[Envelope] = []
        for offset, new in enumerate(new_events, start=1):
            envelope = seal(
                {
                    "event_id": new.event_id,
                    "event_type": new.payload.event_type,
                    "schema_version": new.payload.schema_version,
                    "stream_type": stream_type,
                    "stream_id": stream_id,
                    "stream_version": head.version + offset,
                    "position": position + offset,
                    "occurred_at": new.occurred_at,
                    "recorded_at": recorded_at,
                    "partnership_id": new.partnership_id,
                    "actor": new.actor,
                    "correlation_id": new.correlation_id or new.event_id,
                    "causation_id": new.causation_id,
                    "traceparent": traceparent,
                    "payload": new.payload.model_dump(mode="json"),
                    "prev_hash": prev_hash,
                }
            )
            prev_hash = envelope.hash
            sealed.append(envelope)
        try:
            await conn.execute(self._insert, _columns(sealed))
        except IntegrityError as error:
            # The lock makes this unreachable for writers using this store; kept as the backstop.
            raise ConcurrencyError(stream_id, expected_version or -1, head.version) from error
        return sealed

    async def read_stream(self, conn: AsyncConnection, stream_id: str) -> list[Envelope]:
        """Every event of one aggregate, oldest first."""
        events = self.tables.events
        result = await conn.execute(
            select(events).where(events.c.stream_id == stream_id).order_by(events.c.stream_version)
        )
        return envelopes_from_result(result)

    async def read_all(
        self, conn: AsyncConnection, after: int = 0, limit: int = 1000
    ) -> list[Envelope]:
        """Up to `limit` events after position `after`, in position order (keyset paging)."""
        events = self.tables.events
        result = await conn.execute(
            select(events).where(events.c.position > after).order_by(events.c.position).limit(limit)
        )
        return envelopes_from_result(result)

    async def iterate(
        self, conn: AsyncConnection, after: int = 0, batch: int = 5000
    ) -> AsyncIterator[list[Envelope]]:
        """The whole history from `after`, in batches, for replays and audits."""
        while page := await self.read_all(conn, after, batch):
            yield page
            after = page[-1].position

    async def head_position(self, conn: AsyncConnection) -> int:
        """The position of the newest committed event (0 for an empty store)."""
        value = await conn.scalar(select(func.max(self.tables.events.c.position)))
        return int(value or 0)

    async def verify_chain(self, conn: AsyncConnection) -> ChainReport:
        """Recompute every hash: report the first altered, deleted or reordered event."""
        expected_position, prev_hash, checked = 1, GENESIS_HASH, 0
        async for page in self.iterate(conn):
            for envelope in page:
                if envelope.position != expected_position:
                    return ChainReport(
                        checked,
                        f"position {expected_position} is missing "
                        f"(next stored is {envelope.position}): an event was deleted",
                    )
                if envelope.prev_hash != prev_hash:
                    return ChainReport(
                        checked,
                        f"position {envelope.position} does not link to "
                        "its predecessor: history was rewritten",
                    )
                if chain_hash(envelope.model_dump(mode="json")) != envelope.hash:
                    return ChainReport(
                        checked,
                        f"position {envelope.position} "
                        f"({envelope.event_type}) was altered after it was stored",
                    )
                expected_position, prev_hash, checked = (
                    expected_position + 1,
                    envelope.hash,
                    checked + 1,
                )
        return ChainReport(checked)


_COLUMN_TYPES = (
    ("position", "bigint"),
    ("event_id", "uuid"),
    ("event_type", "text"),
    ("schema_version", "integer"),
    ("stream_type", "text"),
    ("stream_id", "text"),
    ("stream_version", "integer"),
    ("occurred_at", "timestamptz"),
    ("recorded_at", "timestamptz"),
    ("partnership_id", "text"),
    ("actor", "jsonb"),
    ("correlation_id", "uuid"),
    ("causation_id", "uuid"),
    ("traceparent", "text"),
    ("payload", "jsonb"),
    ("prev_hash", "text"),
    ("hash", "text"),
)
_JSON_COLUMNS = {"actor", "payload"}


def _columns(envelopes: Sequence[Envelope]) -> dict[str, list[Any]]:
    """The envelopes as one list per column, JSON columns as text (the driver's jsonb codec)."""
    columns: dict[str, list[Any]] = {name: [] for name, _ in _COLUMN_TYPES}
    for envelope in envelopes:
        for name, _ in _COLUMN_TYPES:
            value = getattr(envelope, name)
            if name in _JSON_COLUMNS:
                value = json.dumps(
                    value.model_dump() if name == "actor" else value, separators=(",", ":")
                )
            columns[name].append(value)
    return columns


_CONSTRUCT = Envelope.model_construct
_ACTOR = Actor.model_construct


def envelopes_from_result(result: Result[Any]) -> list[Envelope]:
    """Envelopes from a `select(events)` result, built from plain tuples (the replay hot path)."""
    keys = list(result.keys())
    actor_index = keys.index("actor")
    envelopes = []
    for row in result:
        values = dict(zip(keys, row, strict=True))
        values["actor"] = _ACTOR(**row[actor_index])
        envelopes.append(_CONSTRUCT(**values))
    return envelopes
