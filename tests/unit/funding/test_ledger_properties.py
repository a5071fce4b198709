"""Under any sequence of operations the books balance and no fund or pot is over-committed."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

from hypothesis import given as for_all
from hypothesis import settings
from hypothesis import strategies as st

from services.funding.awards import award
from services.funding.commands import (
    AllocateBudget,
    CreateRingFence,
    allocate_budget,
    create_ring_fence,
)
from services.funding.domain import FundingError
from services.funding.journal import check, positions
from services.funding.payments import decommission, raise_clawback, release_payment
from shared.contracts.base import DomainEvent
from tests.unit.funding.support import award_request, books, given, north_wales_moj_2017

pounds = st.integers(min_value=1, max_value=400_000_00).map(lambda p: Decimal(p) / 100)
operation = st.one_of(
    st.tuples(st.just("award"), pounds, st.booleans()),
    st.tuples(st.just("budget"), pounds, st.just(False)),
    st.tuples(st.just("ring_fence"), pounds, st.just(False)),
    st.tuples(st.just("release"), st.integers(0, 20), st.integers(1, 4)),
    st.tuples(st.just("decommission"), st.integers(0, 20), st.integers(1, 12)),
    st.tuples(st.just("clawback"), st.integers(0, 20), pounds),
)


def apply(history: list[DomainEvent], op: tuple[object, ...], n: int) -> list[DomainEvent]:
    fund = given(history)
    ids = sorted(fund.awards)
    match op:
        case ("award", Decimal() as amount, bool() as from_pot):
            pot = {"pot_id": "csa", "spend_category": "child-sexual-abuse"} if from_pot else {}
            return award(fund, award_request(amount=str(amount), **pot), f"award-{n}")
        case ("budget", Decimal() as amount, _):
            return allocate_budget(fund, AllocateBudget(amount=amount, reference="top-up"))
        case ("ring_fence", Decimal() as amount, _):
            command = CreateRingFence(
                pot_id=f"pot-{n}", name=f"pot {n}", amount=amount, eligible_categories=("x",)
            )
            return create_ring_fence(fund, command)
        case ("release", int() as pick, int() as number) if ids:
            return release_payment(fund, ids[pick % len(ids)], number, date(2018, 6, 1))
        case ("decommission", int() as pick, int() as month) if ids:
            return decommission(fund, ids[pick % len(ids)], date(2017, month, 1), "ended")
        case ("clawback", int() as pick, Decimal() as amount) if ids:
            return raise_clawback(fund, ids[pick % len(ids)], amount, "unspent", date(2018, 1, 1))
    return []


@settings(max_examples=150, deadline=None)
@for_all(st.lists(operation, max_size=25))
def test_books_balance_and_nothing_is_over_committed(ops: list[tuple[object, ...]]) -> None:
    history = north_wales_moj_2017()
    for n, op in enumerate(ops):
        with contextlib.suppress(FundingError):  # refused: the history stays as it was
            history += apply(history, op, n)
        fund = given(history)
        assert fund.available >= 0
        assert all(pot.available >= 0 for pot in fund.pots.values())
        report = check(books(history))
        assert report.balanced, report.problems
    ledger = positions(books(history))
    general = ledger["moj-victims-2017-18", "general"]
    assert general.available == given(history).available  # the ledger agrees with the fund
    assert positions(books(history)) == ledger  # posting again gives identical balances


def test_the_check_finds_a_missing_line_and_an_over_commitment() -> None:
    history = north_wales_moj_2017()
    lines = books(history)
    assert not check(lines[:-1]).balanced
    over = books([*history, *award(given(history), award_request(amount="100"), "a")])
    forged = [
        line
        if line.kind != "commitment"
        else type(line)(
            line.entry,
            line.fund_id,
            line.kind,
            line.account,
            line.debit * 10**4,
            line.credit * 10**4,
        )
        for line in over
    ]
    assert any("over-committed" in p for p in check(forged).problems)
