"""The transparency feed: numbering entries, corrections, decision numbers. Pure: no I/O, no clock.

Entries are numbered gaplessly in the order publication applies them. A fact about a subject
already published is a new entry that references the entry it corrects, never an edit; the same
fact arriving again (a relay publishing twice under a new id) publishes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from services.publication.candidates import Candidate
from shared.contracts.publication import FeedEntryPublished
from shared.eventstore.envelope import Envelope

# Gwent's "PCCG-2012-015": an upper-case prefix, the year, a number of at least three digits.
DECISION_NUMBER = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-\d{4}-\d{3,}$")


@dataclass(frozen=True)
class Published:
    """What the feed last said about a subject."""

    number: int
    digest: str
    fund_id: str | None
    decision_number: str | None = None  # kept by corrections of a decision


@dataclass(frozen=True)
class FeedState:
    """What deciding new entries needs to know of the feed so far."""

    last_number: int = 0
    subjects: dict[str, Published] = field(default_factory=dict)
    # Decisions numbered by publication, per (partnership, year): the last number given.
    decision_counts: dict[tuple[str, int], int] = field(default_factory=dict)


def subject_key(partnership_id: str, subject: str) -> str:
    """Subjects are per partnership: two partnerships' award ids never collide."""
    return f"{partnership_id}/{subject}"


def digest(candidate: Candidate) -> str:
    """A fingerprint of what an entry says, to tell a correction from a repeat."""
    body = [candidate.entry_type.value, candidate.title, candidate.fund_id, candidate.data]
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def decision_prefix(partnership_id: str) -> str:
    """The prefix of decision numbers publication gives: the partnership, upper-case."""
    return re.sub(r"[^A-Z0-9]", "", partnership_id.upper())[:12] or "PCC"


def _decision_number(
    state: FeedState, reference: str, partnership_id: str, year: int
) -> tuple[str, FeedState]:
    """The commissioner's own number when it has the Gwent form, else the next one we give."""
    if DECISION_NUMBER.match(reference):
        return reference, state
    key = (partnership_id, year)
    count = state.decision_counts.get(key, 0) + 1
    counts = {**state.decision_counts, key: count}
    number = f"{decision_prefix(partnership_id)}-{year}-{count:03d}"
    return number, replace(state, decision_counts=counts)


def decide(
    state: FeedState, envelope: Envelope, candidates: list[Candidate]
) -> tuple[list[FeedEntryPublished], FeedState]:
    """The entries an event's candidates become, and the feed state after them."""
    entries: list[FeedEntryPublished] = []
    for candidate in candidates:
        fingerprint = digest(candidate)
        key = subject_key(envelope.partnership_id, candidate.subject)
        previous = state.subjects.get(key)
        if previous is not None and previous.digest == fingerprint:
            continue  # already published exactly so
        referred = state.subjects.get(
            subject_key(envelope.partnership_id, candidate.refers_to_subject or "")
        )
        fund_id = candidate.fund_id or (referred.fund_id if referred else None)
        data: dict[str, Any] = dict(candidate.data)
        decision_number = None
        if candidate.decision_reference is not None:
            data["decision_reference"] = candidate.decision_reference
            if previous is not None and previous.decision_number is not None:
                decision_number = previous.decision_number
            else:
                decision_number, state = _decision_number(
                    state,
                    candidate.decision_reference,
                    envelope.partnership_id,
                    envelope.occurred_at.year,
                )
        number = state.last_number + 1
        corrects = previous.number if previous is not None else None
        title = candidate.title
        if corrects is not None:
            title = f"Correction to entry {corrects}: {title}"
        entries.append(
            FeedEntryPublished(
                number=number,
                entry_type=candidate.entry_type,
                subject=candidate.subject,
                title=title,
                partnership_id=envelope.partnership_id,
                fund_id=fund_id,
                occurred_at=envelope.occurred_at,
                decision_number=decision_number,
                corrects=corrects,
                refers_to=referred.number if referred else None,
                source_event_id=envelope.event_id,
                source_event_type=envelope.event_type,
                data=data,
            )
        )
        subjects = {
            **state.subjects,
            key: Published(number, fingerprint, fund_id, decision_number),
        }
        state = replace(state, last_number=number, subjects=subjects)
    return entries, state
