"""One example of every event the publication service produces (contract round-trip tests)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from shared.contracts.base import DomainEvent
from shared.contracts.publication import EntryType, FeedEntryPublished

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
    )
]
