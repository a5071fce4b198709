"""The envelope every event travels in (DESIGN.md §3), and the hash chain over it."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

import shared.contracts  # noqa: F401  (registers every event type, so any envelope can be loaded)
from shared.contracts.base import DomainEvent, JsonDict, load_event

GENESIS_HASH = "0" * 64


class Actor(BaseModel):
    """Who caused an event: organisation, user and role (`system` for automatic reactions)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    organisation_id: str
    user_id: str
    role: str

    @classmethod
    def system(cls, service: str) -> Actor:
        """The actor for events a service emits by itself, in reaction to other events."""
        return cls(organisation_id="system", user_id=f"service:{service}", role="system")


class NewEvent(BaseModel):
    """An event a handler has decided on, before the store gives it a place in history."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    payload: DomainEvent
    partnership_id: str
    actor: Actor
    occurred_at: AwareDatetime
    event_id: UUID = Field(default_factory=uuid4)
    correlation_id: UUID | None = None  # defaults to the event's own id: it starts a chain
    causation_id: UUID | None = None


class Envelope(BaseModel):
    """A stored event: payload plus where it sits in its stream and in the service's history."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID
    event_type: str
    schema_version: int
    stream_type: str
    stream_id: str
    stream_version: int
    position: int
    occurred_at: AwareDatetime
    recorded_at: AwareDatetime
    partnership_id: str
    actor: Actor
    correlation_id: UUID
    causation_id: UUID | None
    traceparent: str | None
    payload: JsonDict
    prev_hash: str
    hash: str

    @field_validator("occurred_at", "recorded_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        # One time zone everywhere so the hash of a re-read event matches the hash written.
        return value.astimezone(UTC)

    def event(self) -> DomainEvent:
        """The payload as its latest event class, upcast if it was stored in an older version."""
        return load_event(self.event_type, self.schema_version, self.payload)

    def to_json(self) -> str:
        """The envelope as JSON, as it travels on Kafka."""
        return self.model_dump_json()


def chain_hash(fields: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of every envelope field but `hash` (prev_hash included)."""
    body = {key: value for key, value in fields.items() if key != "hash"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def seal(unsealed: dict[str, Any]) -> Envelope:
    """Compute the hash of an envelope whose other fields (prev_hash included) are set."""
    draft = Envelope.model_validate({**unsealed, "hash": ""})
    return draft.model_copy(update={"hash": chain_hash(draft.model_dump(mode="json"))})
