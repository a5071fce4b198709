"""Monitoring's public facts: suppressed aggregated outcomes, decommissioning decisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from services.publication.candidates import Candidate, Policy, organisation
from services.publication.privacy import (
    SuppressedTable,
    protect_count,
    protect_table,
    scrub,
    suppress_count,
    suppress_table,
)
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


SINGLE_COUNTS = ("beneficiaries", "referrals_in", "referrals_out")


def protect_outcome_correction(
    data: dict[str, Any], earlier: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """An outcome entry that follows others for the same period, with its changes protected.

    `data` is what the entry would publish on its own; `earlier` every outcome entry published
    before for the period, oldest first (ADR 0053). Single counts are hidden when they moved by
    1 to T-1 against any of them; each breakdown is protected by `privacy.protect_table`. Every
    breakdown partitions the beneficiaries (monitoring checks it), so its total is published as
    `beneficiaries`: when a breakdown needs its total hidden, beneficiaries is hidden and every
    breakdown is protected again without it, each with a cell hidden at least.
    """
    if not earlier:
        return data
    threshold = int(data["suppression_threshold"])
    totals = [known_beneficiaries(e) for e in earlier]
    protected = dict(data)
    protected["beneficiaries"] = protect_count(data["beneficiaries"], totals, threshold)
    for key in SINGLE_COUNTS[1:]:
        protected[key] = protect_count(data[key], [e.get(key) for e in earlier], threshold)
    breakdowns: dict[str, dict[str, int | None]] = data["breakdowns"]
    while True:
        total = protected["beneficiaries"]
        tables = {
            dimension: protect_table(
                SuppressedTable(total, dict(cells)),
                [
                    SuppressedTable(known, dict(e["breakdowns"][dimension]))
                    for e, known in zip(earlier, totals, strict=True)
                    if dimension in e.get("breakdowns", {})
                ],
                threshold,
            )
            for dimension, cells in sorted(breakdowns.items())
        }
        if total is not None and any(t.total is None for t in tables.values()):
            protected["beneficiaries"] = None
            continue
        protected["breakdowns"] = {dimension: t.cells for dimension, t in tables.items()}
        if total is None:  # nor may a breakdown shown whole give the hidden total away
            protected["breakdowns"] = {
                d: _one_hidden(c) for d, c in protected["breakdowns"].items()
            }
        return protected


def _one_hidden(cells: dict[str, int | None]) -> dict[str, int | None]:
    """A breakdown with at least one cell hidden (its smallest, ties by name), so that its
    cells do not add up to a total that is hidden."""
    visible = sorted((count, name) for name, count in cells.items() if count is not None)
    if len(visible) < len(cells) or not visible:
        return cells
    return {**cells, visible[0][1]: None}


def known_beneficiaries(data: dict[str, Any]) -> int | None:
    """The beneficiaries a reader knows from an outcome entry: published, or the sum of a
    breakdown none of whose cells is hidden (every breakdown partitions the beneficiaries)."""
    if data.get("beneficiaries") is not None:
        return int(data["beneficiaries"])
    for cells in data.get("breakdowns", {}).values():
        if cells and all(count is not None for count in cells.values()):
            return sum(int(count) for count in cells.values())
    return None
