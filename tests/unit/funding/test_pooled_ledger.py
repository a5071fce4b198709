"""A pooled budget's partners: every movement of a pooled award is theirs, to the penny."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.funding.awards import award
from services.funding.books import check, contributor_positions, positions
from services.funding.commands import (
    AreaInput,
    Contribution,
    CreateRingFence,
    MakeFormulaAllocation,
    create_ring_fence,
    make_formula_allocation,
    receive_contribution,
)
from services.funding.domain import FundingError
from services.funding.journal import LEDGER_EVENTS, postings
from services.funding.payments import (
    decommission,
    raise_clawback,
    release_payment,
    repay_clawback,
)
from shared.contracts.base import DomainEvent
from shared.contracts.funding import (
    ClawbackRepaid,
    ContributionPledged,
    FundingShare,
    PaymentReleased,
)
from tests.contracts.examples_funding import EXAMPLES
from tests.unit.funding.support import (
    assert_balanced,
    award_request,
    books,
    given,
    north_wales_moj_2017,
    pool,
)

POOL = "victims-pool-2019-20"
COUNCIL, HEALTH = "GB-LAE-CONWY", "GB-NHS-7A1"


def paid_in(history: list[DomainEvent], org: str, amount: str) -> list[DomainEvent]:
    body = Contribution(contributor_organisation_id=org, contributor_name=org, amount=amount)
    return history + receive_contribution(given(history), body)


def pooled_award(amount: str, **changes: object) -> list[DomainEvent]:
    history = paid_in(paid_in(pool(), COUNCIL, "200.00"), HEALTH, "100.00")
    return history + award(
        given(history), award_request(fund_id=POOL, amount=amount, **changes), "a"
    )


def share(org: str, amount: str) -> FundingShare:
    return FundingShare(organisation_id=org, organisation_name=org, amount=Decimal(amount))


def test_instalments_are_shared_against_each_partners_unpaid_part_so_pennies_never_overpay() -> (
    None
):
    # 3p shared 2p/1p, paid as three 1p instalments: splitting each instalment 2:1 on its own
    # would give the council all three pence; splitting by what is unpaid gives 2p and 1p.
    schedule = [{"due_date": date(2017, 6, d), "amount": "0.01"} for d in (1, 2, 3)]
    history = pooled_award("0.03", payment_schedule=schedule)
    payments = []
    for number in (1, 2, 3):
        [paid] = release_payment(given(history), "a", number, date(2017, 6, 3))
        assert isinstance(paid, PaymentReleased)
        payments.append(paid.funded_by)
        history.append(paid)
    assert payments == [
        (share(COUNCIL, "0.01"),),
        (share(COUNCIL, "0.01"),),  # equal remainders: the smaller organisation id
        (share(HEALTH, "0.01"),),
    ]
    partners = contributor_positions(books(history))
    assert partners[POOL, "general", COUNCIL].paid == Decimal("0.02")
    assert partners[POOL, "general", HEALTH].paid == Decimal("0.01")
    assert_balanced(history)


def test_clawback_and_repayment_go_back_to_the_partners_whose_money_was_paid() -> None:
    history = pooled_award("300.00", start_date=date(2017, 6, 1), end_date=date(2017, 8, 31))
    history += release_payment(given(history), "a", 1, date(2017, 6, 1))
    [claw] = raise_clawback(given(history), "a", Decimal("30.00"), "unspent", date(2017, 9, 1))
    assert claw.funded_by == (share(COUNCIL, "20.00"), share(HEALTH, "10.00"))  # type: ignore[attr-defined]
    history.append(claw)
    with pytest.raises(FundingError, match=r"owes £30.00 \(clawed back £30.00, repaid £0.00\)"):
        repay_clawback(given(history), "a", Decimal("30.01"), "BACS 1", date(2017, 9, 9))
    [repaid] = repay_clawback(given(history), "a", Decimal("15.00"), "BACS 1", date(2017, 9, 9))
    assert isinstance(repaid, ClawbackRepaid)
    assert repaid.funded_by == (share(COUNCIL, "10.00"), share(HEALTH, "5.00"))
    history.append(repaid)
    fund = given(history)
    assert fund.available == Decimal("15.00")  # repaid money can be awarded again
    assert fund.contributors[COUNCIL].available == Decimal("10.00")
    ledger = positions(books(history))[POOL, "general"]
    assert (ledger.available, ledger.paid, ledger.repaid, ledger.clawback_due) == (
        Decimal("15.00"),
        Decimal("300.00"),
        Decimal("15.00"),
        Decimal("15.00"),
    )
    history += repay_clawback(given(history), "a", Decimal("15.00"), "BACS 2", date(2017, 10, 1))
    with pytest.raises(FundingError, match="no clawback outstanding"):
        repay_clawback(given(history), "a", Decimal("0.01"), "BACS 3", date(2017, 10, 2))
    assert_balanced(history)


def test_an_award_draws_on_what_each_partner_has_left_so_no_partner_is_over_committed() -> None:
    history = paid_in(pool(), COUNCIL, "100.00")
    history += award(given(history), award_request(fund_id=POOL, amount="100.00"), "a")
    history = paid_in(history, HEALTH, "100.00")
    [made, _] = award(given(history), award_request(fund_id=POOL, amount="100.00"), "b")
    # Pro rata to paid-in (1:1) would commit £150 of the council's £100; its money is all spent.
    assert made.funded_by == (share(HEALTH, "100.00"),)  # type: ignore[attr-defined]


def test_decommissioning_gives_each_partner_back_its_unpaid_share() -> None:
    history = pooled_award("300.00", start_date=date(2017, 6, 1), end_date=date(2018, 5, 31))
    history += release_payment(given(history), "a", 1, date(2017, 6, 1))
    [released] = decommission(given(history), "a", date(2017, 8, 1), "decommissioned")
    assert released.funded_by == (share(COUNCIL, "150.00"), share(HEALTH, "75.00"))  # type: ignore[attr-defined]
    history.append(released)
    assert given(history).contributors[HEALTH].available == Decimal("75.00")
    assert_balanced(history)


def test_the_check_finds_partners_accounts_that_do_not_add_up_to_the_pool() -> None:
    history = pooled_award("300.00")
    lines = books(history)
    assert check(lines).balanced
    # Drop the health board's half of the commitment: each entry still balances on its own.
    forged = [x for x in lines if not (x.contributor == HEALTH and x.kind == "commitment")]
    problems = check(forged).problems
    assert any("contributors' accounts add up to" in p for p in problems), problems
    untracked = [x for x in lines if x.contributor is None]  # a pool with no partner ledger
    assert any("contributors' accounts add up to" in p for p in check(untracked).problems)


def test_a_pool_is_neither_ring_fenced_nor_allocated_by_formula() -> None:
    fund = given(paid_in(pool(), COUNCIL, "100.00"))
    fence = CreateRingFence(pot_id="p", name="p", amount="10", eligible_categories=("x",))
    with pytest.raises(FundingError, match="not ring-fenced"):
        create_ring_fence(fund, fence)
    area = AreaInput(area_id="a", area_name="A", crimes=1, population=10)
    formula = MakeFormulaAllocation(allocation_id="f", amount="10", areas=(area,))
    with pytest.raises(FundingError, match="not allocated to areas"):
        make_formula_allocation(fund, formula)


def test_a_fund_that_is_not_pooled_keeps_no_partner_accounts() -> None:
    history = north_wales_moj_2017()
    history += award(given(history), award_request(), "a")
    history += release_payment(given(history), "a", 1, date(2017, 6, 1))
    assert contributor_positions(books(history)) == {}
    assert_balanced(history)


def test_every_event_that_posts_or_counts_contributions_is_one_the_ledger_loads() -> None:
    # A rebuild skips events outside LEDGER_EVENTS without parsing them: none may be missed.
    for event in EXAMPLES:
        if postings(event) or isinstance(event, ContributionPledged):
            assert event.event_type in LEDGER_EVENTS, event.event_type
