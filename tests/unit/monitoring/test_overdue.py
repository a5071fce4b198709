"""Overdue returns: after the due date plus grace, once per period, on the day the tests say."""

from __future__ import annotations

from datetime import date

from services.monitoring.escalation import decommission
from services.monitoring.returns import detect_overdue, overdue_returns, submit_return
from shared.contracts.monitoring import ReturnOverdue
from tests.unit.monitoring.given import PROVIDER, TODAY, figures, service

# First quarter: ends 30 June 2019, due 28 July, 14 days' grace: overdue from 12 August.


def test_a_return_is_not_overdue_within_the_grace_period() -> None:
    assert overdue_returns(service(), date(2019, 8, 11)) == []


def test_a_missing_return_is_overdue_after_due_date_and_grace() -> None:
    [overdue] = overdue_returns(service(), date(2019, 8, 12))
    assert (overdue.period_start, overdue.due, overdue.detected_on) == (
        date(2019, 4, 1),
        date(2019, 7, 28),
        date(2019, 8, 12),
    )
    assert overdue.provider_organisation_id == PROVIDER


def test_a_period_is_reported_overdue_only_once() -> None:
    first = overdue_returns(service(), date(2019, 8, 12))
    assert overdue_returns(service(*first), date(2019, 8, 30)) == []
    later = overdue_returns(service(*first), date(2019, 11, 12))
    assert [o.period_start for o in later] == [date(2019, 7, 1)]


def test_a_received_return_is_never_overdue() -> None:
    history = submit_return(service(), figures(), PROVIDER, date(2019, 8, 1))
    assert overdue_returns(service(*history), date(2019, 8, 12)) == []


def test_periods_after_decommissioning_are_not_owed() -> None:
    history = submit_return(service(), figures(), PROVIDER, date(2019, 7, 2))
    ended = decommission(
        service(*history), "Ended", date(2019, 9, 30), "PCC-9", "award-sarc:2019-04-01"
    )
    found = overdue_returns(service(*history, ended), TODAY)
    assert [o.period_start for o in found] == [date(2019, 7, 1)]


def test_detection_runs_over_many_services_and_names_only_those_with_news() -> None:
    late = service()
    on_time = service(*submit_return(service(), figures(), PROVIDER, date(2019, 7, 2)))
    on_time.plan = on_time.plan.model_copy(update={"service_id": "award-other"})
    found = detect_overdue([late, on_time], date(2019, 8, 12))
    assert list(found) == ["award-sarc"]
    assert all(isinstance(o, ReturnOverdue) for o in found["award-sarc"])
