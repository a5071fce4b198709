"""Benchmark events: GrantAwarded payloads from the contracts, and stores seeded with them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg

from shared.contracts.funding import FundingShare, GrantAwarded, Instalment, Mechanism
from shared.eventstore.envelope import GENESIS_HASH, Actor, Envelope, NewEvent, seal

RECIPIENTS = 50  # distinct recipient organisations the awards are spread over
COMMISSIONER = Actor(organisation_id="GB-PLA-DORSET-OPCC", user_id="u-1", role="commissioner")
EVENT_COLUMNS = (
    "position",
    "event_id",
    "event_type",
    "schema_version",
    "stream_type",
    "stream_id",
    "stream_version",
    "occurred_at",
    "recorded_at",
    "partnership_id",
    "actor",
    "correlation_id",
    "causation_id",
    "traceparent",
    "payload",
    "prev_hash",
    "hash",
)


def recipient(n: int) -> str:
    """The recipient organisation of award `n`."""
    return f"GB-CHC-{n % RECIPIENTS:07d}"


def grant_awarded(n: int) -> GrantAwarded:
    """A community grant like the Dorset scheme's: two instalments, two funders (~0.9 KiB JSON)."""
    amount = Decimal(100 + n % 2900) + Decimal("0.50")
    half = (amount / 2).quantize(Decimal("0.01"))
    start = date(2019, 7, 1) + timedelta(days=n % 365)
    return GrantAwarded(
        award_id=f"award-{n}",
        application_id=f"app-{n}",
        fund_id="fund-dorset-2019",
        pot_id="pot-youth",
        mechanism=Mechanism.GRANT,
        title="Youth diversion boxing club",
        description="Weekly sessions for young people at risk of offending",
        recipient_organisation_id=recipient(n),
        recipient_name=f"Community organisation {n % RECIPIENTS}",
        amount=amount,
        award_date=start - timedelta(days=30),
        start_date=start,
        end_date=start + timedelta(days=364),
        conditions=("Quarterly KPI return", "Safeguarding policy in place"),
        payment_schedule=(
            Instalment(due_date=start, amount=half),
            Instalment(due_date=start + timedelta(days=182), amount=amount - half),
        ),
        funded_by=(
            FundingShare(
                organisation_id="GB-PLA-DORSET-OPCC", organisation_name="Dorset OPCC", amount=half
            ),
            FundingShare(
                organisation_id="GB-LAE-DORSET",
                organisation_name="Dorset Council",
                amount=amount - half,
            ),
        ),
        beneficiary_location="Weymouth",
    )


def new_event(n: int) -> NewEvent:
    """Award `n` ready to append."""
    return NewEvent(
        payload=grant_awarded(n),
        partnership_id="dorset",
        actor=COMMISSIONER,
        occurred_at=datetime(2019, 6, 1, 10, 0, tzinfo=UTC) + timedelta(seconds=n),
    )


def new_events(count: int, start: int = 0) -> list[NewEvent]:
    """Awards `start` .. `start + count - 1`."""
    return [new_event(n) for n in range(start, start + count)]


def event_row(envelope: Envelope) -> tuple[Any, ...]:
    """An envelope as an `events` row for asyncpg (jsonb columns as JSON text)."""
    values = dict(envelope)
    values["actor"] = envelope.actor.model_dump_json()
    values["payload"] = json.dumps(envelope.payload)
    return tuple(values[column] for column in EVENT_COLUMNS)


def sealed_history(count: int) -> list[Envelope]:
    """`count` sealed awards with an intact hash chain, as `EventStore.append` would store them."""
    recorded_at = datetime.now(UTC)
    prev_hash, history = GENESIS_HASH, []
    for n, new in enumerate(new_events(count)):
        envelope = seal(
            {
                "event_id": new.event_id,
                "event_type": new.payload.event_type,
                "schema_version": new.payload.schema_version,
                "stream_type": "award",
                "stream_id": f"award-{n}",
                "stream_version": 1,
                "position": n + 1,
                "occurred_at": new.occurred_at,
                "recorded_at": recorded_at,
                "partnership_id": new.partnership_id,
                "actor": new.actor,
                "correlation_id": new.event_id,
                "causation_id": None,
                "traceparent": None,
                "payload": new.payload.model_dump(mode="json"),
                "prev_hash": prev_hash,
            }
        )
        prev_hash = envelope.hash
        history.append(envelope)
    return history


async def copy_history(conn: asyncpg.Connection, schema: str, history: Sequence[Envelope]) -> None:
    """Bulk-load a sealed history and its outbox rows into a store schema."""
    await conn.copy_records_to_table(
        "events",
        schema_name=schema,
        columns=EVENT_COLUMNS,
        records=[event_row(envelope) for envelope in history],
    )
    await conn.copy_records_to_table(
        "outbox", schema_name=schema, records=[(e.position,) for e in history]
    )


def canonical_hash(fields: dict[str, Any]) -> str:
    """SHA-256 of canonical JSON: what a hand-written store would chain its rows with."""
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
