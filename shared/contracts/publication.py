"""Events produced by the publication service (topic `commissioning.publication.v1`).

Every entry of the public transparency feed is an event in publication's own store, on one
stream: the stream version is the entry's number, so numbers are gapless, the feed is
append-only, and the hash chain lets an auditor prove no entry was edited (DESIGN.md §2).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, Field

from shared.contracts.base import DomainEvent, event


class EntryType(StrEnum):
    """What a public entry is about (issue 6, item 1)."""

    DECISION = "decision"
    GRANT = "grant"
    CONTRACT = "contract"
    FUNDING_STREAM = "funding_stream"
    ALLOCATION = "allocation"
    BALLOT_RESULT = "ballot_result"
    DECOMMISSIONING_NOTICE = "decommissioning_notice"
    OUTCOME = "outcome"
    PAYMENT = "payment"


@event("publication")
class FeedEntryPublished(DomainEvent):
    """An entry was added to the public feed; a correction references the entry it corrects."""

    number: int = Field(ge=1)
    entry_type: EntryType
    subject: str = Field(min_length=1)  # what the entry is about, e.g. "award:award-42"
    title: str = Field(min_length=1)
    partnership_id: str
    fund_id: str | None = None
    occurred_at: AwareDatetime  # when the fact happened (business time), as its source says
    decision_number: str | None = None
    corrects: int | None = None  # the number of the entry this one corrects
    refers_to: int | None = None  # the entry this one is about (e.g. the award a notice ends)
    source_event_id: UUID
    source_event_type: str
    data: dict[str, Any] = Field(default_factory=dict)  # public facts only: no personal data


@event("publication")
class FeedEntryHeld(DomainEvent):
    """An entry waits for the entry it is about: its fact arrived before its referent's.

    Events reach publication from three topics with no order between them: a payment or an
    outcome can arrive before the award it refers to. Publication holds such an entry (on the
    feed's hold stream, not in the feed) and publishes it right after its referent.
    """

    hold: int = Field(ge=1)  # the event's version on the hold stream
    waiting_for: str = Field(min_length=1)  # the subject it refers to, e.g. "award:award-42"
    entry_type: EntryType
    subject: str = Field(min_length=1)
    title: str = Field(min_length=1)
    partnership_id: str
    fund_id: str | None = None
    occurred_at: AwareDatetime
    decision_reference: str | None = None
    source_event_id: UUID
    source_event_type: str
    source_correlation_id: UUID | None = None
    data: dict[str, Any] = Field(default_factory=dict)  # public facts only, as mapped


@event("publication")
class HeldEntriesReleased(DomainEvent):
    """Held entries were published, right after the entry they waited for."""

    holds: list[int] = Field(min_length=1)
    referent: int = Field(ge=1)  # the number of the entry they waited for
