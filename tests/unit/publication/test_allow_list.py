"""The feed publishes by allow-list: an event type is public only when a mapper names it.

Other services add event types as they grow (users with display names, drafts, votes); none of
them may reach the feed unless publication deliberately maps it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from services.publication.mapping import MAPPERS, candidates_of
from shared.auth import Role
from shared.contracts import registered_events
from shared.contracts.applications import (
    ApplicationDrafted,
    ApplicationDraftUpdated,
    DraftContent,
    UserDeactivated,
    UserRegistered,
    VoteCast,
)
from shared.contracts.base import DomainEvent
from shared.eventstore.envelope import seal
from tests.contracts import (
    examples_applications,
    examples_funding,
    examples_monitoring,
    examples_publication,
)
from tests.unit.publication.builders import POLICY, approval, envelope, grant, publish

# What is public, and why, is decided here and in mapping.py together: adding a mapper without
# adding it here fails, so every newly public event type is a reviewed decision.
PUBLIC = {
    "GrantAwarded",
    "ContractAwarded",
    "ApplicationApproved",
    "ServiceDecommissioned",
    "KPIReturnSubmitted",
    "KPIReturnAmended",
    "BallotClosed",
    "FundEstablished",
    "BudgetAllocated",
    "FormulaAllocationMade",
    "PaymentReleased",
}
EXAMPLES: list[DomainEvent] = [
    *examples_applications.EXAMPLES,
    *examples_funding.EXAMPLES,
    *examples_monitoring.EXAMPLES,
    *examples_publication.EXAMPLES,
]


def test_the_mapped_event_types_are_exactly_the_reviewed_public_ones() -> None:
    assert set(MAPPERS) == PUBLIC
    assert set(registered_events()) >= PUBLIC


@pytest.mark.parametrize(
    "example",
    [e for e in EXAMPLES if e.event_type not in PUBLIC],
    ids=lambda e: e.event_type,
)
def test_every_other_known_event_type_publishes_nothing(example: DomainEvent) -> None:
    assert candidates_of(envelope(example), POLICY) == []


def test_people_drafts_and_votes_never_reach_the_feed() -> None:
    private = [
        UserRegistered(
            user_id="u-jo-bloggs",
            display_name="Jo Bloggs",
            organisation_id="GB-CHC-1234567",
            roles=(Role.APPLICANT,),
        ),
        ApplicationDrafted(
            application_id="app-1",
            round_id="round-1",
            scheme_id="community-grant",
            organisation_id="GB-CHC-1234567",
            content=DraftContent(title="Secret draft: boxing for Jo's nephew"),
            saved_at=datetime(2019, 5, 1, tzinfo=UTC),
        ),
        ApplicationDraftUpdated(
            application_id="app-1",
            content=DraftContent(title="Secret draft v2", description="ring Jo on 07700 900123"),
            saved_at=datetime(2019, 5, 2, tzinfo=UTC),
        ),
        VoteCast(round_id="ycyc-2019", voter_hash="cd" * 32, application_id="app-1"),
        UserDeactivated(user_id="u-jo-bloggs", organisation_id="GB-CHC-1234567", reason="left"),
    ]
    assert all(p.event_type not in MAPPERS for p in private)
    events = [envelope(p) for p in private] + [envelope(approval("app-1")), envelope(grant("a1"))]
    entries, state = publish(events)
    assert len(entries) == 2  # the decision and the grant, nothing else
    published = " ".join(e.model_dump_json() for e in entries) + repr(state)
    for personal in ("Jo Bloggs", "u-jo-bloggs", "Secret draft", "07700", "cd" * 32):
        assert personal not in published


def test_an_event_type_nobody_has_registered_yet_publishes_nothing_and_breaks_nothing() -> None:
    base = envelope(grant("a1")).model_dump(exclude={"hash"})
    future = seal(
        {
            **base,
            "event_id": uuid4(),
            "event_type": "UserProfileUpdated",
            "payload": {"user_id": "u-jo", "display_name": "Jo Bloggs", "phone": "07700 900123"},
        }
    )
    entries, state = publish([future, envelope(grant("a1"))])
    assert [e.subject for e in entries] == ["award:a1"]
    assert "Jo Bloggs" not in repr(state) + entries[0].model_dump_json()
