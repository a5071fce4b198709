"""Funds from the seeds as data; awards checked against headroom and ring-fences."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.funding.awards import award
from services.funding.commands import (
    AreaInput,
    Contribution,
    CreateRingFence,
    EstablishFund,
    MakeFormulaAllocation,
    create_ring_fence,
    establish_fund,
    make_formula_allocation,
    receive_contribution,
)
from services.funding.domain import FundingError, HeadroomError, NotFoundError
from shared.contracts.funding import (
    ContractAwarded,
    FormulaAllocationMade,
    FundingShare,
    FundSource,
    GrantAwarded,
    PaymentScheduled,
)
from tests.unit.funding.support import (
    assert_balanced,
    award_request,
    given,
    north_wales_moj_2017,
    pool,
)


def test_the_seed_funds_are_expressed_as_data() -> None:
    moj = given(north_wales_moj_2017())
    assert (moj.budget, moj.ring_fenced, moj.available) == (
        Decimal("814076"),
        Decimal("56442"),
        Decimal("757634"),  # the paper's "£757,634 for core victims' services"
    )
    dorset = establish_fund(
        None,
        EstablishFund(
            fund_id="dorset-commissioning-2019-20",
            name="Commissioning funds 2019/20",
            financial_year="2019/20",
            source=FundSource.MINISTRY_OF_JUSTICE,
            budget=Decimal("1900000"),
            ring_fences=(
                CreateRingFence(
                    pot_id="victims",
                    name="Victims' services",
                    amount=Decimal("900000"),
                    eligible_categories=("victims-services",),
                ),
            ),
        ),
    )
    assert given(dorset).pots["victims"].available == Decimal("900000")
    csf = establish_fund(
        None,
        EstablishFund(
            fund_id="north-wales-csf-2017-18",
            name="Community Safety Fund",
            financial_year="2017/18",
            source=FundSource.LOCAL_PRECEPT,
            budget=Decimal("1166000"),
        ),
    )
    assert given(csf).available == Decimal("1166000")
    assert_balanced([*north_wales_moj_2017(), *dorset, *csf])


def test_a_financial_year_must_run_april_to_march() -> None:
    command = EstablishFund(
        fund_id="x", name="x", financial_year="2017/19", source=FundSource.OTHER
    )
    with pytest.raises(ValueError, match="does not run April to March"):
        establish_fund(None, command)


def test_a_ring_fence_cannot_reserve_more_than_is_uncommitted() -> None:
    fund = given(north_wales_moj_2017())
    with pytest.raises(HeadroomError, match=r"£757,634.00 uncommitted"):
        create_ring_fence(
            fund,
            CreateRingFence(
                pot_id="dv", name="DV", amount=Decimal("757634.01"), eligible_categories=("dv",)
            ),
        )


def test_an_award_commits_headroom_and_schedules_quarterly_instalments() -> None:
    history = north_wales_moj_2017()
    made, scheduled = award(given(history), award_request(), "award-1")
    assert isinstance(made, GrantAwarded) and isinstance(scheduled, PaymentScheduled)
    assert [i.amount for i in scheduled.instalments] == [Decimal("10000.00")] * 4
    assert made.payment_schedule[0].due_date == date(2017, 6, 1)
    assert given(history, [made, scheduled]).available == Decimal("717634")
    assert_balanced([*history, made, scheduled])


def test_an_award_beyond_headroom_is_refused_with_what_is_available() -> None:
    fund = given(north_wales_moj_2017())
    with pytest.raises(HeadroomError, match=r"has £757,634.00 available") as refusal:
        award(fund, award_request(amount="757634.01"), "award-1")
    assert refusal.value.available == Decimal("757634")


def test_a_ring_fenced_pot_funds_only_its_categories_and_only_up_to_its_amount() -> None:
    fund = given(north_wales_moj_2017())
    with pytest.raises(HeadroomError, match="only funds child-sexual-abuse; spend category is dv"):
        award(fund, award_request(pot_id="csa", spend_category="dv"), "a")
    with pytest.raises(HeadroomError, match=r"'Child sexual abuse services' has £56,442.00"):
        award(
            fund,
            award_request(pot_id="csa", spend_category="child-sexual-abuse", amount="56442.01"),
            "a",
        )
    events = award(
        fund, award_request(pot_id="csa", spend_category="child-sexual-abuse", amount="56442"), "a"
    )
    after = given(north_wales_moj_2017(), events)
    assert (after.pots["csa"].available, after.available) == (Decimal(0), Decimal("757634"))
    with pytest.raises(NotFoundError, match="no pot 'nope'"):
        award(fund, award_request(pot_id="nope"), "a")


def test_partnership_agreements_are_for_public_bodies_only_and_make_contracts() -> None:
    fund = given(north_wales_moj_2017())
    request = award_request(mechanism="partnership_agreement")
    with pytest.raises(FundingError, match="public bodies only"):
        award(fund, request, "a")
    [made, _] = award(fund, request.model_copy(update={"recipient_is_public_body": True}), "a")
    assert isinstance(made, ContractAwarded)


def test_a_pooled_award_is_attributed_pro_rata_to_what_partners_paid_in() -> None:
    history = pool()
    for org, name, amount in (
        ("GB-LAE-WLT", "Wiltshire Council", "30000.00"),
        ("GB-LAE-SWI", "Swindon Borough Council", "20000.00"),
        ("GB-PLA-WILTS-OPCC", "Wiltshire OPCC", "50000.00"),
    ):
        history += receive_contribution(
            given(history),
            Contribution(contributor_organisation_id=org, contributor_name=name, amount=amount),
        )
    made, _ = award(
        given(history), award_request(fund_id="victims-pool-2019-20", amount="1000.01"), "a"
    )
    assert isinstance(made, GrantAwarded)
    assert made.funded_by == (
        FundingShare(
            organisation_id="GB-LAE-SWI",
            organisation_name="Swindon Borough Council",
            amount=Decimal("200.00"),
        ),
        FundingShare(
            organisation_id="GB-LAE-WLT",
            organisation_name="Wiltshire Council",
            amount=Decimal("300.00"),
        ),
        FundingShare(
            organisation_id="GB-PLA-WILTS-OPCC",
            organisation_name="Wiltshire OPCC",
            amount=Decimal("500.01"),
        ),  # largest remainder (0.5 pence)
    )
    assert_balanced([*history, made])


def test_contributions_go_to_pools_only() -> None:
    with pytest.raises(FundingError, match="not a pooled budget"):
        receive_contribution(
            given(north_wales_moj_2017()),
            Contribution(
                contributor_organisation_id="GB-LAE-X", contributor_name="X", amount="1.00"
            ),
        )


def test_a_formula_allocation_records_its_inputs_and_commits_exact_shares() -> None:
    csf = establish_fund(
        None,
        EstablishFund(
            fund_id="kent-csf-2012-13",
            name="Community Safety Fund",
            financial_year="2012/13",
            source=FundSource.HOME_OFFICE,
            budget=Decimal("630569"),
        ),
    )
    areas = (
        AreaInput(area_id="ashford", area_name="Ashford", crimes=7000, population=118000),
        AreaInput(area_id="canterbury", area_name="Canterbury", crimes=11000, population=151000),
        AreaInput(area_id="dover", area_name="Dover", crimes=6500, population=111000),
    )
    command = MakeFormulaAllocation(allocation_id="csp-2012", amount=Decimal("506882"), areas=areas)
    [made] = make_formula_allocation(given(csf), command)
    assert isinstance(made, FormulaAllocationMade)
    assert sum(a.amount for a in made.areas) == Decimal("506882")
    assert [(a.crimes, a.population) for a in made.areas] == [
        (7000, 118000),
        (11000, 151000),
        (6500, 111000),
    ]
    assert given(csf, [made]).available == Decimal("123687")
    assert_balanced([*csf, made])
    with pytest.raises(HeadroomError):
        make_formula_allocation(
            given(csf, [made]), command.model_copy(update={"allocation_id": "again"})
        )
