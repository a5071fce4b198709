"""One example of every event the publication service produces (contract round-trip tests)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from shared.contracts.base import DomainEvent
from shared.contracts.publication import (
    EntryType,
    FeedEntryHeld,
    FeedEntryPublished,
    HeldEntriesReleased,
)

EXAMPLES: list[DomainEvent] = [
    FeedEntryPublished(
        number=7,
        entry_type=EntryType.GRANT,
        subject="award:award-1",
        title="Weymouth youth boxing sessions",
        partnership_id="dorset",
        fund_id="safer-dorset-fund-2019-20",
        occurred_at=datetime(2019, 10, 1, 9, 30, tzinfo=UTC),
        decision_number="PCCG-2019-015",
        corrects=3,
        refers_to=None,
        source_event_id=UUID("00000000-0000-0000-0000-00000000000a"),
        source_event_type="GrantAwarded",
        data={"award_id": "award-1", "amount": "2500.00", "recipient": {"id": "GB-CHC-1234567"}},
    ),
    FeedEntryHeld(
        hold=3,
        waiting_for="award:award-1",
        entry_type=EntryType.PAYMENT,
        subject="payment:award-1:1",
        title="Instalment 1 of award award-1 paid",
        partnership_id="dorset",
        fund_id="safer-dorset-fund-2019-20",
        occurred_at=datetime(2019, 10, 2, 9, 0, tzinfo=UTC),
        source_event_id=UUID("00000000-0000-0000-0000-00000000000b"),
        source_event_type="PaymentReleased",
        source_correlation_id=UUID("00000000-0000-0000-0000-00000000000c"),
        data={"award_id": "award-1", "instalment": 1, "amount": "1250.00"},
    ),
    HeldEntriesReleased(holds=[3, 4], referent=7),
]
