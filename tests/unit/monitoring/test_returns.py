"""KPI returns: given a service's history, when a provider reports, then events or every problem."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.monitoring.domain import ConflictError, InvalidReturnError, NotProviderError
from services.monitoring.escalation import decommission
from services.monitoring.plans import MonitoringPolicy, PlanPolicy
from services.monitoring.returns import amend_return, rate, submit_return
from shared.contracts.monitoring import KPIReturnAmended, KPIReturnSubmitted, PerformanceRated
from tests.unit.monitoring.given import PROVIDER, SATISFACTION, TODAY, WAITING, figures, service


def problems_of(**changes: object) -> list[str]:
    with pytest.raises(InvalidReturnError) as refused:
        submit_return(service(), figures(**changes), PROVIDER, TODAY)  # type: ignore[arg-type]
    return refused.value.problems


def test_a_valid_return_is_submitted_and_rated() -> None:
    submitted, rated = submit_return(service(), figures(), PROVIDER, TODAY)
    assert isinstance(submitted, KPIReturnSubmitted) and isinstance(rated, PerformanceRated)
    assert (submitted.return_id, submitted.beneficiaries) == ("award-sarc:2019-04-01", 40)
    assert submitted.provider_organisation_id == PROVIDER and submitted.submitted_on == TODAY
    assert (rated.return_id, rated.rating) == (submitted.return_id, "green")


def test_only_the_provider_reports_for_its_service() -> None:
    with pytest.raises(
        NotProviderError, match="GB-CHC-9999999 is not the provider of service award-sarc"
    ):
        submit_return(service(), figures(), "GB-CHC-9999999", TODAY)


def test_the_period_must_be_a_reporting_period_of_the_plan() -> None:
    [problem] = problems_of(start=date(2019, 4, 1), end=date(2019, 5, 31))
    assert "is not a reporting period; periods: 2019-04-01 to 2019-06-30" in problem


def test_the_period_must_lie_inside_the_agreement() -> None:
    [problem] = problems_of(start=date(2020, 4, 1), end=date(2020, 6, 30))
    assert (
        problem
        == "period 2020-04-01 to 2020-06-30 is outside the agreement (2019-04-01 to 2020-03-31)"
    )


def test_a_return_is_not_due_before_its_period_has_ended() -> None:
    with pytest.raises(InvalidReturnError, match="has not ended yet"):
        submit_return(service(), figures(), PROVIDER, date(2019, 6, 30))
    assert submit_return(service(), figures(), PROVIDER, date(2019, 7, 1))


def test_one_return_per_period_corrections_are_amendments() -> None:
    first = submit_return(service(), figures(), PROVIDER, TODAY)
    with pytest.raises(ConflictError, match=r"already submitted .*correct it with an amendment"):
        submit_return(service(*first), figures(), PROVIDER, TODAY)


def test_counts_are_not_negative() -> None:
    problems = problems_of(referrals_in=-1, referrals_out=-2)
    assert problems == ["referrals_in is negative (-1)", "referrals_out is negative (-2)"]


def test_breakdowns_add_up_to_the_beneficiaries() -> None:
    ok = figures()
    breakdowns = {**ok.breakdowns, "gender": {"female": 30, "male": 5}}
    assert problems_of(breakdowns=breakdowns) == [
        "breakdown 'gender' adds up to 35, beneficiaries are 40"
    ]


def test_category_codes_and_breakdowns_must_be_known() -> None:
    breakdowns = {**figures().breakdowns, "ethnicity": {"martian": 40}, "star_sign": {"leo": 40}}
    problems = problems_of(breakdowns=breakdowns)
    assert problems[0].startswith("breakdown 'ethnicity' has unknown codes martian; known: asian")
    assert problems[1].startswith("unknown breakdown 'star_sign'; known: gender")


def test_a_full_plan_requires_the_client_details() -> None:
    breakdowns = dict(figures().breakdowns)
    del breakdowns["ethnicity"], breakdowns["vulnerability"]
    assert problems_of(breakdowns=breakdowns) == [
        "breakdown 'ethnicity' is required by this plan",
        "breakdown 'vulnerability' is required by this plan",
    ]


def test_the_service_kpis_must_be_reported_and_only_those() -> None:
    problems = problems_of(kpi_values={"smiles": Decimal(3)})
    assert problems == [
        "unknown KPI 'smiles'; this plan's KPIs: felt_safer",
        "KPI 'felt_safer' (Clients feeling safer (%)) is missing",
    ]


def test_an_invalid_return_lists_every_problem_at_once() -> None:
    problems = problems_of(
        start=date(2019, 4, 2),
        beneficiaries=-3,
        breakdowns={"gender": {"female": -3, "alien": 1}, "age_band": {"18_24": 0}},
        kpi_values={"felt_safer": Decimal(-1), "smiles": Decimal(1)},
    )
    assert problems == [
        "period 2019-04-02 to 2019-06-30 is not a reporting period; periods: 2019-04-01 to "
        "2019-06-30, 2019-07-01 to 2019-09-30, 2019-10-01 to 2019-12-31, 2020-01-01 to 2020-03-31",
        "beneficiaries is negative (-3)",
        "breakdown 'learning_difficulties' is required by this plan",
        "breakdown 'ethnicity' is required by this plan",
        "breakdown 'vulnerability' is required by this plan",
        "breakdown 'intervention_type' is required by this plan",
        "breakdown 'age_band' adds up to 0, beneficiaries are -3",
        "breakdown 'gender' has unknown codes alien; known: female, male, non_binary, not_known",
        "breakdown 'gender': female is negative (-3)",
        "breakdown 'gender' adds up to -2, beneficiaries are -3",
        "unknown KPI 'smiles'; this plan's KPIs: felt_safer",
        "KPI 'felt_safer' is negative (-1)",
    ]


def test_location_codes_are_the_providers_own_but_must_add_up() -> None:
    where = MonitoringPolicy(default=PlanPolicy(if_applicable=("location",)))
    plan_needs_location = service(policy=where)
    areas = {"weymouth": 30, "portland": 10}
    ok = figures(breakdowns={**figures().breakdowns, "location": areas})
    assert submit_return(plan_needs_location, ok, PROVIDER, TODAY)
    short = figures(breakdowns={**figures().breakdowns, "location": {"weymouth": 30}})
    with pytest.raises(InvalidReturnError) as refused:
        submit_return(plan_needs_location, short, PROVIDER, TODAY)
    assert refused.value.problems == ["breakdown 'location' adds up to 30, beneficiaries are 40"]
    with pytest.raises(InvalidReturnError, match="breakdown 'location' is required"):
        submit_return(plan_needs_location, figures(), PROVIDER, TODAY)


def test_an_amendment_says_why_and_is_checked_like_a_return() -> None:
    history = submit_return(service(), figures(), PROVIDER, TODAY)
    with pytest.raises(InvalidReturnError) as refused:
        amend_return(service(*history), figures(referrals_in=-1), "  ", PROVIDER, TODAY)
    assert refused.value.problems == [
        "an amendment needs a reason: why did the figures change",
        "referrals_in is negative (-1)",
    ]
    with pytest.raises(NotProviderError, match="only its provider reports for it"):
        amend_return(service(*history), figures(), "typo", "GB-CHC-9999999", TODAY)


def test_an_amendment_needs_a_submitted_return_and_counts_up() -> None:
    with pytest.raises(
        ConflictError, match="no return for the period starting 2019-04-01 to amend"
    ):
        amend_return(service(), figures(), "typo", PROVIDER, TODAY)
    history = submit_return(service(), figures(), PROVIDER, TODAY)
    amended, rated = amend_return(
        service(*history), figures(beneficiaries=38), "double count", PROVIDER, TODAY
    )
    assert isinstance(amended, KPIReturnAmended)
    assert (amended.amendment, amended.reason, amended.beneficiaries) == (1, "double count", 38)
    again, _ = amend_return(service(*history, amended, rated), figures(), "back", PROVIDER, TODAY)
    assert isinstance(again, KPIReturnAmended) and again.amendment == 2
    with pytest.raises(InvalidReturnError, match="adds up to 40, beneficiaries are 1"):
        amend_return(
            service(*history),
            figures().model_copy(update={"beneficiaries": 1}),
            "x",
            PROVIDER,
            TODAY,
        )


def test_no_returns_for_periods_after_decommissioning() -> None:
    history = submit_return(service(), figures(), PROVIDER, TODAY)
    ended = decommission(
        service(*history), "No longer needed", date(2019, 7, 31), "PCC-1", "award-sarc:2019-04-01"
    )
    later = figures(start=date(2019, 10, 1), end=date(2019, 12, 31))
    with pytest.raises(InvalidReturnError, match="starts after the service was decommissioned"):
        submit_return(service(*history, ended), later, PROVIDER, TODAY)
    # The period the service ended in is still owed.
    july = figures(start=date(2019, 7, 1), end=date(2019, 9, 30))
    assert submit_return(service(*history, ended), july, PROVIDER, TODAY)


@pytest.mark.parametrize(
    ("felt_safer", "expected"),
    [(Decimal(90), "green"), (Decimal(95), "green"), (Decimal(81), "amber"), (Decimal(80), "red")],
)
def test_a_return_is_rated_against_its_targets(felt_safer: Decimal, expected: str) -> None:
    rating, [kpi] = rate((SATISFACTION,), figures(kpi_values={"felt_safer": felt_safer}))
    assert rating == expected == kpi.rating
    assert (kpi.target, kpi.actual) == (Decimal(90), felt_safer)


def test_the_worst_kpi_rates_the_return_low_is_good_for_at_most_kpis() -> None:
    values = {"felt_safer": Decimal(95), "wait_days": Decimal("5.4")}
    rating, kpis = rate((SATISFACTION, WAITING), figures(kpi_values=values))
    assert [(k.code, k.rating) for k in kpis] == [("felt_safer", "green"), ("wait_days", "amber")]
    assert rating == "amber"
    assert rate((WAITING,), figures(kpi_values={"wait_days": Decimal(6)}))[0] == "red"


def test_a_kpi_named_after_a_count_rates_that_count() -> None:
    target = SATISFACTION.model_copy(update={"code": "beneficiaries", "target": Decimal(50)})
    assert rate((target,), figures(beneficiaries=40))[0] == "red"
    assert rate((target,), figures(beneficiaries=50))[0] == "green"


def test_without_targets_a_return_is_green() -> None:
    assert rate((), figures()) == ("green", ())
