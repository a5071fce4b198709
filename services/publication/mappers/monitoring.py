"""Monitoring's public facts: suppressed aggregated outcomes, decommissioning decisions."""

from __future__ import annotations

from dataclasses import replace

from services.publication.candidates import Candidate, Policy, organisation
from services.publication.privacy import scrub, suppress_count, suppress_table
from shared.contracts.monitoring import (
    KPIReturnAmended,
    KPIReturnSubmitted,
    ServiceDecommissioned,
)
from shared.contracts.publication import EntryType
from shared.eventstore.envelope import Envelope


def on_service_decommissioned(
    event: ServiceDecommissioned, envelope: Envelope, policy: Policy
) -> list[Candidate]:
    """The decision to decommission, then the notice that ends the award (DESIGN.md §6, step 6)."""
    award = f"award:{event.award_id}"
    facts = {
        "service_id": event.service_id,
        "award_id": event.award_id,
        "reason": scrub(event.reason),
        "effective_date": event.effective_date.isoformat(),
        "last_report_considered": event.last_report_considered,
    }
    decision = Candidate(
        EntryType.DECISION,
        f"decision:decommission:{event.service_id}",
        f"Decision to decommission service {event.service_id}",
        {"decision": "decommission", **facts},
        decision_reference=event.decision_reference,
        refers_to_subject=award,
    )
    notice = Candidate(
        EntryType.DECOMMISSIONING_NOTICE,
        f"decommissioning:{event.service_id}",
        f"Service {event.service_id} ends on {event.effective_date.isoformat()}",
        {**facts, "decision_reference": event.decision_reference},
        refers_to_subject=award,
    )
    return [decision, notice]


def on_kpi_return_submitted(
    event: KPIReturnSubmitted | KPIReturnAmended, envelope: Envelope, policy: Policy
) -> list[Candidate]:
    """Aggregated outcomes of one period, small numbers suppressed; never a client's record."""
    breakdowns = {
        dimension: suppress_table(counts, policy.threshold).cells
        for dimension, counts in sorted(event.breakdowns.items())
    }
    data = {
        "service_id": event.service_id,
        "award_id": event.award_id,
        "provider": organisation(event.provider_organisation_id, event.provider_organisation_id),
        "period_start": event.period_start.isoformat(),
        "period_end": event.period_end.isoformat(),
        "beneficiaries": suppress_count(event.beneficiaries, policy.threshold),
        "referrals_in": suppress_count(event.referrals_in, policy.threshold),
        "referrals_out": suppress_count(event.referrals_out, policy.threshold),
        "breakdowns": breakdowns,
        "suppression_threshold": policy.threshold,
    }
    subject = f"outcome:{event.service_id}:{event.period_start}:{event.period_end}"
    title = f"Outcomes of service {event.service_id}, {event.period_start} to {event.period_end}"
    return [
        Candidate(
            EntryType.OUTCOME, subject, title, data, refers_to_subject=f"award:{event.award_id}"
        )
    ]


def on_kpi_return_amended(
    event: KPIReturnAmended, envelope: Envelope, policy: Policy
) -> list[Candidate]:
    """Amended figures of a period: the same subject, so the feed shows them as a correction."""
    [candidate] = on_kpi_return_submitted(event, envelope, policy)
    data = {**candidate.data, "amendment_reason": scrub(event.reason)}
    return [replace(candidate, data=data)]
