"""The funding ledger's double-entry rules, and the check that proves the books balance. Pure.

Every movement of money is one journal entry that debits one account and credits another by
the same amount. Accounts belong to a fund and a scope: `general` (outside ring-fences) or
`pot:<id>`, each with `available` and `committed` (and `clawback_due`); money enters from the
`funder` or a `contributor:<org>` and leaves to `recipients`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from shared.contracts.base import DomainEvent
from shared.contracts.funding import (
    AwardMade,
    BudgetAllocated,
    ClawbackRaised,
    CommitmentReleased,
    ContributionReceived,
    FormulaAllocationMade,
    PaymentReleased,
    RingFenceCreated,
)

ZERO = Decimal("0.00")
FUNDER, RECIPIENTS = "funder", "recipients"


@dataclass(frozen=True)
class Entry:
    """One movement: `amount` from `credit` to `debit`, within a fund."""

    fund_id: str
    kind: str  # budget, contribution, ring_fence, commitment, payment, release, clawback
    debit: str
    credit: str
    amount: Decimal
    award_id: str | None = None
    memo: str = ""


def scope(pot_id: str | None) -> str:
    return "general" if pot_id is None else f"pot:{pot_id}"


def postings(event: DomainEvent) -> list[Entry]:
    """The journal entries an event makes (none for events that move no money)."""
    match event:
        case BudgetAllocated():
            return [Entry(event.fund_id, "budget", "general:available", FUNDER, event.amount)]
        case ContributionReceived():
            who = f"contributor:{event.contributor_organisation_id}"
            return [Entry(event.fund_id, "contribution", "general:available", who, event.amount)]
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
            s = scope(event.pot_id)
            return [
                Entry(
                    event.fund_id,
                    "commitment",
                    f"{s}:committed",
                    f"{s}:available",
                    event.amount,
                    event.award_id,
                    event.recipient_name,
                )
            ]
        case PaymentReleased():
            s = scope(event.pot_id)
            return [
                Entry(
                    event.fund_id,
                    "payment",
                    RECIPIENTS,
                    f"{s}:committed",
                    event.amount,
                    event.award_id,
                    f"instalment {event.instalment}",
                )
            ]
        case CommitmentReleased():
            s = scope(event.pot_id)
            return [
                Entry(
                    event.fund_id,
                    "release",
                    f"{s}:available",
                    f"{s}:committed",
                    event.amount,
                    event.award_id,
                    event.reason,
                )
            ]
        case ClawbackRaised():
            s = scope(event.pot_id)
            return [
                Entry(
                    event.fund_id,
                    "clawback",
                    f"{s}:clawback_due",
                    RECIPIENTS,
                    event.amount,
                    event.award_id,
                    event.reason,
                )
            ]
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


def lines_of(entry_key: str, entry: Entry) -> list[Line]:
    return [
        Line(entry_key, entry.fund_id, entry.kind, entry.debit, entry.amount, ZERO),
        Line(entry_key, entry.fund_id, entry.kind, entry.credit, ZERO, entry.amount),
    ]


@dataclass
class Position:
    """Where one scope of a fund stands: budget = available + committed + paid."""

    budget: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    released: Decimal = ZERO
    available: Decimal = ZERO
    clawback_due: Decimal = ZERO


def balances(lines: Iterable[Line]) -> dict[tuple[str, str], Decimal]:
    """Debits minus credits per (fund, account)."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        totals[line.fund_id, line.account] += line.debit - line.credit
    return dict(totals)


def positions(lines: Iterable[Line]) -> dict[tuple[str, str], Position]:
    """Each (fund, scope)'s position; budget and flows from the entry kinds, the rest balances."""
    found: dict[tuple[str, str], Position] = defaultdict(Position)
    for line in lines:
        where, _, account = line.account.rpartition(":")
        if account not in ("available", "committed", "clawback_due"):
            continue
        position, net = found[line.fund_id, where], line.debit - line.credit
        if account == "available":
            position.available += net
            if line.kind in ("budget", "contribution", "ring_fence"):
                position.budget += net
        elif account == "committed":
            position.committed += net
            if line.kind == "payment":
                position.paid += line.credit
            elif line.kind == "release":
                position.released += line.credit
        else:
            position.clawback_due += net
    return dict(found)


@dataclass
class CheckReport:
    """What `check` found: the number of entries checked and every problem."""

    entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return not self.problems


def check(lines: Iterable[Line]) -> CheckReport:
    """Prove the books: each entry and each fund balances, and no scope is over-committed."""
    lines = list(lines)
    report = CheckReport()
    by_entry: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        by_entry[line.entry].append(line)
        if (line.debit > 0) == (line.credit > 0) or min(line.debit, line.credit) < 0:
            report.problems.append(f"entry {line.entry}: a line must debit or credit, not both")
    report.entries = len(by_entry)
    for key, entry in by_entry.items():
        debit, credit = sum(x.debit for x in entry), sum(x.credit for x in entry)
        if debit != credit:
            report.problems.append(f"entry {key} debits {debit} but credits {credit}")
    funds: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (fund_id, _account), balance in balances(lines).items():
        funds[fund_id] += balance
    report.problems += [f"fund {f} is out of balance by {b}" for f, b in funds.items() if b]
    for (fund_id, where), p in positions(lines).items():
        if p.available + p.committed + p.paid != p.budget:
            report.problems.append(
                f"{fund_id} {where}: available {p.available} + committed {p.committed} + "
                f"paid {p.paid} != budget {p.budget}"
            )
        if p.available < 0 or p.committed < 0:
            report.problems.append(
                f"{fund_id} {where} is over-committed: available {p.available}, "
                f"committed {p.committed}"
            )
    return report
