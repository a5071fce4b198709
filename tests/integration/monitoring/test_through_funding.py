"""Funding and monitoring together over the real broker: an award, its returns, a formal notice
that suspends payments in funding, and a decommissioning that releases the commitment there.

The two services get a broker of their own: funding's ledger is keyed by the positions of its
store, so its topic must carry one funding store's events, not those other tests publish.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from services.funding.main import SPEC as FUNDING
from services.funding.settings import FundingSettings
from services.monitoring.main import SPEC as MONITORING
from shared.auth import Role
from shared.infra.embedded import EmbeddedBroker
from tests.integration.monitoring.support import (
    Clock,
    databases,
    decision,
    eventually_ok,
    headers,
    monitoring_settings,
    running,
)
from tests.unit.monitoring.given import PROVIDER, figures

FUND = "moj-victims-2019-20"
SCHEME = "victims-services-2019"


@pytest.fixture
def broker() -> Iterator[str]:
    """A Kafka-protocol broker (Tansu) for this test alone."""
    server = EmbeddedBroker().start()
    try:
        yield server.bootstrap_servers
    finally:
        server.stop()


async def until(
    read: Callable[[], Awaitable[dict[str, Any]]],
    done: Callable[[dict[str, Any]], bool],
    timeout: float = 30,
) -> dict[str, Any]:
    """Read until `done` says the other service has reacted; the last answer either way."""
    answer = await read()
    for _ in range(int(timeout / 0.1)):
        if done(answer):
            break
        await asyncio.sleep(0.1)
        answer = await read()
    return answer


async def test_a_formal_notice_suspends_payments_and_decommissioning_releases_the_commitment(
    database_url: str, broker: str
) -> None:
    p = f"dorset-{uuid.uuid4().hex[:8]}"
    opcc, sarc = headers(p, Role.COMMISSIONER), headers(p, Role.APPLICANT, PROVIDER)
    today = Clock(date(2019, 7, 5))
    async with (
        databases(database_url, "funding", "monitoring") as urls,
        running(
            FUNDING,
            FundingSettings(
                database_url=urls["funding"],
                kafka_bootstrap_servers=broker,
            ),
        ) as funding,
        running(MONITORING, monitoring_settings(urls["monitoring"], broker), today) as monitoring,
    ):
        award_id = await _fund_and_award(funding, p)
        fund_before = await _json(funding, f"/partnerships/{p}/funds/{FUND}")
        assert fund_before["available"] == "60000.00"

        # Monitoring heard the GrantAwarded: a full quarterly plan under the award's scheme.
        service = f"/partnerships/{p}/monitoring/services/{award_id}"
        plan = await eventually_ok(monitoring, service, opcc, timeout=30)
        assert (plan["scheme_id"], plan["proportionality"], len(plan["periods"])) == (
            SCHEME,
            "full",
            4,
        )
        kpis = {"kpis": [{"code": "felt_safer", "name": "Clients feeling safer (%)", "target": 90}]}
        assert (await monitoring.put(f"{service}/kpis", json=kpis, headers=opcc)).status_code == 200
        q1 = figures(kpi_values={"felt_safer": 60}).model_dump(mode="json")
        submitted = await monitoring.post(f"{service}/returns", json=q1, headers=sarc)
        assert (submitted.status_code, submitted.json()["rating"]) == (201, "red"), submitted.text

        # Q2's return never comes: overdue once its due date and grace have passed.
        check = {"as_of": "2019-11-15"}
        found = await monitoring.post(
            f"/partnerships/{p}/monitoring/overdue-check", json=check, headers=opcc
        )
        assert [o["period_start"] for o in found.json()["overdue"]] == ["2019-07-01"]

        # The concern goes formal: funding suspends the award's payments.
        today.today = date(2019, 11, 20)
        raised = await monitoring.post(
            f"{service}/concerns", json={"reason": "Red Q1, Q2 missing"}, headers=opcc
        )
        concern = raised.json()["events"][0]["payload"]["concern_id"]
        notice = await monitoring.post(
            f"{service}/concerns/{concern}/formal-notice",
            json={"reason": "No reply to the informal concern"},
            headers=opcc,
        )
        assert notice.status_code == 201, notice.text
        award_url = f"/partnerships/{p}/awards/{award_id}"
        suspended = await until(lambda: _json(funding, award_url), lambda a: a["suspended"])
        assert suspended["suspended"] is True
        assert ("PaymentSuspended", concern) in [
            (e["event_type"], e["payload"].get("concern_id")) for e in suspended["events"]
        ]
        held = await funding.post(
            f"{award_url}/instalments/2/release", json={"released_on": "2019-11-20"}, headers=opcc
        )
        assert held.status_code == 409 and "suspended" in held.json()["detail"], held.text

        # Decommissioned from the year's end, having considered the last report (Q1).
        ended = await monitoring.post(
            f"{service}/decommissioning", json=decision(f"{award_id}:2019-04-01"), headers=opcc
        )
        assert ended.status_code == 201, ended.text

        released = await until(
            lambda: _json(funding, award_url), lambda a: a["released_to_fund"] != "0.00"
        )
        assert [(i["due_date"], i["status"]) for i in released["instalments"]] == [
            ("2019-04-01", "paid"),
            ("2019-07-01", "scheduled"),
            ("2019-10-01", "scheduled"),
            ("2020-01-01", "cancelled"),
        ]
        assert (released["paid"], released["released_to_fund"]) == ("10000.00", "10000.00")
        fund_after = await _json(funding, f"/partnerships/{p}/funds/{FUND}")
        assert fund_after["available"] == "70000.00"
        # The ledger follows funding's topic: the commitment released is available again.
        position = await until(
            lambda: _json(funding, f"/partnerships/{p}/funds/{FUND}/position"),
            lambda p: p["total"]["available"] == "70000.00",
        )
        assert {k: position["total"][k] for k in ("budget", "committed", "paid", "available")} == {
            "budget": "100000.00",
            "committed": "20000.00",
            "paid": "10000.00",
            "available": "70000.00",
        }
        check_books = await _json(funding, f"/partnerships/{p}/ledger/check")
        assert (check_books["balanced"], check_books["problems"]) == (True, [])

        totals = await _json(monitoring, f"/partnerships/{p}/monitoring/totals?by=scheme")
        assert totals["groups"] == [
            {
                "key": SCHEME, "services": 1, "amount": "40000.00", "returns": 1,
                "returns_due": 0, "beneficiaries": 40, "green": 0, "amber": 0, "red": 1,
                "overdue_returns": 1, "open_concerns": 1, "decommissioned": 1,
            }
        ]  # fmt: skip


async def _fund_and_award(funding: httpx.AsyncClient, p: str) -> str:
    """A £100,000 fund, a £40,000 grant from it through a scheme, its first instalment paid."""
    opcc = headers(p, Role.COMMISSIONER)
    fund = {
        "fund_id": FUND,
        "name": "MoJ victims' services 2019/20",
        "financial_year": "2019/20",
        "source": "ministry_of_justice",
        "budget": "100000.00",
    }
    established = await funding.post(f"/partnerships/{p}/funds", json=fund, headers=opcc)
    assert established.status_code == 201, established.text
    grant = {
        "fund_id": FUND,
        "scheme_id": SCHEME,
        "mechanism": "grant",
        "title": "sarc counselling and aftercare",
        "description": "Counselling for people who experienced rape or sexual assault",
        "recipient_organisation_id": PROVIDER,
        "recipient_name": "The Shores",
        "amount": "40000.00",
        "award_date": "2019-03-01",
        "start_date": "2019-04-01",
        "end_date": "2020-03-31",
    }
    made = await funding.post(f"/partnerships/{p}/awards", json=grant, headers=opcc)
    assert made.status_code == 201, made.text
    award_id: str = made.json()["award_id"]
    paid = await funding.post(
        f"/partnerships/{p}/awards/{award_id}/instalments/1/release",
        json={"released_on": "2019-04-01"},
        headers=opcc,
    )
    assert paid.status_code == 201, paid.text
    return award_id


async def _json(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    answer = await client.get(url, headers=headers(url.split("/")[2], Role.COMMISSIONER))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body
