"""The transparency feed: numbering entries, corrections, decision numbers, holds. Pure: no I/O.

Entries are numbered gaplessly in the order publication applies them. A fact about a subject
already published is a new entry that references the entry it corrects, never an edit; the same
fact arriving again (a relay publishing twice under a new id) publishes nothing.

The feed is causal: an entry about another subject (a payment, an outcome, a decommissioning
about an award) is published only after that subject's entry. Facts come from three topics with
no order between them, so one that arrives first is *held* (a FeedEntryHeld on the hold stream)
and published right after its referent, in the order the holds were taken (ADR 0050).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from services.publication.candidates import Candidate
from services.publication.mapping import CORRECTION_GUARDS, guarded
from shared.contracts.publication import (
    EntryType,
    FeedEntryHeld,
    FeedEntryPublished,
    HeldEntriesReleased,
)
from shared.eventstore.envelope import Envelope

# Gwent's "PCCG-2012-015": an upper-case prefix, the year, a number of at least three digits.
DECISION_NUMBER = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-\d{4}-\d{3,}$")
CORRECTION = "Correction to entry {}: "


@dataclass(frozen=True)
class Origin:
    """The source event of an entry: what the entry records of where its fact came from."""

    partnership_id: str
    occurred_at: datetime
    event_id: UUID
    event_type: str
    correlation_id: UUID | None = None

    @classmethod
    def of(cls, envelope: Envelope) -> Origin:
        """The origin of facts mapped from `envelope`."""
        return cls(
            envelope.partnership_id,
            envelope.occurred_at,
            envelope.event_id,
            envelope.event_type,
            envelope.correlation_id,
        )


@dataclass(frozen=True)
class Held:
    """A candidate waiting for the entry of the subject it refers to."""

    hold: int
    waiting_for: str  # the subject key of its referent
    origin: Origin
    candidate: Candidate

    @classmethod
    def of(cls, event: FeedEntryHeld) -> Held:
        """The hold a FeedEntryHeld records."""
        origin = Origin(
            event.partnership_id,
            event.occurred_at,
            event.source_event_id,
            event.source_event_type,
            event.source_correlation_id,
        )
        candidate = Candidate(
            event.entry_type,
            event.subject,
            event.title,
            dict(event.data),
            event.fund_id,
            event.decision_reference,
            event.waiting_for,
        )
        return cls(
            event.hold, subject_key(event.partnership_id, event.waiting_for), origin, candidate
        )

    def event(self) -> FeedEntryHeld:
        """The FeedEntryHeld recording this hold."""
        c, o = self.candidate, self.origin
        return FeedEntryHeld(
            hold=self.hold,
            waiting_for=c.refers_to_subject or "",
            entry_type=c.entry_type,
            subject=c.subject,
            title=c.title,
            partnership_id=o.partnership_id,
            fund_id=c.fund_id,
            occurred_at=o.occurred_at,
            decision_reference=c.decision_reference,
            source_event_id=o.event_id,
            source_event_type=o.event_type,
            source_correlation_id=o.correlation_id,
            data=c.data,
        )


@dataclass(frozen=True)
class Published:
    """What the feed last said about a subject."""

    number: int
    digest: str
    fund_id: str | None
    decision_number: str | None = None  # kept by corrections of a decision
    # The data of every entry about the subject, oldest first, for entry types whose
    # corrections are protected against differencing (mapping.CORRECTION_GUARDS, ADR 0053).
    history: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class FeedState:
    """What deciding new entries needs to know of the feed so far."""

    last_number: int = 0
    subjects: dict[str, Published] = field(default_factory=dict)
    # Decisions numbered by publication, per (partnership, year): the last number given.
    decision_counts: dict[tuple[str, int], int] = field(default_factory=dict)
    # Entries waiting for their referent, by the referent's subject key, oldest hold first.
    held: dict[str, tuple[Held, ...]] = field(default_factory=dict)
    hold_version: int = 0  # events on the hold stream so far


HoldEvent = FeedEntryHeld | HeldEntriesReleased


@dataclass(frozen=True)
class Decided:
    """What deciding an event gives: feed entries and hold-stream events, each with its origin."""

    entries: list[tuple[Origin, FeedEntryPublished]] = field(default_factory=list)
    holds: list[tuple[Origin, HoldEvent]] = field(default_factory=list)


def subject_key(partnership_id: str, subject: str) -> str:
    """Subjects are per partnership: two partnerships' award ids never collide."""
    return f"{partnership_id}/{subject}"


def fingerprint(entry_type: EntryType, title: str, fund_id: str | None, data: Any) -> str:
    """What an entry says, to tell a correction from a repeat (title without correction prefix)."""
    body = [entry_type.value, title, fund_id, data]
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def entry_digest(entry: FeedEntryPublished) -> str:
    """The fingerprint of a published entry, as `decide` computed it (for rebuilding the state)."""
    title = entry.title
    if entry.corrects is not None:
        title = title.removeprefix(CORRECTION.format(entry.corrects))
    return fingerprint(entry.entry_type, title, entry.fund_id, entry.data)


def decision_prefix(partnership_id: str) -> str:
    """The prefix of decision numbers publication gives: the partnership, upper-case."""
    return re.sub(r"[^A-Z0-9]", "", partnership_id.upper())[:12] or "PCC"


def numbered_by_us(entry: FeedEntryPublished) -> tuple[int, int] | None:
    """(year, count) when publication gave the entry's decision number, else None."""
    number = entry.decision_number
    if number is None or number == entry.data.get("decision_reference"):
        return None  # no decision, or the commissioner's own number
    found = re.fullmatch(
        rf"{re.escape(decision_prefix(entry.partnership_id))}-(\d{{4}})-(\d+)", number
    )
    return (int(found[1]), int(found[2])) if found else None


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
    state: FeedState, origin: Origin | Envelope, candidates: list[Candidate]
) -> tuple[Decided, FeedState]:
    """The entries and holds an event's candidates become, and the feed state after them.

    A candidate whose referent has no entry yet is held; an entry published releases what
    waits for its subject, right after it (and what waits for those, depth first).
    """
    source = origin if isinstance(origin, Origin) else Origin.of(origin)
    decided = Decided()
    todo: list[tuple[Origin, Candidate]] = [(source, c) for c in candidates]
    while todo:
        came_from, candidate = todo.pop(0)
        referent = candidate.refers_to_subject
        waiting_for = subject_key(came_from.partnership_id, referent) if referent else None
        if waiting_for is not None and waiting_for not in state.subjects:
            state = _hold(state, decided, came_from, candidate, waiting_for)
            continue
        entry, state = _publish(state, came_from, candidate)
        key = subject_key(came_from.partnership_id, candidate.subject)
        waiting = state.held.get(key, ())
        if waiting and key in state.subjects:
            held = {k: v for k, v in state.held.items() if k != key}
            version = state.hold_version + 1
            by = entry.number if entry is not None else state.subjects[key].number
            released = HeldEntriesReleased(holds=[h.hold for h in waiting], referent=by)
            decided.holds.append((came_from, released))
            state = replace(state, held=held, hold_version=version)
            todo[:0] = [(h.origin, h.candidate) for h in waiting]
        if entry is not None:
            decided.entries.append((came_from, entry))
    return decided, state


def _hold(
    state: FeedState, decided: Decided, origin: Origin, candidate: Candidate, waiting_for: str
) -> FeedState:
    hold = Held(state.hold_version + 1, waiting_for, origin, candidate)
    decided.holds.append((origin, hold.event()))
    held = {**state.held, waiting_for: (*state.held.get(waiting_for, ()), hold)}
    return replace(state, held=held, hold_version=hold.hold)


def _publish(
    state: FeedState, origin: Origin, candidate: Candidate
) -> tuple[FeedEntryPublished | None, FeedState]:
    """The entry a candidate becomes (None when the feed already says exactly that)."""
    key = subject_key(origin.partnership_id, candidate.subject)
    previous = state.subjects.get(key)
    referred = (
        state.subjects.get(subject_key(origin.partnership_id, candidate.refers_to_subject))
        if candidate.refers_to_subject
        else None
    )
    fund_id = candidate.fund_id or (referred.fund_id if referred else None)
    data: dict[str, Any] = dict(candidate.data)
    if candidate.decision_reference is not None:
        data["decision_reference"] = candidate.decision_reference
    if previous is not None:  # a correction shows nothing a reader could subtract (ADR 0053)
        data = guarded(candidate.entry_type, data, previous.history)
    digest = fingerprint(candidate.entry_type, candidate.title, fund_id, data)
    if previous is not None and previous.digest == digest:
        return None, state  # already published exactly so
    decision_number = None
    if candidate.decision_reference is not None:
        if previous is not None and previous.decision_number is not None:
            decision_number = previous.decision_number
        else:
            decision_number, state = _decision_number(
                state, candidate.decision_reference, origin.partnership_id, origin.occurred_at.year
            )
    number = state.last_number + 1
    corrects = previous.number if previous is not None else None
    title = candidate.title
    if corrects is not None:
        title = CORRECTION.format(corrects) + title
    entry = FeedEntryPublished(
        number=number,
        entry_type=candidate.entry_type,
        subject=candidate.subject,
        title=title,
        partnership_id=origin.partnership_id,
        fund_id=fund_id,
        occurred_at=origin.occurred_at,
        decision_number=decision_number,
        corrects=corrects,
        refers_to=referred.number if referred else None,
        source_event_id=origin.event_id,
        source_event_type=origin.event_type,
        data=data,
    )
    history: tuple[dict[str, Any], ...] = ()
    if candidate.entry_type in CORRECTION_GUARDS:
        history = (*(previous.history if previous is not None else ()), data)
    published = Published(number, digest, fund_id, decision_number, history)
    subjects = {**state.subjects, key: published}
    return entry, replace(state, last_number=number, subjects=subjects)
