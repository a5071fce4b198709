"""Every event round-trips through JSON; stored old versions upcast to the current one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import ClassVar

import pytest
from pydantic import ValidationError

from shared.contracts import registered_events
from shared.contracts.base import DomainEvent, UnknownEventError, event, load_event, upcaster
from shared.contracts.funding import GrantAwarded, Instalment
from shared.eventstore.envelope import Envelope, seal
from tests.contracts import (
    examples_applications,
    examples_funding,
    examples_monitoring,
    examples_publication,
)
from tests.support.events import COMMISSIONER, grant_awarded

EXAMPLES: list[DomainEvent] = [
    *examples_applications.EXAMPLES,
    *examples_funding.EXAMPLES,
    *examples_monitoring.EXAMPLES,
    *examples_publication.EXAMPLES,
]


def test_the_three_core_events_are_registered_with_their_producers() -> None:
    events = registered_events()
    assert events["GrantAwarded"].producer == "funding"
    assert events["KPIReturnSubmitted"].producer == "monitoring"
    assert events["ServiceDecommissioned"].producer == "monitoring"


def test_examples_cover_every_registered_event() -> None:
    assert {type(e).event_type for e in EXAMPLES} >= {
        "GrantAwarded",
        "KPIReturnSubmitted",
        "ServiceDecommissioned",
    }


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: type(e).__name__)
def test_event_round_trips_through_json_inside_an_envelope(example: DomainEvent) -> None:
    envelope = seal(
        {
            "event_id": "00000000-0000-0000-0000-000000000001",
            "event_type": example.event_type,
            "schema_version": example.schema_version,
            "stream_type": "s",
            "stream_id": "s-1",
            "stream_version": 1,
            "position": 1,
            "occurred_at": datetime(2019, 6, 1, tzinfo=UTC),
            "recorded_at": datetime(2019, 6, 1, tzinfo=UTC),
            "partnership_id": "dorset",
            "actor": COMMISSIONER,
            "correlation_id": "00000000-0000-0000-0000-000000000001",
            "causation_id": None,
            "traceparent": None,
            "payload": example.model_dump(mode="json"),
            "prev_hash": "0" * 64,
        }
    )
    again = Envelope.model_validate_json(envelope.to_json())
    assert again == envelope
    assert again.event() == example


def test_money_is_serialised_as_an_exact_string_never_a_float() -> None:
    payload = grant_awarded("a", "2500.50").model_dump(mode="json")
    assert payload["amount"] == "2500.50"


def test_money_refuses_fractions_of_a_penny() -> None:
    with pytest.raises(ValidationError, match="not a whole number of pence"):
        grant_awarded("a", "10.005")


def test_a_payment_schedule_must_add_up_to_the_award() -> None:
    expected = r"payment schedule totals 1000\.00, award is 2500\.00"
    with pytest.raises(ValidationError, match=expected):
        GrantAwarded.model_validate(
            {
                **grant_awarded("a").model_dump(),
                "payment_schedule": [Instalment(due_date=date(2019, 7, 1), amount=Decimal("1000"))],
            }
        )


def test_unknown_event_types_and_future_versions_are_refused_clearly() -> None:
    with pytest.raises(UnknownEventError, match="unknown event type 'NoSuchThing'"):
        load_event("NoSuchThing", 1, {})
    with pytest.raises(UnknownEventError, match="newer than this code"):
        load_event("GrantAwarded", 99, {})


@event("testing")
class RefundIssuedForTest(DomainEvent):
    """Version 3: amount in pounds and a reason; v1 had pence, v2 had no reason."""

    schema_version: ClassVar[int] = 3
    amount: Decimal
    reason: str


@upcaster("RefundIssuedForTest", 1)
def _pence_to_pounds(payload: dict[str, object]) -> dict[str, object]:
    return {"amount": str(Decimal(str(payload["amount_pence"])) / 100)}


@upcaster("RefundIssuedForTest", 2)
def _add_reason(payload: dict[str, object]) -> dict[str, object]:
    return {**payload, "reason": "not recorded before v3"}


def test_stored_old_versions_upcast_step_by_step_to_the_current_class() -> None:
    from_v1 = load_event("RefundIssuedForTest", 1, {"amount_pence": 1250})
    assert from_v1 == RefundIssuedForTest(amount=Decimal("12.50"), reason="not recorded before v3")
    from_v2 = load_event("RefundIssuedForTest", 2, {"amount": "3.00"})
    assert from_v2 == RefundIssuedForTest(amount=Decimal("3.00"), reason="not recorded before v3")
