"""bench.projections replicates a history under fresh ids: copies share no id, references follow.

A copy that kept an id of another copy would make the rebuild upsert one row where the original
had two (the volume benchmark would then check the wrong thing); a reference that did not follow
its id would make the replay differ from the original's.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from bench.projections import Replicator
from services.publication.domain import decision_prefix, numbered_by_us
from services.publication.projections import FEED_STREAM, HOLD_STREAM
from shared.contracts.applications import (
    ApplicationSubmitted,
    OrganisationKind,
    OrganisationRegistered,
)
from shared.contracts.base import DomainEvent
from shared.contracts.publication import (
    EntryType,
    FeedEntryHeld,
    FeedEntryPublished,
    HeldEntriesReleased,
)
from shared.eventstore.envelope import GENESIS_HASH, Actor, Envelope, chain_hash, seal

PARTNERSHIP = "gen-1-1"
CHARITY = "GB-CHC-1234567"
OFFICER = Actor(organisation_id="GB-PLA-GEN-OPCC", user_id="gen-officer", role="commissioner")
WHEN = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def history() -> list[Envelope]:
    """Registration, an application, and two feed entries about it, as the services store them."""
    application = f"app-{uuid.uuid4().hex}"
    steps: list[Step] = [
        (
            "organisation",
            f"organisation:{PARTNERSHIP}:{CHARITY}",
            OrganisationRegistered(
                organisation_id=CHARITY,
                name="Bridport youth diversion",
                kind=OrganisationKind.CHARITY,
                is_public_body=False,
            ),
            OFFICER,
        ),
        (
            "application",
            application,
            ApplicationSubmitted(
                application_id=application,
                round_id=f"round-{uuid.uuid4().hex}",
                scheme_id="dorset-community-grant-scheme",
                organisation_id=CHARITY,
                organisation_name="Bridport youth diversion",
                organisation_kind=OrganisationKind.CHARITY,
                is_public_body=False,
                title=f"Youth diversion ({PARTNERSHIP}0 pilot)",  # gen-1-10: another word, kept
                description="Weekly sessions",
                amount=Decimal("2500.00"),
                start_date=date(2026, 6, 1),
                end_date=date(2027, 5, 31),
                submitted_at=WHEN,
            ),
            Actor(organisation_id=CHARITY, user_id="gen-0", role="applicant"),
        ),
    ]
    for number in (1, 2):
        steps.append(
            (
                "feed",
                FEED_STREAM,
                FeedEntryPublished(
                    number=number,
                    entry_type=EntryType.DECISION,
                    subject=f"decision:application:{application}",
                    title="Decision to fund",
                    partnership_id=PARTNERSHIP,
                    fund_id=f"dorset-fund-{PARTNERSHIP}",
                    occurred_at=WHEN,
                    decision_number=f"{decision_prefix(PARTNERSHIP)}-2026-00{number}",
                    corrects=1 if number == 2 else None,
                    source_event_id=uuid.uuid4(),
                    source_event_type="ApplicationApproved",
                    data={"applicant": {"id": CHARITY}, "application_id": application},
                ),
                Actor.system("publication"),
            )
        )
    return sealed(steps)


Step = tuple[str, str, DomainEvent, Actor]


def sealed(steps: list[Step]) -> list[Envelope]:
    """The steps as a store holds them: positions, stream versions, one cause chain, hashes."""
    out: list[Envelope] = []
    prev_hash, versions = GENESIS_HASH, dict[str, int]()
    first_id = uuid.uuid4()
    for position, (stream_type, stream_id, payload, actor) in enumerate(steps, start=1):
        versions[stream_id] = versions.get(stream_id, 0) + 1
        event_id = first_id if position == 1 else uuid.uuid4()
        envelope = seal(
            {
                "event_id": event_id,
                "event_type": payload.event_type,
                "schema_version": payload.schema_version,
                "stream_type": stream_type,
                "stream_id": stream_id,
                "stream_version": versions[stream_id],
                "position": position,
                "occurred_at": WHEN,
                "recorded_at": WHEN,
                "partnership_id": PARTNERSHIP,
                "actor": actor,
                "correlation_id": first_id,  # one chain of cause and effect
                "causation_id": None if position == 1 else out[-1].event_id,
                "traceparent": None,
                "payload": payload.model_dump(mode="json"),
                "prev_hash": prev_hash,
            }
        )
        prev_hash = envelope.hash
        out.append(envelope)
    return out


def ids(envelope: Envelope) -> set[str]:
    """Every identifier an envelope carries: envelope ids and any `*_id` in the payload."""
    found = {str(envelope.event_id), str(envelope.correlation_id), envelope.partnership_id}
    found |= {str(envelope.causation_id)} if envelope.causation_id else set()
    found |= {envelope.stream_id} if envelope.stream_id != FEED_STREAM else set()
    found.add(envelope.actor.organisation_id)

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key.endswith("_id") and isinstance(item, str):
                    found.add(item)
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(envelope.payload)
    return found


def copies(count: int) -> tuple[list[Envelope], list[list[Envelope]]]:
    original = history()
    replicator = Replicator(original)
    made = [[Envelope.model_validate(b) for b in events] for events in replicator.copies(count)]
    return original, made


def test_copies_share_no_id_with_each_other_or_the_original() -> None:
    original, made = copies(3)
    every = [set().union(*(ids(e) for e in events)) for events in [original, *made]]
    # Shared on purpose: the system actor, and the scheme id, which names a scheme only within
    # its partnership (stream `scheme:<partnership>:<scheme>`, key (partnership, scheme)).
    scoped = {"system", "dorset-community-grant-scheme"}
    for i, mine in enumerate(every):
        for theirs in every[i + 1 :]:
            assert mine & theirs == scoped
    # Feed numbers continue from copy to copy on the one feed stream, as its versions do.
    numbers = [e.payload["number"] for events in made for e in events if e.stream_id == FEED_STREAM]
    assert numbers == [1, 2, 3, 4, 5, 6]
    versions = [e.stream_version for events in made for e in events if e.stream_id == FEED_STREAM]
    assert versions == numbers


def test_a_copy_keeps_every_reference_of_the_original() -> None:
    original, made = copies(2)
    for k, events in enumerate(made):
        by_position = {e.position - k * len(original): e for e in events}
        registered, submitted, first, second = (by_position[n] for n in (1, 2, 3, 4))
        charity = registered.payload["organisation_id"]
        partnership = registered.partnership_id
        assert charity == f"{CHARITY}-c{k}" and partnership == f"{PARTNERSHIP}-c{k}"
        assert {e.partnership_id for e in events} == {partnership}
        assert registered.stream_id == f"organisation:{partnership}:{charity}"
        assert submitted.payload["organisation_id"] == charity == submitted.actor.organisation_id
        application = submitted.payload["application_id"]
        assert submitted.stream_id == application and application.startswith("app-")
        assert application != original[1].payload["application_id"]
        assert first.payload["subject"] == f"decision:application:{application}"
        assert first.payload["data"] == {
            "applicant": {"id": charity},
            "application_id": application,
        }
        assert first.payload["fund_id"] == f"dorset-fund-{partnership}"
        # Cause and effect follow their events; the longer word is not the partnership.
        assert [e.causation_id for e in events[1:]] == [e.event_id for e in events[:-1]]
        assert {e.correlation_id for e in events} == {registered.event_id}
        assert submitted.payload["title"] == f"Youth diversion ({PARTNERSHIP}0 pilot)"
        # The second entry corrects the first of its own copy, and publication still
        # recognises the decision numbers as its own for the renamed partnership.
        assert second.payload["corrects"] == first.payload["number"]
        assert numbered_by_us(FeedEntryPublished.model_validate(second.payload)) == (2026, 2)
        for envelope in events:
            envelope.event()  # every payload still loads as its contract


def test_the_copies_form_one_hash_chain_with_gapless_positions() -> None:
    original, made = copies(3)
    flat = [e for events in made for e in events]
    assert [e.position for e in flat] == list(range(1, 3 * len(original) + 1))
    prev_hash = GENESIS_HASH
    for envelope in flat:
        assert envelope.prev_hash == prev_hash
        assert chain_hash(envelope.model_dump(mode="json")) == envelope.hash
        prev_hash = envelope.hash


def test_held_entries_keep_their_hold_and_feed_numbers_per_copy() -> None:
    """A payment held for its award, then released after it: holds and numbers continue."""
    award = f"award-app-{uuid.uuid4().hex}"
    system = Actor.system("publication")
    common: dict[str, Any] = {
        "partnership_id": PARTNERSHIP,
        "occurred_at": WHEN,
        "source_event_id": uuid.uuid4(),
    }
    steps: list[Step] = [
        (
            "feed-hold",
            HOLD_STREAM,
            FeedEntryHeld(
                hold=1,
                waiting_for=f"award:{award}",
                entry_type=EntryType.PAYMENT,
                subject=f"payment:{award}:1",
                title="Payment",
                source_event_type="PaymentReleased",
                **common,
            ),
            system,
        ),
        (
            "feed",
            FEED_STREAM,
            FeedEntryPublished(
                number=1,
                entry_type=EntryType.GRANT,
                subject=f"award:{award}",
                title="Grant",
                source_event_type="GrantAwarded",
                **common,
            ),
            system,
        ),
        ("feed-hold", HOLD_STREAM, HeldEntriesReleased(holds=[1], referent=1), system),
    ]
    original = sealed(steps)
    made = [[Envelope.model_validate(b) for b in c] for c in Replicator(original).copies(3)]
    for k, (held, published, released) in enumerate(made):
        # A hold is its event's version on the hold stream, where releases take versions too.
        assert held.stream_id == released.stream_id == HOLD_STREAM
        assert held.payload["hold"] == held.stream_version == 2 * k + 1
        assert released.stream_version == 2 * k + 2
        assert published.payload["number"] == published.stream_version == k + 1
        assert released.payload == {"holds": [2 * k + 1], "referent": k + 1}
        assert held.payload["waiting_for"] == published.payload["subject"] != f"award:{award}"
