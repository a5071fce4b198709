"""A service's dashboard: periods, returns, KPI trends, RAG history, escalation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.monitoring import escalation as ladder
from services.monitoring.dashboard import dashboard
from services.monitoring.returns import amend_return, overdue_returns, submit_return
from tests.unit.monitoring.given import PROVIDER, TODAY, figures, service

Q2 = {"start": date(2019, 7, 1), "end": date(2019, 9, 30)}


def test_the_dashboard_shows_trends_ratings_periods_and_the_open_concern() -> None:
    first = submit_return(
        service(), figures(kpi_values={"felt_safer": Decimal(70)}), PROVIDER, TODAY
    )
    second = submit_return(
        service(*first),
        figures(**Q2, beneficiaries=60, kpi_values={"felt_safer": Decimal(91)}),
        PROVIDER,
        TODAY,
    )
    fixed = amend_return(
        service(*first, *second),
        figures(kpi_values={"felt_safer": Decimal(85)}),
        "miscounted",
        PROVIDER,
        TODAY,
    )
    late = overdue_returns(service(*first, *second, *fixed), date(2020, 2, 15))
    raised = ladder.raise_concern(
        service(*first, *second, *fixed, *late), "c-1", "Q3 missing", "u-1", TODAY
    )
    view = dashboard(service(*first, *second, *fixed, *late, raised), date(2020, 2, 15))

    assert [p.state for p in view.periods] == ["received", "received", "overdue", "upcoming"]
    assert [(r.beneficiaries, r.amendments, r.rating) for r in view.returns] == [
        (40, 1, "amber"),
        (60, 0, "green"),
    ]
    assert [(p.period_start, p.value) for p in view.trends["felt_safer"]] == [
        (date(2019, 4, 1), Decimal(85)),
        (date(2019, 7, 1), Decimal(91)),
    ]
    assert [p.value for p in view.trends["beneficiaries"]] == [40, 60]
    assert [r.rating for r in view.rag_history] == ["red", "green", "amber"]
    assert view.escalation is not None and view.escalation.stage == "raised"
    assert view.escalation.steps[0].why == "Q3 missing"
    assert view.decommissioned is None and view.proportionality == "full"
