"""The funding ledger's double-entry rules: which entries each event posts, as lines. Pure.

Every movement of money is one journal entry that debits one account and credits another by
the same amount. Accounts belong to a fund and a scope: `general` (outside ring-fences) or
`pot:<id>`, each with `available` and `committed` (and `clawback_due`); money enters from the
`funder` or a `contributor:<org>` and leaves to `recipients`.

A pooled budget also keeps a subsidiary ledger per contributor: every entry of the pool is
posted again on the same accounts for each partner whose money it moves, with the shares the
event records (`funded_by`, ADR 0030). Those lines carry the contributor; the fund's own (control)
lines do not. `services.funding.books` computes positions from the lines and checks them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Protocol

from shared.contracts.base import DomainEvent
from shared.contracts.funding import (
    AwardMade,
    BudgetAllocated,
    ClawbackRaised,
    ClawbackRepaid,
    CommitmentReleased,
    ContractAwarded,
    ContributionPledged,
    ContributionReceived,
    FormulaAllocationMade,
    FundingShare,
    GrantAwarded,
    PaymentReleased,
    RingFenceCreated,
)

ZERO = Decimal("0.00")
FUNDER, RECIPIENTS = "funder", "recipients"


@dataclass(frozen=True)
class Entry:
    """One movement: `amount` from `credit` to `debit`, within a fund."""

    fund_id: str
    kind: str  # budget, contribution, ring_fence, commitment, payment, release, clawback, repayment
    debit: str
    credit: str
    amount: Decimal
    award_id: str | None = None
    memo: str = ""
    contributor: str | None = None  # set on a pooled budget's subsidiary ledger entries


def _for_contributors(entry: Entry, shares: Iterable[FundingShare]) -> list[Entry]:
    """The fund's entry and, for a pool, the same movement for each contributor's share."""
    return [
        entry,
        *(
            replace(entry, amount=share.amount, contributor=share.organisation_id)
            for share in shares
            if share.amount > 0
        ),
    ]


class AwardMovement(Protocol):
    """What every event moving an award's money says (awards, payments, releases, clawbacks)."""

    @property
    def fund_id(self) -> str: ...
    @property
    def pot_id(self) -> str | None: ...
    @property
    def award_id(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def funded_by(self) -> tuple[FundingShare, ...]: ...


def _award_entries(
    event: AwardMovement, kind: str, debit: str, credit: str, memo: str
) -> list[Entry]:
    """The entry of an award's movement between two accounts of its scope (or `recipients`)."""
    where = scope(event.pot_id)

    def account(name: str) -> str:
        return name if name == RECIPIENTS else f"{where}:{name}"

    entry = Entry(
        event.fund_id, kind, account(debit), account(credit), event.amount, event.award_id, memo
    )
    return _for_contributors(entry, event.funded_by)


def scope(pot_id: str | None) -> str:
    return "general" if pot_id is None else f"pot:{pot_id}"


# The events `postings` (or the ledger's contributions) use: a rebuild loads no others.
LEDGER_EVENTS = frozenset(
    cls.event_type
    for cls in (
        BudgetAllocated,
        ContributionPledged,
        ContributionReceived,
        RingFenceCreated,
        FormulaAllocationMade,
        GrantAwarded,
        ContractAwarded,
        PaymentReleased,
        CommitmentReleased,
        ClawbackRaised,
        ClawbackRepaid,
    )
)


def postings(event: DomainEvent) -> list[Entry]:
    """The journal entries an event makes (none for events that move no money)."""
    match event:
        case BudgetAllocated():
            return [Entry(event.fund_id, "budget", "general:available", FUNDER, event.amount)]
        case ContributionReceived():
            who = event.contributor_organisation_id
            entry = Entry(
                event.fund_id,
                "contribution",
                "general:available",
                f"contributor:{who}",
                event.amount,
            )
            return [entry, replace(entry, contributor=who)]
        case RingFenceCreated():
            pot = scope(event.pot_id)
            return [
                Entry(
                    event.fund_id,
                    "ring_fence",
                    f"{pot}:available",
                    "general:available",
                    event.amount,
                    memo=event.name,
                )
            ]
        case FormulaAllocationMade():
            return [
                Entry(
                    event.fund_id,
                    "commitment",
                    "general:committed",
                    "general:available",
                    area.amount,
                    memo=f"{event.allocation_id}: {area.area_name}",
                )
                for area in event.areas
                if area.amount > 0
            ]
        case AwardMade():
            return _award_entries(
                event, "commitment", "committed", "available", event.recipient_name
            )
        case PaymentReleased():
            memo = f"instalment {event.instalment}"
            return _award_entries(event, "payment", RECIPIENTS, "committed", memo)
        case CommitmentReleased():
            return _award_entries(event, "release", "available", "committed", event.reason)
        case ClawbackRaised():
            return _award_entries(event, "clawback", "clawback_due", RECIPIENTS, event.reason)
        case ClawbackRepaid():
            memo = f"repaid: {event.reference}"
            return _award_entries(event, "repayment", "available", "clawback_due", memo)
    return []


@dataclass(frozen=True)
class Line:
    """One side of an entry, as stored: `entry` groups the lines of one movement."""

    entry: str
    fund_id: str
    kind: str
    account: str
    debit: Decimal
    credit: Decimal
    contributor: str | None = None  # a pooled budget's subsidiary ledger line
    award_id: str | None = None


def lines_of(entry_key: str, entry: Entry) -> list[Line]:
    who, award = entry.contributor, entry.award_id
    return [
        Line(entry_key, entry.fund_id, entry.kind, entry.debit, entry.amount, ZERO, who, award),
        Line(entry_key, entry.fund_id, entry.kind, entry.credit, ZERO, entry.amount, who, award),
    ]
