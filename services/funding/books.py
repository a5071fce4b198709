"""Where a fund's books stand, from its journal lines, and the check that proves them. Pure.

Positions per fund and scope come from the fund's own (control) lines; a pooled budget's
partners' positions from its subsidiary ledger (ADR 0030). `check` proves every entry, fund and
partner balances, nothing is over-committed, and the partners add up to the fund.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from services.funding.journal import ZERO, Line


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
