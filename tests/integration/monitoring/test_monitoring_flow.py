"""From a ContractAwarded on funding's topic through returns and the ladder to decommissioning."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.auth import Role
from tests.integration.monitoring.support import (
    Clock,
    eventually_ok,
    headers,
    monitoring,
    monitoring_events,
    publish_as_funding,
)
from tests.unit.monitoring.given import PROVIDER, contract, figures

P = f"dorset-{uuid.uuid4().hex[:8]}"
OPCC = headers(P, Role.COMMISSIONER)
SARC = headers(P, Role.APPLICANT, PROVIDER)


def body(**changes: Any) -> dict[str, Any]:
    return figures(**changes).model_dump(mode="json")


async def test_a_contract_is_monitored_escalated_and_decommissioned(
    engine: AsyncEngine, schema: str, database_url: str, kafka_bootstrap: str
) -> None:
    award = contract(award_id=f"award-{uuid.uuid4().hex[:8]}")
    today = Clock(date(2019, 7, 5))
    base = f"/partnerships/{P}/monitoring/services/{award.award_id}"
    async with monitoring(database_url, kafka_bootstrap, today) as client:
        granted = await publish_as_funding(engine, schema, kafka_bootstrap, P, award)
        plan = await eventually_ok(client, base, OPCC)
        assert (plan["proportionality"], len(plan["periods"])) == ("full", 4)
        legacy = await client.get(f"/partnerships/{P}/services/{award.award_id}", headers=OPCC)
        assert legacy.json()["event_id"] == str(granted.event_id)

        kpis = {
            "kpis": [{"code": "felt_safer", "name": "Clients feeling safer (%)", "target": "90"}]
        }
        assert (await client.put(base + "/kpis", json=kpis, headers=OPCC)).status_code == 200

        # Only the provider reports, and only valid returns are taken, with every problem named.
        other = headers(P, Role.APPLICANT, "GB-CHC-9999999")
        refused = await client.post(base + "/returns", json=body(), headers=other)
        assert refused.status_code == 403 and "not the provider" in refused.json()["detail"]
        bad = await client.post(
            base + "/returns", json=body(referrals_in=-1, kpi_values={}), headers=SARC
        )
        assert bad.status_code == 422
        assert [p["msg"] for p in bad.json()["detail"]] == [
            "referrals_in is negative (-1)",
            "KPI 'felt_safer' (Clients feeling safer (%)) is missing",
        ]
        low = body(kpi_values={"felt_safer": "60"})
        first = await client.post(base + "/returns", json=low, headers=SARC)
        assert (first.status_code, first.json()["rating"]) == (201, "red"), first.text
        again = await client.post(base + "/returns", json=low, headers=SARC)
        assert again.status_code == 409

        # The clock moves past Q2's due date and grace: overdue, once.
        check = {"as_of": "2019-11-15"}
        found = await client.post(
            f"/partnerships/{P}/monitoring/overdue-check", json=check, headers=OPCC
        )
        assert [o["period_start"] for o in found.json()["overdue"]] == ["2019-07-01"]
        repeat = await client.post(
            f"/partnerships/{P}/monitoring/overdue-check", json=check, headers=OPCC
        )
        assert repeat.json()["overdue"] == []

        today.today = date(2019, 11, 20)
        raised = await client.post(
            base + "/concerns", json={"reason": "Red Q1, Q2 missing"}, headers=OPCC
        )
        concern = raised.json()["events"][0]["payload"]["concern_id"]
        for step, payload in [
            ("formal-notice", {"reason": "No reply to the informal concern"}),
            ("escalation", {"reason": "Notice ignored"}),
            ("improvement-plan", {"summary": "New specification", "review_on": "2020-01-31"}),
            ("resolution", {"outcome": "Q2 return received, plan met"}),
        ]:
            answer = await client.post(
                f"{base}/concerns/{concern}/{step}", json=payload, headers=OPCC
            )
            assert answer.status_code == 201, (step, answer.text)
        skipped = await client.post(
            f"{base}/concerns/{concern}/escalation", json={"reason": "x"}, headers=OPCC
        )
        assert skipped.status_code == 409

        q2 = body(
            start=date(2019, 7, 1), end=date(2019, 9, 30), kpi_values={"felt_safer": Decimal(95)}
        )
        assert (await client.post(base + "/returns", json=q2, headers=SARC)).status_code == 201
        decision = {
            "reason": "Service moved to the council",
            "effective_date": "2019-12-31",
            "decision_reference": "PCC-DEC-2019-31",
            "last_report_considered": f"{award.award_id}:2019-04-01",
        }
        stale = await client.post(base + "/decommissioning", json=decision, headers=OPCC)
        assert stale.status_code == 409 and "must consider the last monitoring report" in stale.text
        decision["last_report_considered"] = f"{award.award_id}:2019-07-01"
        assert (
            await client.post(base + "/decommissioning", json=decision, headers=OPCC)
        ).status_code == 201

        view = (await client.get(base, headers=OPCC)).json()
        assert [r["rating"] for r in view["rag_history"]] == ["red", "green"]
        assert [p["state"] for p in view["periods"]] == [
            "received",
            "received",
            "upcoming",
            "cancelled",
        ]
        totals = (
            await client.get(f"/partnerships/{P}/monitoring/totals?by=fund", headers=OPCC)
        ).json()
        assert totals["groups"][0] | {"amount": None} == {
            "key": "moj-victims-2019-20", "services": 1, "amount": None, "returns": 2,
            "returns_due": 0, "beneficiaries": 80, "green": 1, "amber": 0, "red": 0,
            "overdue_returns": 0, "open_concerns": 0, "decommissioned": 1,
        }  # fmt: skip

    events = await monitoring_events(
        kafka_bootstrap,
        P,
        lambda seen: any(e["event_type"] == "ServiceDecommissioned" for e in seen),
    )
    assert [e["event_type"] for e in events] == [
        "MonitoringPlanEstablished", "KPITargetsAgreed", "KPIReturnSubmitted", "PerformanceRated",
        "ReturnOverdue", "ConcernRaised", "FormalNoticeIssued", "EscalatedToCommissioner",
        "ImprovementPlanAgreed", "ConcernResolved", "KPIReturnSubmitted", "PerformanceRated",
        "ServiceDecommissioned",
    ]  # fmt: skip
    plan_event, notice, decommissioned = events[0], events[6], events[-1]
    assert plan_event["causation_id"] == str(granted.event_id)
    assert plan_event["correlation_id"] == str(granted.correlation_id)
    assert notice["payload"] | {"concern_id": None} == {
        "concern_id": None, "service_id": award.award_id, "award_id": award.award_id,
        "reason": "No reply to the informal concern", "issued_on": "2019-11-20",
        "issued_by": "commissioner-1",
    }  # fmt: skip
    assert decommissioned["payload"]["last_report_considered"] == f"{award.award_id}:2019-07-01"
    assert decommissioned["actor"]["role"] == "commissioner"
