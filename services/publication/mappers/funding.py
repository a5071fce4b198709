"""Funding's public facts: awards, funding streams, budgets, formula allocations, payments."""

from __future__ import annotations

from typing import Any

from services.publication.candidates import Candidate, Policy, awarding_body, organisation
from services.publication.privacy import scrub
from shared.contracts.funding import (
    AwardMade,
    BudgetAllocated,
    ContractAwarded,
    FormulaAllocationMade,
    FundEstablished,
    GrantAwarded,
    PaymentReleased,
)
from shared.contracts.publication import EntryType
from shared.eventstore.envelope import Envelope


def _award(
    award: AwardMade, envelope: Envelope, entry_type: EntryType, extra: dict[str, Any]
) -> Candidate:
    data = {
        "award_id": award.award_id,
        "mechanism": award.mechanism.value,
        "title": award.title,
        "description": scrub(award.description),
        "recipient": organisation(award.recipient_organisation_id, award.recipient_name),
        "amount": str(award.amount),
        "currency": award.currency,
        "award_date": award.award_date.isoformat(),
        "start_date": award.start_date.isoformat(),
        "end_date": award.end_date.isoformat(),
        "fund_id": award.fund_id,
        "pot_id": award.pot_id,
        "beneficiary_location": award.beneficiary_location,
        "funded_by": [
            # Contributors to a pool are organisations (partners) by contract: named as given.
            {"id": s.organisation_id, "name": s.organisation_name, "amount": str(s.amount)}
            for s in award.funded_by
        ],
        "awarded_by": awarding_body(envelope),
        **extra,
    }
    return Candidate(entry_type, f"award:{award.award_id}", award.title, data, award.fund_id)


def on_grant_awarded(event: GrantAwarded, envelope: Envelope, policy: Policy) -> list[Candidate]:
    """A grant entry (and a 360Giving row)."""
    return [_award(event, envelope, EntryType.GRANT, {})]


def on_contract_awarded(
    event: ContractAwarded, envelope: Envelope, policy: Policy
) -> list[Candidate]:
    """A contract entry (and an OCDS award and contract)."""
    extra = {
        "contract_reference": event.contract_reference,
        "unit_price": None if event.unit_price is None else str(event.unit_price),
    }
    return [_award(event, envelope, EntryType.CONTRACT, extra)]


def on_fund_established(
    event: FundEstablished, envelope: Envelope, policy: Policy
) -> list[Candidate]:
    """A funding stream opened for a financial year."""
    data = {
        "fund_id": event.fund_id,
        "name": event.name,
        "financial_year": event.financial_year,
        "source": event.source.value,
        "eligible_categories": list(event.eligible_categories),
    }
    title = f"Funding stream {event.name} ({event.financial_year})"
    return [
        Candidate(EntryType.FUNDING_STREAM, f"fund:{event.fund_id}", title, data, event.fund_id)
    ]


def on_budget_allocated(
    event: BudgetAllocated, envelope: Envelope, policy: Policy
) -> list[Candidate]:
    """Money added to a funding stream's budget, under its reference (grant letter, precept)."""
    data = {"fund_id": event.fund_id, "amount": str(event.amount), "reference": event.reference}
    subject = f"budget:{event.fund_id}:{event.reference}"
    title = f"Budget of £{event.amount:,.2f} for {event.fund_id} ({event.reference})"
    return [Candidate(EntryType.ALLOCATION, subject, title, data, event.fund_id)]


def on_formula_allocation_made(
    event: FormulaAllocationMade, envelope: Envelope, policy: Policy
) -> list[Candidate]:
    """A formula allocation with its inputs, so anyone can reproduce the calculation."""
    data = {
        "fund_id": event.fund_id,
        "allocation_id": event.allocation_id,
        "formula": event.formula,
        "amount": str(event.amount),
        "areas": [
            {
                "area_id": a.area_id,
                "area_name": a.area_name,
                "crimes": a.crimes,
                "population": a.population,
                "amount": str(a.amount),
            }
            for a in event.areas
        ],
    }
    title = f"Allocation of £{event.amount:,.2f} from {event.fund_id} by {event.formula}"
    subject = f"allocation:{event.allocation_id}"
    return [Candidate(EntryType.ALLOCATION, subject, title, data, event.fund_id)]


def on_payment_released(
    event: PaymentReleased, envelope: Envelope, policy: Policy
) -> list[Candidate]:
    """An instalment paid: what the annual report counts as paid."""
    data = {
        "award_id": event.award_id,
        "fund_id": event.fund_id,
        "instalment": event.instalment,
        "amount": str(event.amount),
        "released_on": event.released_on.isoformat(),
    }
    subject = f"payment:{event.award_id}:{event.instalment}"
    title = f"Instalment {event.instalment} of award {event.award_id} paid"
    award = f"award:{event.award_id}"
    return [
        Candidate(EntryType.PAYMENT, subject, title, data, event.fund_id, refers_to_subject=award)
    ]
