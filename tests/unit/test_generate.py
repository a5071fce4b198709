"""The synthetic volume generator draws everything it sends from its seed (shared.ops.generate)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.applications.seed_schemes import DORSET_COMMUNITY_GRANTS
from services.monitoring.domain import fold
from services.monitoring.plans import MonitoringPolicy, establish_plan
from services.monitoring.returns import ReturnFigures, return_problems
from shared.contracts.monitoring import Proportionality
from shared.ops.generate import APPROVE_FROM, _figures, plan_year
from tests.support.events import grant_awarded

TODAY = date(2026, 11, 22)


def test_the_same_seed_draws_the_same_year_and_another_seed_another() -> None:
    assert plan_year(7, 3, 40, TODAY) == plan_year(7, 3, 40, TODAY)
    assert plan_year(7, 3, 40, TODAY) != plan_year(8, 3, 40, TODAY)


def test_bids_take_every_path_and_stay_within_what_the_scheme_allows() -> None:
    plans = plan_year(3, 4, 100, TODAY)
    bids = [b for plan in plans for b in plan.bids]
    assert [p.partnership for p in plans] == ["gen-3-1", "gen-3-2", "gen-3-3", "gen-3-4"]
    assert len({b.org for b in bids}) == 400, "one organisation per application"
    ineligible = [b for b in bids if not b.eligible]
    assert 0 < len(ineligible) < 100
    assert all(b.amount < Decimal(100) for b in ineligible)
    assert all(Decimal(100) <= b.amount <= Decimal(3000) for b in bids if b.eligible)
    assert all(b.amount == b.amount.quantize(Decimal("0.01")) for b in bids)
    approved = [b for b in bids if b.approved]
    rejected = [b for b in bids if b.eligible and not b.approved]
    assert approved and rejected
    assert all(b.mean_score >= APPROVE_FROM for b in approved)
    assert any(b.conflicted for b in bids)
    criteria = len(DORSET_COMMUNITY_GRANTS.criteria)
    for bid in bids:  # a conflicted first assessor leaves one scorer
        assert len(bid.scores) == (1 if bid.conflicted else 2)
        assert all(len(one) == criteria for one in bid.scores)
        assert bid.start < bid.end
    ended = [b for b in approved if b.end < TODAY]
    assert ended and len(ended) < len(approved), "some awards owe a return already, some not yet"
    for plan in plans:  # the fund covers every bid: no approval is blocked for want of money
        assert plan.budget > sum(b.amount for b in plan.bids)


def test_the_generators_return_for_a_full_plan_is_one_monitoring_accepts() -> None:
    # Generated grants are at most £3,000, light plans under the default policy: this covers
    # the full-plan path (every required breakdown) that larger awards would take.
    award = grant_awarded("award-full", amount="25000.00")
    plan = establish_plan(award, MonitoringPolicy())
    assert plan.proportionality is Proportionality.FULL and plan.required_breakdowns
    service = fold([plan])
    assert service is not None
    as_shown = plan.model_dump(mode="json")  # the shape the monitoring API shows a plan in
    bid = next(b for p in plan_year(5, 1, 20, TODAY) for b in p.bids if b.approved)
    for period in as_shown["periods"]:
        figures = ReturnFigures.model_validate(_figures(bid, period, as_shown))
        assert return_problems(service, figures, TODAY) == []
        assert set(figures.breakdowns) == set(plan.required_breakdowns)
