"""Under any sequence of operations the books balance and no fund or pot is over-committed."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

from hypothesis import given as for_all
from hypothesis import settings
from hypothesis import strategies as st

from services.funding.awards import award
from services.funding.books import Position, check, contributor_positions, positions
from services.funding.commands import (
    AllocateBudget,
    Contribution,
    CreateRingFence,
    allocate_budget,
    create_ring_fence,
    receive_contribution,
)
from services.funding.domain import FundingError
from services.funding.payments import (
    decommission,
    raise_clawback,
    release_payment,
    repay_clawback,
)
from shared.contracts.base import DomainEvent
from tests.unit.funding.support import award_request, books, given, north_wales_moj_2017, pool

pounds = st.integers(min_value=1, max_value=400_000_00).map(lambda p: Decimal(p) / 100)
operation = st.one_of(
    st.tuples(st.just("award"), pounds, st.booleans()),
    st.tuples(st.just("budget"), pounds, st.just(False)),
    st.tuples(st.just("ring_fence"), pounds, st.just(False)),
    st.tuples(st.just("release"), st.integers(0, 20), st.integers(1, 4)),
    st.tuples(st.just("decommission"), st.integers(0, 20), st.integers(1, 12)),
    st.tuples(st.just("clawback"), st.integers(0, 20), pounds),
    st.tuples(st.just("repay"), st.integers(0, 20), pounds),
)
PARTNERS = ("GB-LAE-CONWY", "GB-LAE-GWYNEDD", "GB-NHS-7A1")
small = st.integers(min_value=1, max_value=30_000_00).map(lambda p: Decimal(p) / 100)


def _pool_op(kind: str, pick: int, amount: Decimal) -> tuple[object, ...]:
    match kind:
        case "contribute":
            return (kind, PARTNERS[pick % len(PARTNERS)], amount * 4)
        case "award":
            return (kind, amount, False)
        case "release":
            return (kind, pick, 1 + pick % 4)
        case "decommission":
            return (kind, pick, 1 + pick % 12)
    return (kind, pick, max(Decimal("0.01"), (amount / 10).quantize(Decimal("0.01"))))


# Kinds drawn uniformly (hypothesis favours a `one_of`'s first branches).
pool_operation = st.builds(
    _pool_op,
    st.sampled_from(("contribute", "award", "release", "decommission", "clawback", "repay")),
    st.integers(0, 20),
    small,
)


def apply(history: list[DomainEvent], op: tuple[object, ...], n: int) -> list[DomainEvent]:
    fund = given(history)
    ids = sorted(fund.awards)
    match op:
        case ("award", Decimal() as amount, bool() as from_pot):
            if fund.pooled and n % 2 and fund.available > 0:  # half the time, what is left
                amount = min(amount, fund.available)
            pot = {"pot_id": "csa", "spend_category": "child-sexual-abuse"} if from_pot else {}
            request = award_request(fund_id=fund.fund_id, amount=str(amount), **pot)
            return award(fund, request, f"award-{n}")
        case ("budget", Decimal() as amount, _):
            return allocate_budget(fund, AllocateBudget(amount=amount, reference="top-up"))
        case ("ring_fence", Decimal() as amount, _):
            command = CreateRingFence(
                pot_id=f"pot-{n}", name=f"pot {n}", amount=amount, eligible_categories=("x",)
            )
            return create_ring_fence(fund, command)
        case ("release", int() as pick, int() as number) if ids:
            unpaid = [a for a in ids if fund.awards[a].outstanding > 0] or ids
            return release_payment(fund, unpaid[pick % len(unpaid)], number, date(2018, 6, 1))
        case ("decommission", int() as pick, int() as month) if ids:
            return decommission(fund, ids[pick % len(ids)], date(2017, month, 1), "ended")
        case ("clawback", int() as pick, Decimal() as amount) if ids:
            # Mostly awards with payments to claw back, else nothing would ever be clawed back.
            paid = [a for a in ids if fund.awards[a].paid > fund.awards[a].clawed_back] or ids
            return raise_clawback(fund, paid[pick % len(paid)], amount, "unspent", date(2018, 1, 1))
        case ("repay", int() as pick, Decimal() as amount) if ids:
            owing = [a for a in ids if fund.awards[a].clawback_outstanding > 0] or ids
            owed = fund.awards[owing[pick % len(owing)]].clawback_outstanding
            # Every other time exactly what is owed, so clawbacks are paid off too.
            amount = owed if pick % 2 and owed > 0 else amount
            return repay_clawback(fund, owing[pick % len(owing)], amount, "BACS", date(2018, 2, 1))
        case ("contribute", str() as org, Decimal() as amount):
            paid = Contribution(
                contributor_organisation_id=org, contributor_name=org, amount=amount
            )
            return receive_contribution(fund, paid)
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


@settings(max_examples=150, deadline=None)
@for_all(st.lists(pool_operation, min_size=15, max_size=40))
def test_a_pools_partners_balance_add_up_to_the_pool_and_are_never_over_committed(
    ops: list[tuple[object, ...]],
) -> None:
    history = pool()
    for n, op in enumerate(ops):
        with contextlib.suppress(FundingError):
            history += apply(history, op, n)
        lines = books(history)
        report = check(lines)
        assert report.balanced, report.problems
        fund, partners = given(history), contributor_positions(lines)
        assert all(c.available >= 0 for c in fund.contributors.values())
        total = Position()
        for (_f, _where, who), p in partners.items():
            assert p.available == fund.contributors[who].available  # ledger agrees with fund
            assert min(p.available, p.committed, p.clawback_due) >= 0
            total.add(p)
        assert total == positions(lines).get(("victims-pool-2019-20", "general"), Position())
    for made in given(history).awards.values():
        for part in made.shares.values():  # no partner paid or repaid beyond its share
            assert part.paid + part.released <= part.committed
            assert part.repaid <= part.clawed_back <= part.paid


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
