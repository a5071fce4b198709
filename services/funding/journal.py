"""The funding ledger's double-entry rules, and the check that proves the books balance. Pure.

Every movement of money is one journal entry that debits one account and credits another by
the same amount. Accounts belong to a fund and a scope: `general` (outside ring-fences) or
`pot:<id>`, each with `available` and `committed` (and `clawback_due`); money enters from the
`funder` or a `contributor:<org>` and leaves to `recipients`.

A pooled budget also keeps a subsidiary ledger per contributor: every entry of the pool is
posted again on the same accounts for each partner whose money it moves, with the shares the
event records (`funded_by`, ADR 0030). Those lines carry the contributor; the fund's own (control)
lines do not. `check` proves each contributor's books balance and that they add up to the
fund's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

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
            s = scope(event.pot_id)
            entry = Entry(
                event.fund_id,
                "commitment",
                f"{s}:committed",
                f"{s}:available",
                event.amount,
                event.award_id,
                event.recipient_name,
            )
            return _for_contributors(entry, event.funded_by)
        case PaymentReleased():
            s = scope(event.pot_id)
            entry = Entry(
                event.fund_id,
                "payment",
                RECIPIENTS,
                f"{s}:committed",
                event.amount,
                event.award_id,
                f"instalment {event.instalment}",
            )
            return _for_contributors(entry, event.funded_by)
        case CommitmentReleased():
            s = scope(event.pot_id)
            entry = Entry(
                event.fund_id,
                "release",
                f"{s}:available",
                f"{s}:committed",
                event.amount,
                event.award_id,
                event.reason,
            )
            return _for_contributors(entry, event.funded_by)
        case ClawbackRaised():
            s = scope(event.pot_id)
            entry = Entry(
                event.fund_id,
                "clawback",
                f"{s}:clawback_due",
                RECIPIENTS,
                event.amount,
                event.award_id,
                event.reason,
            )
            return _for_contributors(entry, event.funded_by)
        case ClawbackRepaid():
            s = scope(event.pot_id)
            entry = Entry(
                event.fund_id,
                "repayment",
                f"{s}:available",
                f"{s}:clawback_due",
                event.amount,
                event.award_id,
                f"repaid: {event.reference}",
            )
            return _for_contributors(entry, event.funded_by)
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


@dataclass
class Position:
    """Where one scope of a fund (or one partner's part of it) stands.

    budget = available + committed + paid − repaid: paid money stays spent until the recipient
    repays a clawback, which makes it available again.
    """

    budget: Decimal = ZERO
    committed: Decimal = ZERO
    paid: Decimal = ZERO
    released: Decimal = ZERO
    available: Decimal = ZERO
    clawback_due: Decimal = ZERO
    repaid: Decimal = ZERO

    def add(self, other: Position) -> None:
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)


def balances(lines: Iterable[Line]) -> dict[tuple[str, str], Decimal]:
    """Debits minus credits per (fund, account) of the fund's own (control) lines."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        if line.contributor is None:
            totals[line.fund_id, line.account] += line.debit - line.credit
    return dict(totals)


def _post(position: Position, line: Line, account: str) -> None:
    net = line.debit - line.credit
    if account == "available":
        position.available += net
        if line.kind in ("budget", "contribution", "ring_fence"):
            position.budget += net
        elif line.kind == "repayment":
            position.repaid += net
    elif account == "committed":
        position.committed += net
        if line.kind == "payment":
            position.paid += line.credit
        elif line.kind == "release":
            position.released += line.credit
    else:
        position.clawback_due += net


def _movements(lines: Iterable[Line], contributors: bool) -> Iterable[tuple[Line, str, str]]:
    """(line, scope, account) of the fund's own lines, or of its contributors' lines."""
    for line in lines:
        where, _, account = line.account.rpartition(":")
        if (line.contributor is not None) == contributors and account in (
            "available",
            "committed",
            "clawback_due",
        ):
            yield line, where, account


def positions(lines: Iterable[Line]) -> dict[tuple[str, str], Position]:
    """Each (fund, scope)'s position, from the fund's own lines."""
    found: dict[tuple[str, str], Position] = defaultdict(Position)
    for line, where, account in _movements(lines, contributors=False):
        _post(found[line.fund_id, where], line, account)
    return dict(found)


def contributor_positions(lines: Iterable[Line]) -> dict[tuple[str, str, str], Position]:
    """Each (fund, scope, contributor)'s position, from a pool's subsidiary ledger."""
    found: dict[tuple[str, str, str], Position] = defaultdict(Position)
    for line, where, account in _movements(lines, contributors=True):
        _post(found[line.fund_id, where, str(line.contributor)], line, account)
    return dict(found)


@dataclass
class CheckReport:
    """What `check` found: the number of entries checked and every problem."""

    entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return not self.problems


def _position_problems(who: str, p: Position) -> list[str]:
    problems = []
    if p.available + p.committed + p.paid - p.repaid != p.budget:
        problems.append(
            f"{who}: available {p.available} + committed {p.committed} + paid {p.paid} "
            f"- repaid {p.repaid} != budget {p.budget}"
        )
    if p.available < 0 or p.committed < 0 or p.clawback_due < 0:
        problems.append(
            f"{who} is over-committed: available {p.available}, committed {p.committed}, "
            f"clawback due {p.clawback_due}"
        )
    return problems


def check(lines: Iterable[Line]) -> CheckReport:
    """Prove the books: each entry, fund and contributor balances, and nothing is over-committed.

    For a pooled budget (a fund with contributor accounts) each partner's position must hold on
    its own, and the partners' positions must add up to the fund's, scope by scope.
    """
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
    funds: dict[tuple[str, str | None], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        funds[line.fund_id, line.contributor] += line.debit - line.credit
    report.problems += [
        f"fund {f}{f' contributor {c}' if c else ''} is out of balance by {b}"
        for (f, c), b in funds.items()
        if b
    ]
    fund_positions = positions(lines)
    for (fund_id, where), p in fund_positions.items():
        report.problems += _position_problems(f"{fund_id} {where}", p)
    shares = contributor_positions(lines)
    for (fund_id, where, who), p in shares.items():
        report.problems += _position_problems(f"{fund_id} {where} contributor {who}", p)
    report.problems += _subsidiary_problems(lines, fund_positions, shares)
    return report


def _subsidiary_problems(
    lines: list[Line],
    fund_positions: dict[tuple[str, str], Position],
    shares: dict[tuple[str, str, str], Position],
) -> list[str]:
    """A pool's contributor positions must add up to the fund's, in every scope and field."""
    pooled = {
        line.fund_id
        for line in lines
        if line.contributor is not None or line.account.startswith("contributor:")
    }
    summed: dict[tuple[str, str], Position] = defaultdict(Position)
    for (fund_id, where, _who), p in shares.items():
        summed[fund_id, where].add(p)
    problems = []
    for key in sorted(set(summed) | {k for k in fund_positions if k[0] in pooled}):
        fund, parts = fund_positions.get(key, Position()), summed.get(key, Position())
        if fund != parts:
            problems.append(
                f"{key[0]} {key[1]}: the contributors' accounts add up to {vars(parts)}, "
                f"the fund's are {vars(fund)}"
            )
    return problems
