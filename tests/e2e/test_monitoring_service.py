"""The monitoring service as a process, driven over HTTP: who may see and do what."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.auth import Role
from shared.infra.databases import create_databases, drop_databases
from shared.infra.processes import ServiceProcess, stop_all, wait_until_healthy
from tests.integration.monitoring.support import eventually_ok, publish_as_funding
from tests.support.services import TEST_SECRET, free_base_port, token
from tests.unit.monitoring.given import PROVIDER, community_grant, contract, figures

P = f"dorset-{uuid.uuid4().hex[:8]}"
OPCC = token(P, Role.COMMISSIONER)
COUNCIL = token(P, Role.PARTNER, "GB-LAE-DOR")  # co-funds the contract, not the grant
FIRE = token(P, Role.PARTNER, "GB-GOR-DWFIRE")  # co-funds nothing
SARC = token(P, Role.APPLICANT, PROVIDER)
CLUB = token(P, Role.APPLICANT, "GB-CHC-7654321")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def service(
    database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ServiceProcess]:
    """Monitoring running as a process on a database of its own."""
    name = f"e2e_{uuid.uuid4().hex[:8]}_monitoring"
    urls = await create_databases(database_url, [name])
    logs: Path = tmp_path_factory.mktemp("monitoring-logs")
    env = {
        "DATABASE_URL": urls[name],
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "COMMISSIONING_JWT_SECRET": TEST_SECRET,
    }
    running = ServiceProcess("monitoring", free_base_port(1), env, logs / "monitoring.log").start()
    try:
        wait_until_healthy([running], timeout=60)
        yield running
    finally:
        stop_all([running])
        await drop_databases(database_url, [name])


async def test_each_role_sees_and_does_only_its_part(
    service: ServiceProcess, engine: AsyncEngine, schema: str, kafka_bootstrap: str
) -> None:
    sarc, club = contract(award_id=f"award-{uuid.uuid4().hex[:8]}"), community_grant()
    club = club.model_copy(update={"award_id": f"award-{uuid.uuid4().hex[:8]}"})
    for award in (sarc, club):
        await publish_as_funding(engine, schema, kafka_bootstrap, P, award)
    base = f"/partnerships/{P}/monitoring"
    async with httpx.AsyncClient(base_url=service.url) as client:
        for award in (sarc, club):
            await eventually_ok(client, f"{base}/services/{award.award_id}", OPCC, timeout=30)

        async def listed(headers: dict[str, str]) -> set[str]:
            answer = await client.get(f"{base}/services", headers=headers)
            assert answer.status_code == 200, answer.text
            return {s["service_id"] for s in answer.json()["items"]}

        assert await listed(OPCC) == {sarc.award_id, club.award_id}
        assert await listed(COUNCIL) == {sarc.award_id}
        assert await listed(FIRE) == set()
        assert await listed(CLUB) == {club.award_id}
        legacy = await client.get(f"/partnerships/{P}/services", headers=COUNCIL)
        assert [s["award_id"] for s in legacy.json()["items"]] == [sarc.award_id]

        sarc_url = f"{base}/services/{sarc.award_id}"
        assert (await client.get(sarc_url, headers=COUNCIL)).status_code == 200
        assert (await client.get(sarc_url, headers=FIRE)).status_code == 404
        assert (await client.get(sarc_url, headers=CLUB)).status_code == 404
        assert (await client.get(sarc_url, headers=token(P, Role.ASSESSOR))).status_code == 403
        outsider = await client.get(sarc_url, headers=token("gwent", Role.COMMISSIONER))
        assert outsider.status_code == 403 and f"may not access partnership {P}" in outsider.text
        no_token = await client.post(f"{sarc_url}/returns", json={})
        assert no_token.status_code == 401

        light = (await client.get(f"{base}/services/{club.award_id}", headers=CLUB)).json()
        assert (light["proportionality"], len(light["periods"])) == ("light", 1)

        quarter = figures().model_dump(mode="json") | {"kpi_values": {}}
        by_commissioner = await client.post(f"{sarc_url}/returns", json=quarter, headers=OPCC)
        assert by_commissioner.status_code == 403
        by_club = await client.post(f"{sarc_url}/returns", json=quarter, headers=CLUB)
        assert by_club.status_code == 403 and "not the provider" in by_club.text
        by_sarc = await client.post(f"{sarc_url}/returns", json=quarter, headers=SARC)
        assert (by_sarc.status_code, by_sarc.json()["rating"]) == (201, "green"), by_sarc.text
        # The light plan's only return, with counts only: no breakdowns are required.
        year = {
            "period_start": str(club.start_date),
            "period_end": str(club.end_date),
            "beneficiaries": 25,
        }
        assert (
            await client.post(f"{base}/services/{club.award_id}/returns", json=year, headers=CLUB)
        ).status_code == 201

        concern = await client.post(f"{sarc_url}/concerns", json={"reason": "r"}, headers=SARC)
        assert concern.status_code == 403
        unknown = await client.post(
            f"{base}/services/award-nope/concerns", json={"reason": "r"}, headers=OPCC
        )
        assert unknown.status_code == 404 and "award-nope" in unknown.text

        totals = (await client.get(f"{base}/totals?by=mechanism", headers=OPCC)).json()
        assert {(g["key"], g["services"], g["beneficiaries"]) for g in totals["groups"]} == {
            ("contracted_service", 1, 40),
            ("grant", 1, 25),
        }
        council_totals = (await client.get(f"{base}/totals", headers=COUNCIL)).json()
        assert [g["key"] for g in council_totals["groups"]] == [sarc.fund_id]
    assert date.fromisoformat(light["periods"][0]["due"]) == date(2020, 7, 28)
