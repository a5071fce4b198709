"""Plain event builders for tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from shared.contracts.funding import GrantAwarded, Mechanism
from shared.eventstore.envelope import Actor, NewEvent

COMMISSIONER = Actor(organisation_id="GB-PLA-DORSET-OPCC", user_id="u-1", role="commissioner")


def grant_awarded(
    award_id: str,
    amount: str = "2500.00",
    recipient: str = "GB-CHC-1234567",
    title: str = "Youth diversion boxing club",
) -> GrantAwarded:
    """A community grant like the Dorset scheme's (£100–£3,000)."""
    return GrantAwarded(
        award_id=award_id,
        application_id=f"app-{award_id}",
        fund_id="fund-dorset-2019",
        pot_id=None,
        mechanism=Mechanism.GRANT,
        title=title,
        description="Weekly sessions for young people at risk of offending",
        recipient_organisation_id=recipient,
        recipient_name="Weymouth Boxing Club",
        amount=Decimal(amount),
        award_date=date(2019, 6, 1),
        start_date=date(2019, 7, 1),
        end_date=date(2020, 6, 30),
    )


def new_event(
    award_id: str,
    amount: str = "2500.00",
    recipient: str = "GB-CHC-1234567",
    title: str = "Youth diversion boxing club",
) -> NewEvent:
    """A GrantAwarded ready to append."""
    return NewEvent(
        payload=grant_awarded(award_id, amount, recipient, title),
        partnership_id="dorset",
        actor=COMMISSIONER,
        occurred_at=datetime(2019, 6, 1, 10, 0, tzinfo=UTC),
    )
