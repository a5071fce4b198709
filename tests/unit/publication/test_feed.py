"""Given other services' events, when publication applies them, then these public entries."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

from services.publication.domain import FeedState
from services.publication.mapping import MAPPERS
from shared.contracts.funding import AwardBlocked
from shared.contracts.monitoring import FormalNoticeIssued
from shared.contracts.publication import EntryType
from shared.eventstore.envelope import seal
from tests.unit.publication.builders import (
    approval,
    contract,
    decommissioned,
    envelope,
    grant,
    kpi_return,
    publish,
)


def test_entries_are_numbered_gaplessly_in_the_order_they_are_applied() -> None:
    entries, state = publish(
        [envelope(approval("app-1")), envelope(grant("a1")), envelope(contract("c1"))]
    )
    assert [e.number for e in entries] == [1, 2, 3]
    assert [e.entry_type for e in entries] == [
        EntryType.DECISION,
        EntryType.GRANT,
        EntryType.CONTRACT,
    ]
    more, _ = publish([envelope(grant("a2"))], state)
    assert [e.number for e in more] == [4]


def test_a_grant_entry_carries_the_public_facts_of_the_award() -> None:
    [entry], _ = publish([envelope(grant("a1"), partnership="dorset")])
    assert entry.subject == "award:a1"
    assert entry.partnership_id == "dorset"
    assert entry.fund_id == "safer-dorset-2019-20"
    assert entry.data["recipient"] == {"id": "GB-CHC-1234567", "name": "Weymouth Boxing Club"}
    assert entry.data["amount"] == "2500.00"
    assert entry.data["awarded_by"]["id"] == "GB-PLA-DORSET-OPCC"


def test_a_changed_fact_is_a_new_entry_that_references_the_one_it_corrects() -> None:
    entries, _ = publish(
        [
            envelope(grant("a1")),
            envelope(grant("a2")),
            envelope(grant("a1", amount=Decimal("2400.00"))),
        ]
    )
    first, _, correction = entries
    assert correction.number == 3
    assert correction.corrects == first.number
    assert correction.title.startswith("Correction to entry 1")
    assert correction.data["amount"] == "2400.00"
    assert first.data["amount"] == "2500.00"  # the original stays as it was published


def test_the_same_fact_arriving_again_publishes_nothing() -> None:
    entries, _ = publish([envelope(grant("a1")), envelope(grant("a1"))])
    assert len(entries) == 1


def test_a_decision_keeps_a_commissioners_number_in_the_gwent_style() -> None:
    [entry], _ = publish([envelope(approval("app-1", reference="PCCG-2012-015"))])
    assert entry.decision_number == "PCCG-2012-015"
    assert entry.data["decision_reference"] == "PCCG-2012-015"


def test_decisions_without_such_a_number_are_numbered_per_partnership_and_year() -> None:
    when = datetime(2019, 6, 1, tzinfo=UTC)
    entries, state = publish(
        [
            envelope(approval("app-1", reference="minutes item 4"), when),
            envelope(approval("app-2", reference="board 2019/7"), when),
            envelope(approval("app-3", reference="x"), datetime(2020, 1, 2, tzinfo=UTC)),
            envelope(approval("app-4", reference="y"), when, partnership="gwent"),
        ]
    )
    assert [e.decision_number for e in entries] == [
        "DORSET-2019-001",
        "DORSET-2019-002",
        "DORSET-2020-001",
        "GWENT-2019-001",
    ]
    assert state.decision_counts[("dorset", 2019)] == 2


def test_a_corrected_decision_keeps_its_number() -> None:
    first, state = publish([envelope(approval("app-1", reference="minute 4"))])
    changed = approval("app-1", reference="minute 4").model_copy(update={"reason": "Revised"})
    [correction], _ = publish([envelope(changed)], state)
    assert correction.corrects == first[0].number
    assert correction.decision_number == first[0].decision_number == "DORSET-2019-001"


def test_decommissioning_posts_the_decision_and_the_notice_referring_to_the_award() -> None:
    entries, _ = publish([envelope(contract("c1")), envelope(decommissioned("c1"))])
    award, decision, notice = entries
    assert decision.entry_type is EntryType.DECISION
    assert decision.decision_number == "PCCG-2020-004"
    assert notice.entry_type is EntryType.DECOMMISSIONING_NOTICE
    assert notice.refers_to == decision.refers_to == award.number
    assert notice.fund_id == award.fund_id  # learned from the award it refers to
    assert notice.data["effective_date"] == "2020-03-31"


def test_outcomes_refer_to_their_award_and_inherit_its_fund() -> None:
    breakdowns = {"gender": {"female": 14, "male": 11}}
    entries, _ = publish([envelope(grant("a1")), envelope(kpi_return("a1", breakdowns))])
    award, outcome = entries
    assert outcome.entry_type is EntryType.OUTCOME
    assert outcome.refers_to == award.number
    assert outcome.fund_id == "safer-dorset-2019-20"
    assert outcome.data["beneficiaries"] == 25
    assert outcome.data["breakdowns"] == {"gender": {"female": 14, "male": 11}}


def test_events_the_feed_does_not_map_publish_nothing() -> None:
    blocked = AwardBlocked(
        application_id="app-9",
        fund_id="f",
        pot_id=None,
        amount=Decimal("10.00"),
        reason="no headroom",
    )
    notice = FormalNoticeIssued(
        concern_id="c",
        service_id="s",
        award_id="a",
        reason="late returns",
        issued_on=datetime(2019, 1, 1).date(),
    )
    entries, state = publish([envelope(blocked), envelope(notice)])
    assert entries == [] and state == FeedState()


def test_an_event_type_this_code_has_never_heard_of_is_ignored_not_loaded() -> None:
    unknown = seal(
        {
            **envelope(grant("a1")).model_dump(exclude={"hash"}),
            "event_id": uuid4(),
            "event_type": "ParkingFineIssued",
            "payload": {"fine_id": "f1", "anything": [1, 2]},
        }
    )
    assert "ParkingFineIssued" not in MAPPERS
    entries, _ = publish([unknown])
    assert entries == []
