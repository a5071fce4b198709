"""Plain builders for publication's tests: envelopes of other services' events, and the feed."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from services.publication.domain import FeedState, decide
from services.publication.mapping import Policy, candidates_of
from shared.contracts.applications import ApplicationApproved
from shared.contracts.base import DomainEvent
from shared.contracts.funding import ContractAwarded, FundingShare, GrantAwarded, Mechanism
from shared.contracts.monitoring import KPIReturnSubmitted, ServiceDecommissioned
from shared.contracts.publication import FeedEntryPublished
from shared.eventstore.envelope import Envelope, seal

POLICY = Policy(threshold=10)
_positions = itertools.count(1)
OPCC = {"organisation_id": "GB-PLA-DORSET-OPCC", "user_id": "jane.smith", "role": "commissioner"}


def envelope(
    payload: DomainEvent,
    when: datetime = datetime(2019, 6, 1, 10, tzinfo=UTC),
    partnership: str = "dorset",
    event_id: UUID | None = None,
) -> Envelope:
    """The payload as another service would have stored and published it."""
    return seal(
        {
            "event_id": event_id or uuid4(),
            "event_type": payload.event_type,
            "schema_version": payload.schema_version,
            "stream_type": "s",
            "stream_id": f"s-{uuid4()}",
            "stream_version": 1,
            "position": next(_positions),
            "occurred_at": when,
            "recorded_at": when,
            "partnership_id": partnership,
            "actor": OPCC,
            "correlation_id": uuid4(),
            "causation_id": None,
            "traceparent": None,
            "payload": payload.model_dump(mode="json"),
            "prev_hash": "0" * 64,
        }
    )


def award_fields(award_id: str, **changes: Any) -> dict[str, Any]:
    """A Dorset community grant (£100–£3,000) unless `changes` say otherwise."""
    fields: dict[str, Any] = {
        "award_id": award_id,
        "application_id": f"app-{award_id}",
        "fund_id": "safer-dorset-2019-20",
        "pot_id": None,
        "mechanism": Mechanism.GRANT,
        "title": "Weymouth youth boxing sessions",
        "description": "Weekly sessions for young people at risk of offending",
        "recipient_organisation_id": "GB-CHC-1234567",
        "recipient_name": "Weymouth Boxing Club",
        "amount": Decimal("2500.00"),
        "award_date": date(2019, 6, 1),
        "start_date": date(2019, 7, 1),
        "end_date": date(2020, 6, 30),
        "beneficiary_location": "Weymouth",
    }
    return {**fields, **changes}


def grant(award_id: str, **changes: Any) -> GrantAwarded:
    """A grant award."""
    return GrantAwarded(**award_fields(award_id, **changes))


def pooled_grant(award_id: str) -> GrantAwarded:
    """A grant drawn from a pooled budget: the OPCC and a council pay their shares."""
    shares = (
        FundingShare(
            organisation_id="GB-PLA-DORSET-OPCC",
            organisation_name="Dorset OPCC",
            amount=Decimal("1500.00"),
        ),
        FundingShare(
            organisation_id="GB-LAE-BOUR",
            organisation_name="BCP Council",
            amount=Decimal("1000.00"),
        ),
    )
    return grant(award_id, funded_by=shares)


def contract(award_id: str, **changes: Any) -> ContractAwarded:
    """A contracted service (Dorset: the SARC)."""
    fields = award_fields(
        award_id,
        mechanism=Mechanism.CONTRACTED_SERVICE,
        title="Sexual assault referral centre",
        recipient_organisation_id="GB-COH-07654321",
        recipient_name="Solace Support Ltd",
        amount=Decimal("120000.00"),
        **changes,
    )
    return ContractAwarded(**fields, contract_reference=f"C-{award_id}")


def approval(application_id: str, reference: str = "PCCG-2019-015") -> ApplicationApproved:
    """The commissioner's decision to fund an application."""
    return ApplicationApproved(
        application_id=application_id,
        round_id="round-1",
        scheme_id="community-grant",
        fund_id="safer-dorset-2019-20",
        mechanism=Mechanism.GRANT,
        applicant_organisation_id="GB-CHC-1234567",
        applicant_name="Weymouth Boxing Club",
        title="Weymouth youth boxing sessions",
        description="Weekly sessions",
        amount=Decimal("2500.00"),
        start_date=date(2019, 7, 1),
        end_date=date(2020, 6, 30),
        decision_reference=reference,
        reason="Meets plan priority 2; contact jane.smith@example.org or 07700 900123",
    )


def decommissioned(award_id: str, service_id: str = "svc-1") -> ServiceDecommissioned:
    """The service an award funds is ended."""
    return ServiceDecommissioned(
        service_id=service_id,
        award_id=award_id,
        reason="Outcomes not met after the improvement plan",
        effective_date=date(2020, 3, 31),
        decision_reference="PCCG-2020-004",
        last_report_considered="ret-4",
    )


def kpi_return(
    award_id: str, breakdowns: dict[str, dict[str, int]], **changes: Any
) -> KPIReturnSubmitted:
    """A quarterly KPI return with client-detail breakdowns."""
    fields: dict[str, Any] = {
        "return_id": f"ret-{uuid4()}",
        "service_id": "svc-1",
        "award_id": award_id,
        "provider_organisation_id": "GB-CHC-1234567",
        "period_start": date(2019, 7, 1),
        "period_end": date(2019, 9, 30),
        "beneficiaries": sum(next(iter(breakdowns.values()), {}).values()) if breakdowns else 0,
        "breakdowns": breakdowns,
        "referrals_in": 14,
        "referrals_out": 3,
        **changes,
    }
    return KPIReturnSubmitted(**fields)


def publish(
    envelopes: list[Envelope], state: FeedState | None = None
) -> tuple[list[FeedEntryPublished], FeedState]:
    """Run the envelopes through the mapping table and the domain, as the publisher does."""
    state = state or FeedState()
    entries: list[FeedEntryPublished] = []
    for env in envelopes:
        decided, state = decide(state, env, candidates_of(env, POLICY))
        entries.extend(entry for _, entry in decided.entries)
    return entries, state
