"""Facts from three topics arrive in any order; the feed still shows an award before its news."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from services.publication.domain import FeedState, Origin, decide
from services.publication.mapping import candidates_of
from shared.contracts.funding import PaymentReleased
from shared.contracts.publication import (
    EntryType,
    FeedEntryHeld,
    FeedEntryPublished,
    HeldEntriesReleased,
)
from shared.eventstore.envelope import Envelope
from tests.unit.publication.builders import (
    POLICY,
    contract,
    decommissioned,
    envelope,
    grant,
    kpi_return,
    publish,
)

FUND = "safer-dorset-2019-20"
LATER = datetime(2019, 10, 1, tzinfo=UTC)


def paid(award_id: str, instalment: int) -> PaymentReleased:
    return PaymentReleased(
        fund_id=FUND,
        award_id=award_id,
        instalment=instalment,
        amount=Decimal("1250.00"),
        released_on=date(2019, 10, 1),
    )


def run(
    envelopes: list[Envelope], state: FeedState | None = None
) -> tuple[list[object], FeedState]:
    """Every event decide gives, feed entries and hold-stream events, in the order given."""
    state = state or FeedState()
    out: list[object] = []
    for env in envelopes:
        decided, state = decide(state, Origin.of(env), candidates_of(env, POLICY))
        out.extend(e for _, e in decided.holds if isinstance(e, FeedEntryHeld))
        out.extend(e for _, e in decided.entries)
        out.extend(e for _, e in decided.holds if isinstance(e, HeldEntriesReleased))
    return out, state


def test_news_of_an_award_that_arrives_first_waits_and_follows_the_award() -> None:
    early = [
        envelope(paid("a1", 1), LATER),
        envelope(kpi_return("a1", {"gender": {"female": 14, "male": 11}}), LATER),
        envelope(paid("a1", 2), LATER),
    ]
    entries, state = publish(early)
    assert entries == []  # nothing about an award the public has not seen
    assert [h.hold for h in state.held["dorset/award:a1"]] == [1, 2, 3]
    award = envelope(grant("a1"))
    entries, state = publish([award], state)
    assert [(e.number, e.entry_type) for e in entries] == [
        (1, EntryType.GRANT),
        (2, EntryType.PAYMENT),
        (3, EntryType.OUTCOME),
        (4, EntryType.PAYMENT),
    ]
    assert all(e.refers_to == 1 for e in entries[1:])  # linked, as if they had come in order
    assert entries[2].fund_id == FUND  # the outcome learns its fund from the award
    assert [e.source_event_id for e in entries] == [
        award.event_id,
        *(e.event_id for e in early),
    ]
    assert [e.occurred_at for e in entries[1:]] == [LATER] * 3  # business time of each fact
    assert state.held == {} and state.hold_version == 4  # three holds and one release


def test_the_hold_stream_records_each_hold_and_the_release_by_the_referent() -> None:
    events, _ = run(
        [
            envelope(decommissioned("c1"), LATER),
            envelope(grant("a2")),
            envelope(contract("c1")),
        ]
    )
    held = [e for e in events if isinstance(e, FeedEntryHeld)]
    [released] = [e for e in events if isinstance(e, HeldEntriesReleased)]
    assert [(h.hold, h.entry_type, h.waiting_for) for h in held] == [
        (1, EntryType.DECISION, "award:c1"),
        (2, EntryType.DECOMMISSIONING_NOTICE, "award:c1"),
    ]
    assert released.holds == [1, 2] and released.referent == 2  # c1's contract is entry 2
    entries = [e for e in events if not isinstance(e, FeedEntryHeld | HeldEntriesReleased)]
    assert [getattr(e, "refers_to", None) for e in entries] == [None, None, 2, 2]


def test_out_of_order_delivery_gives_the_feed_of_in_order_delivery_apart_from_timing() -> None:
    award = envelope(contract("c1"))
    news = [
        envelope(paid("c1", 1), LATER),
        envelope(kpi_return("c1", {"age": {"18-24": 12, "25-34": 30}}), LATER),
        envelope(decommissioned("c1"), LATER),
    ]
    in_order, _ = publish([award, *news])
    late_award, _ = publish([*news, award])

    def shape(entries: list[FeedEntryPublished]) -> list[tuple[object, ...]]:
        return [
            (e.number, e.entry_type, e.subject, e.refers_to, e.fund_id, e.decision_number, e.data)
            for e in entries
        ]

    assert shape(late_award) == shape(in_order)


def test_a_held_fact_repeated_is_published_once_and_a_changed_one_corrects_it() -> None:
    first = kpi_return("a1", {"gender": {"female": 14, "male": 11}})
    again = first.model_copy()  # the same fact under a new event id
    amended = first.model_copy(update={"beneficiaries": 27})
    entries, state = publish(
        [envelope(first, LATER), envelope(again, LATER), envelope(amended, LATER)]
    )
    assert entries == [] and len(state.held["dorset/award:a1"]) == 3
    entries, state = publish([envelope(grant("a1"))], state)
    _, outcome, correction = entries
    assert outcome.data["beneficiaries"] == 25
    assert correction.corrects == outcome.number
    # 25 then 27 would say two people were added: the correction hides it (ADR 0053), even
    # though it was decided while both facts were held.
    assert correction.data["beneficiaries"] is None
    assert state.held == {}


def test_holds_are_per_partnership() -> None:
    news = envelope(paid("a1", 1), LATER, partnership="gwent")
    entries, state = publish([news, envelope(grant("a1"))])  # Dorset's a1 is another award
    assert [e.partnership_id for e in entries] == ["dorset"]
    assert list(state.held) == ["gwent/award:a1"]
    entries, state = publish([envelope(grant("a1"), partnership="gwent")], state)
    assert [(e.partnership_id, e.entry_type) for e in entries] == [
        ("gwent", EntryType.GRANT),
        ("gwent", EntryType.PAYMENT),
    ]
    assert entries[1].refers_to == entries[0].number and state.held == {}
