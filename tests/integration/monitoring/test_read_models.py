"""Monitoring's listings and totals: per scheme, fund and mechanism, and rebuilt identically."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.monitoring.main import SPEC
from services.monitoring.projections import SCHEMA, metadata
from shared.auth import Role
from shared.db import make_engine
from shared.ops.rebuild import Registered, rebuild
from tests.integration.monitoring.support import (
    Clock,
    databases,
    decision,
    eventually_ok,
    headers,
    monitoring_settings,
    publish_as_funding,
    running,
)
from tests.unit.monitoring.given import PROVIDER, community_grant, contract, figures

P = f"dorset-{uuid.uuid4().hex[:8]}"
OPCC = headers(P, Role.COMMISSIONER)
SARC = headers(P, Role.APPLICANT, PROVIDER)
REFUGE = "GB-CHC-2222222"
VICTIMS, COMMUNITY = "victims-services-2019", "community-grants-2019"
BASE = f"/partnerships/{P}/monitoring"


def ids(name: str) -> str:
    return f"award-{name}-{uuid.uuid4().hex[:6]}"


def body(**changes: Any) -> dict[str, Any]:
    return figures(**changes).model_dump(mode="json")


async def test_totals_per_scheme_and_a_rebuild_equal_to_the_live_read_models(
    engine: AsyncEngine, schema: str, database_url: str, kafka_bootstrap: str
) -> None:
    direct = contract(award_id=ids("sarc"))  # no scheme: a direct award
    refuge = contract(
        "20000.00",
        award_id=ids("refuge"),
        scheme_id=VICTIMS,
        recipient_organisation_id=REFUGE,
        recipient_name="Refuge",
    )
    clubs = [
        community_grant(amount).model_copy(update={"award_id": ids("club"), "scheme_id": COMMUNITY})
        for amount in ("250.00", "1500.00")
    ]
    today = Clock(date(2019, 11, 1))
    async with (
        databases(database_url, "monitoring") as urls,
        running(SPEC, monitoring_settings(urls["monitoring"], kafka_bootstrap), today) as client,
    ):
        for award in (direct, refuge, *clubs):
            await publish_as_funding(engine, schema, kafka_bootstrap, P, award)
        for award in (direct, refuge, *clubs):
            await eventually_ok(client, f"{BASE}/services/{award.award_id}", OPCC)
        await _run_the_year(client, direct.award_id, refuge.award_id)

        groups = await _totals(client, "scheme", "2020-02-01")
        assert groups == [
            {
                "key": None, "services": 1, "amount": "40000.00", "returns": 2, "returns_due": 1,
                "beneficiaries": 82, "green": 0, "amber": 1, "red": 0, "overdue_returns": 0,
                "open_concerns": 0, "decommissioned": 1,
            },
            {
                "key": COMMUNITY, "services": 2, "amount": "1750.00", "returns": 0,
                "returns_due": 0, "beneficiaries": 0, "green": 0, "amber": 0, "red": 0,
                "overdue_returns": 0, "open_concerns": 0, "decommissioned": 0,
            },
            {
                "key": VICTIMS, "services": 1, "amount": "20000.00", "returns": 1,
                "returns_due": 1, "beneficiaries": 40, "green": 1, "amber": 0, "red": 0,
                "overdue_returns": 1, "open_concerns": 1, "decommissioned": 0,
            },
        ]  # fmt: skip
        # Before the third quarter ended, nothing was awaited yet.
        earlier = await _totals(client, "scheme", "2019-12-01")
        assert [g["returns_due"] for g in earlier] == [0, 0, 0]
        by_fund = await _totals(client, "fund", "2020-02-01")
        assert [(g["key"], g["services"]) for g in by_fund] == [
            ("moj-victims-2019-20", 2),
            ("safer-dorset-community-grant-scheme", 2),
        ]
        # A provider's totals cover its own services only.
        as_refuge = headers(P, Role.APPLICANT, REFUGE)
        mine = await client.get(f"{BASE}/totals?by=scheme", headers=as_refuge)
        assert [(g["key"], g["services"]) for g in mine.json()["groups"]] == [(VICTIMS, 1)]
        listed = (await client.get(f"{BASE}/services", headers=OPCC)).json()["items"]
        assert {s["service_id"]: s["scheme_id"] for s in listed} == {
            direct.award_id: None,
            refuge.award_id: VICTIMS,
            clubs[0].award_id: COMMUNITY,
            clubs[1].award_id: COMMUNITY,
        }

        live = await _dump(urls["monitoring"])
        [view] = SPEC.projections
        report = await rebuild(urls["monitoring"], Registered("monitoring", view), progress=False)
        assert await _dump(urls["monitoring"]) == live
        # At least this test's 17 events: other tests' awards may share the broker.
        assert report.schema == SCHEMA and report.events >= 17
        assert await _totals(client, "scheme", "2020-02-01") == groups
        # Commands after the rebuild keep the swapped-in read models up to date.
        today.today = date(2020, 2, 1)
        q3 = body(start=date(2019, 10, 1), end=date(2019, 12, 31), kpi_values={})
        sent = await client.post(
            f"{BASE}/services/{refuge.award_id}/returns",
            json=q3,
            headers=as_refuge,
        )
        assert sent.status_code == 201, sent.text
        after = await _totals(client, "scheme", "2020-02-01")
        assert (after[2]["returns"], after[2]["returns_due"]) == (2, 0)


async def _run_the_year(client: httpx.AsyncClient, direct: str, refuge: str) -> None:
    """Returns, an amendment, an overdue return, a formal concern and a decommissioning."""
    sarc, refuge_url = f"{BASE}/services/{direct}", f"{BASE}/services/{refuge}"
    kpis = {"kpis": [{"code": "felt_safer", "name": "Clients feeling safer (%)", "target": 90}]}
    assert (await client.put(f"{sarc}/kpis", json=kpis, headers=OPCC)).status_code == 200
    q2 = {"start": date(2019, 7, 1), "end": date(2019, 9, 30)}
    for url, figures_, who in [
        (f"{sarc}/returns", body(), SARC),
        (f"{sarc}/returns", body(**q2, kpi_values={"felt_safer": 85}), SARC),
        (f"{refuge_url}/returns", body(kpi_values={}), headers(P, Role.APPLICANT, REFUGE)),
    ]:
        answer = await client.post(url, json=figures_, headers=who)
        assert answer.status_code == 201, answer.text
    unexplained = body(beneficiaries=42) | {"reason": " "}
    refused = await client.post(
        f"{sarc}/returns/2019-04-01/amendments", json=unexplained, headers=SARC
    )
    assert (refused.status_code, [p["msg"] for p in refused.json()["detail"]]) == (
        422,
        ["an amendment needs a reason: why did the figures change"],
    )
    amended = body(beneficiaries=42) | {"reason": "Two late referrals counted"}
    answer = await client.post(f"{sarc}/returns/2019-04-01/amendments", json=amended, headers=SARC)
    assert answer.status_code == 201, answer.text
    found = await client.post(f"{BASE}/overdue-check", json={"as_of": "2019-11-15"}, headers=OPCC)
    assert [(o["service_id"], o["period_start"]) for o in found.json()["overdue"]] == [
        (refuge, "2019-07-01")
    ]
    why = {"reason": "Q2 missing"}
    raised = await client.post(f"{refuge_url}/concerns", json=why, headers=OPCC)
    concern = raised.json()["events"][0]["payload"]["concern_id"]
    notice = await client.post(
        f"{refuge_url}/concerns/{concern}/formal-notice", json={"reason": "No reply"}, headers=OPCC
    )
    assert notice.status_code == 201, notice.text
    ended = await client.post(
        f"{sarc}/decommissioning", json=decision(f"{direct}:2019-07-01"), headers=OPCC
    )
    assert ended.status_code == 201, ended.text


async def _totals(client: httpx.AsyncClient, by: str, as_of: str) -> list[dict[str, Any]]:
    answer = await client.get(f"{BASE}/totals", params={"by": by, "as_of": as_of}, headers=OPCC)
    assert answer.status_code == 200, answer.text
    assert answer.json()["as_of"] == as_of
    groups: list[dict[str, Any]] = answer.json()["groups"]
    return groups


async def _dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the live read models, in key order."""
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            mapped = await conn.execution_options(schema_translate_map={None: SCHEMA})
            return {
                table.name: [
                    tuple(row)
                    for row in await mapped.execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for table in metadata.sorted_tables
            }
    finally:
        await engine.dispose()
