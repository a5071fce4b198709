"""The registers folded from the feed: awards, decisions, outcomes. Pure.

Folding the entries up to a date gives the registers as they were public on that date: the
360Giving and OCDS files, the annual reports and the portal are all built from this one fold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from shared.contracts.publication import EntryType, FeedEntryPublished

AWARD_TYPES = (EntryType.GRANT, EntryType.CONTRACT)


@dataclass(frozen=True)
class AwardRecord:
    """An award as published now: its latest facts, and its termination if decommissioned."""

    number: int  # the entry that first published it
    entry_type: EntryType
    partnership_id: str
    fund_id: str | None
    data: dict[str, Any]
    first_published: datetime
    last_modified: datetime
    corrections: tuple[int, ...] = ()
    termination: dict[str, Any] | None = None

    @property
    def award_id(self) -> str:
        return str(self.data["award_id"])

    @property
    def amount(self) -> Decimal:
        return Decimal(self.data["amount"])


@dataclass
class Register:
    """What the feed says, subject by subject, after the entries folded so far."""

    awards: dict[str, AwardRecord] = field(default_factory=dict)
    decisions: dict[str, FeedEntryPublished] = field(default_factory=dict)
    outcomes: dict[str, FeedEntryPublished] = field(default_factory=dict)
    payments: dict[str, FeedEntryPublished] = field(default_factory=dict)  # by subject
    streams: dict[str, dict[str, Any]] = field(default_factory=dict)  # fund id: its facts
    entries: int = 0

    def apply(self, entry: FeedEntryPublished) -> None:
        """Fold one entry in (entries must come in feed order)."""
        self.entries += 1
        if entry.entry_type in AWARD_TYPES:
            self._award(entry)
        elif entry.entry_type is EntryType.DECISION:
            self.decisions[entry.subject] = entry
        elif entry.entry_type is EntryType.OUTCOME:
            self.outcomes[entry.subject] = entry
        elif entry.entry_type is EntryType.PAYMENT:
            self.payments[entry.subject] = entry  # a corrected payment replaces, never adds
        elif entry.entry_type is EntryType.FUNDING_STREAM:
            self.streams[str(entry.data["fund_id"])] = entry.data
        elif entry.entry_type is EntryType.DECOMMISSIONING_NOTICE:
            award = self.awards.get(str(entry.data.get("award_id")))
            if award is not None:
                self.awards[award.award_id] = replace(
                    award, termination=entry.data, last_modified=entry.occurred_at
                )

    def _award(self, entry: FeedEntryPublished) -> None:
        award_id = str(entry.data["award_id"])
        known = self.awards.get(award_id)
        if known is None:
            self.awards[award_id] = AwardRecord(
                entry.number,
                entry.entry_type,
                entry.partnership_id,
                entry.fund_id,
                entry.data,
                entry.occurred_at,
                entry.occurred_at,
            )
        else:  # a correction: the latest facts win, the entry that corrected them is listed
            self.awards[award_id] = replace(
                known,
                data=entry.data,
                fund_id=entry.fund_id,
                last_modified=entry.occurred_at,
                corrections=(*known.corrections, entry.number),
            )

    def paid(self, award_id: str) -> Decimal:
        """What has been paid on an award so far."""
        amounts = [
            Decimal(p.data["amount"])
            for p in self.payments.values()
            if p.data.get("award_id") == award_id
        ]
        return sum(amounts, start=Decimal("0.00"))

    def grants(self) -> list[AwardRecord]:
        """Grant awards in the order they were first published."""
        return [a for a in self.awards.values() if a.entry_type is EntryType.GRANT]

    def contracts(self) -> list[AwardRecord]:
        """Contract awards in the order they were first published."""
        return [a for a in self.awards.values() if a.entry_type is EntryType.CONTRACT]


def fold(entries: Iterable[FeedEntryPublished]) -> Register:
    """The registers after `entries` (in feed order)."""
    register = Register()
    for entry in entries:
        register.apply(entry)
    return register
