"""Which public entries each event becomes: one table entry per event type. Pure.

A mapper sees the typed event and its envelope and returns candidate entries holding public
facts only (organisations, money, dates, decisions, suppressed counts); the domain then numbers
them and turns a changed fact into a correction. Event types not in `MAPPERS` publish nothing,
so a new event type another service adds never breaks the feed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from services.publication.candidates import Candidate, Mapper, Policy
from services.publication.mappers import applications, funding, monitoring
from shared.contracts.applications import ApplicationApproved, BallotClosed
from shared.contracts.base import DomainEvent
from shared.contracts.funding import (
    BudgetAllocated,
    ContractAwarded,
    FormulaAllocationMade,
    FundEstablished,
    GrantAwarded,
    PaymentReleased,
)
from shared.contracts.monitoring import (
    KPIReturnAmended,
    KPIReturnSubmitted,
    ServiceDecommissioned,
)
from shared.contracts.publication import EntryType
from shared.eventstore.envelope import Envelope

__all__ = ["CORRECTION_GUARDS", "MAPPERS", "Candidate", "Policy", "candidates_of", "guarded"]

# What an entry would publish, and every entry published before about the same subject (oldest
# first) -> what it may publish: the figures a reader could subtract from the earlier ones are
# hidden (ADR 0053).
CorrectionGuard = Callable[[dict[str, Any], Sequence[dict[str, Any]]], dict[str, Any]]

# The table: one entry per event type. Types absent here are not public: AwardBlocked, concerns,
# payments suspended, and VoteCast above all (a voter's choice is never published).
MAPPERS: dict[str, Mapper] = {
    GrantAwarded.event_type: funding.on_grant_awarded,
    ContractAwarded.event_type: funding.on_contract_awarded,
    ApplicationApproved.event_type: applications.on_application_approved,
    ServiceDecommissioned.event_type: monitoring.on_service_decommissioned,
    KPIReturnSubmitted.event_type: monitoring.on_kpi_return_submitted,
    KPIReturnAmended.event_type: monitoring.on_kpi_return_amended,
    BallotClosed.event_type: applications.on_ballot_closed,
    FundEstablished.event_type: funding.on_fund_established,
    BudgetAllocated.event_type: funding.on_budget_allocated,
    FormulaAllocationMade.event_type: funding.on_formula_allocation_made,
    PaymentReleased.event_type: funding.on_payment_released,
}

# Entry types whose corrections are protected against differencing: their subjects' earlier
# entries are kept in the feed state (`Published.history`) for the guard to see.
CORRECTION_GUARDS: dict[EntryType, CorrectionGuard] = {
    EntryType.OUTCOME: monitoring.protect_outcome_correction,
}


def guarded(
    entry_type: EntryType, data: dict[str, Any], earlier: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """What an entry may publish after the entries before it about the same subject."""
    guard = CORRECTION_GUARDS.get(entry_type)
    return guard(data, earlier) if guard is not None and earlier else data


def candidates_of(envelope: Envelope, policy: Policy) -> list[Candidate]:
    """The public entries an event asks for; none for types the feed does not map."""
    mapper = MAPPERS.get(envelope.event_type)
    if mapper is None:
        return []  # checked before loading: an unknown type may not even be registered here
    event: DomainEvent = envelope.event()
    return mapper(event, envelope, policy)
