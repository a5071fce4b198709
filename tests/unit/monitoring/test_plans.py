"""A monitoring plan for every award, proportionate to its amount and scheme."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.monitoring.catalogue import FULL_PLAN_BREAKDOWNS
from services.monitoring.domain import InvalidCommandError
from services.monitoring.plans import (
    MonitoringPolicy,
    PlanPolicy,
    add_months,
    agree_kpis,
    establish_plan,
    reporting_periods,
)
from services.monitoring.settings import PolicySettings
from shared.contracts.monitoring import ReportingPeriod
from tests.unit.monitoring.given import SATISFACTION, TODAY, community_grant, contract, service


def test_a_contract_gets_a_full_quarterly_plan_with_the_dorset_minimum_set() -> None:
    plan = establish_plan(contract(), MonitoringPolicy())
    assert plan.proportionality == "full"
    assert plan.cadence_months == 3
    assert [(p.start, p.end, p.due) for p in plan.periods] == [
        (date(2019, 4, 1), date(2019, 6, 30), date(2019, 7, 28)),
        (date(2019, 7, 1), date(2019, 9, 30), date(2019, 10, 28)),
        (date(2019, 10, 1), date(2019, 12, 31), date(2020, 1, 28)),
        (date(2020, 1, 1), date(2020, 3, 31), date(2020, 4, 28)),
    ]
    assert plan.required_breakdowns == FULL_PLAN_BREAKDOWNS
    assert set(plan.required_breakdowns) >= {
        "gender",
        "age_band",
        "learning_difficulties",
        "ethnicity",
    }
    assert (plan.service_id, plan.provider_organisation_id) == ("award-sarc", "GB-CHC-1234567")
    assert plan.funders == ("GB-PLA-DORSET-OPCC", "GB-LAE-DOR")
    assert plan.mechanism == "contracted_service"


def test_a_250_pound_community_grant_gets_a_light_plan_one_return_counts_only() -> None:
    plan = establish_plan(community_grant("250.00"), MonitoringPolicy())
    assert plan.proportionality == "light"
    assert plan.required_breakdowns == ()
    assert plan.periods == (
        ReportingPeriod(start=date(2019, 7, 1), end=date(2020, 6, 30), due=date(2020, 7, 28)),
    )


def test_the_light_plan_threshold_cadence_and_grace_are_configurable_per_scheme() -> None:
    policy = MonitoringPolicy(
        per_fund={
            "safer-dorset-community-grant-scheme": PlanPolicy(
                light_up_to=Decimal("100.00"),
                cadence_months=6,
                due_after_days=10,
                grace_days=0,
                if_applicable=("location",),
                kpis=(SATISFACTION,),
            )
        }
    )
    plan = establish_plan(community_grant("250.00"), policy)
    assert plan.proportionality == "full"
    assert [(p.start, p.end, p.due) for p in plan.periods] == [
        (date(2019, 7, 1), date(2019, 12, 31), date(2020, 1, 10)),
        (date(2020, 1, 1), date(2020, 6, 30), date(2020, 7, 10)),
    ]
    assert plan.grace_days == 0
    assert plan.required_breakdowns[-1] == "location"
    assert plan.kpis == (SATISFACTION,)
    # Other schemes keep the default policy.
    assert establish_plan(contract(), policy).cadence_months == 3


def test_periods_are_cut_at_the_end_of_the_agreement_and_clamped_to_month_ends() -> None:
    assert add_months(date(2020, 1, 31), 1) == date(2020, 2, 29)
    periods = reporting_periods(date(2019, 11, 30), date(2020, 4, 15), 3, 28)
    assert [(p.start, p.end) for p in periods] == [
        (date(2019, 11, 30), date(2020, 2, 28)),
        (date(2020, 2, 29), date(2020, 4, 15)),
    ]


def test_kpis_are_agreed_with_targets_and_codes_may_not_repeat() -> None:
    agreed = agree_kpis(service(), (SATISFACTION,), "u-7", TODAY)
    assert (agreed.kpis, agreed.agreed_by) == ((SATISFACTION,), "u-7")
    with pytest.raises(InvalidCommandError, match="KPI codes are repeated: felt_safer"):
        agree_kpis(service(), (SATISFACTION, SATISFACTION), "u-7", TODAY)


def test_a_schemes_policy_wins_over_its_funds_and_the_plan_records_the_scheme() -> None:
    fund = "safer-dorset-community-grant-scheme"
    policy = MonitoringPolicy(
        per_fund={fund: PlanPolicy(light_up_to=Decimal("100.00"))},
        # The scheme's small grants (up to £1,000) report counts only, twice a year.
        per_scheme={
            "youth-diversion": PlanPolicy(light_up_to=Decimal("1000.00"), light_cadence_months=6)
        },
    )
    grant = community_grant("750.00").model_copy(update={"scheme_id": "youth-diversion"})
    plan = establish_plan(grant, policy)
    assert (plan.scheme_id, plan.proportionality, plan.required_breakdowns) == (
        "youth-diversion",
        "light",
        (),
    )
    assert [(p.start, p.end) for p in plan.periods] == [
        (date(2019, 7, 1), date(2019, 12, 31)),
        (date(2020, 1, 1), date(2020, 6, 30)),
    ]
    # Above the scheme's threshold: its full plan, quarterly by default.
    bigger = establish_plan(grant.model_copy(update={"amount": Decimal("1000.01")}), policy)
    assert (bigger.proportionality, len(bigger.periods)) == ("full", 4)
    # The same grant through another scheme, or direct, follows the fund's policy.
    for scheme in ("another-scheme", None):
        other = establish_plan(grant.model_copy(update={"scheme_id": scheme}), policy)
        assert (other.scheme_id, other.proportionality) == (scheme, "full")
    assert establish_plan(contract(), policy).scheme_id is None


def test_the_policy_per_scheme_is_read_from_monitoring_policy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "MONITORING_POLICY",
        '{"per_scheme": {"youth-diversion": {"light_up_to": "1000.00", "grace_days": 7}}}',
    )
    policy = PolicySettings().policy
    assert policy.per_scheme["youth-diversion"].light_up_to == Decimal("1000.00")
    grant = community_grant("750.00").model_copy(update={"scheme_id": "youth-diversion"})
    assert establish_plan(grant, policy).grace_days == 7
    monkeypatch.setenv("MONITORING_POLICY", '{"per_scheme": {"x": {"light_up_to": -1}}}')
    with pytest.raises(ValueError, match="light_up_to"):
        PolicySettings()
