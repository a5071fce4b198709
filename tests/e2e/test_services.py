"""Funding and monitoring as processes, driven over HTTP: an award crosses Kafka exactly once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from shared.auth import Role
from shared.infra.databases import create_databases, drop_databases
from shared.infra.processes import ServiceProcess, stop_all, wait_until_healthy
from shared.messaging import dead_letter_topic, topic_for
from tests.support.services import (
    TEST_SECRET,
    find_record,
    free_base_port,
    partitions_of,
    redeliver,
    token,
)

PARTNERSHIP = f"dorset-{uuid.uuid4().hex[:8]}"  # other runs on the same broker stay out of sight
COMMISSIONER = token(PARTNERSHIP, Role.COMMISSIONER)


FUND = {
    "fund_id": "safer-dorset-fund-community-grant-scheme-2019-20",
    "name": "Safer Dorset Fund - Community Grant Scheme",
    "financial_year": "2019/20",
    "source": "police_property_act",
    "budget": "12000.00",
}


def award(**changes: Any) -> dict[str, Any]:
    """A Community Grant Scheme award request (Dorset, £100 to £3,000)."""
    body = {
        "fund_id": "safer-dorset-fund-community-grant-scheme-2019-20",
        "mechanism": "grant",
        "title": "Weymouth youth boxing sessions",
        "description": "Weekly sessions for young people at risk of offending",
        "recipient_organisation_id": "GB-CHC-1234567",
        "recipient_name": "Weymouth Boxing Club",
        "amount": "2500.00",
        "award_date": "2019-10-01",
        "start_date": "2019-10-01",
        "end_date": "2020-09-30",
    }
    return {**body, **changes}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def services(
    database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[dict[str, ServiceProcess]]:
    """funding and monitoring running as processes, each with a database of its own."""
    prefix = f"e2e_{uuid.uuid4().hex[:8]}_"
    names = [f"{prefix}funding", f"{prefix}monitoring"]
    urls = await create_databases(database_url, names)
    logs: Path = tmp_path_factory.mktemp("service-logs")
    base = free_base_port(2)
    running = [
        ServiceProcess(
            name,
            base + offset,
            {
                "DATABASE_URL": urls[f"{prefix}{name}"],
                "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
                "COMMISSIONING_JWT_SECRET": TEST_SECRET,
            },
            logs / f"{name}.log",
        ).start()
        for offset, name in enumerate(("funding", "monitoring"))
    ]
    try:
        wait_until_healthy(running, timeout=60)
        # Awards draw on an established fund with headroom: the Community Grant Scheme's.
        async with httpx.AsyncClient(base_url=running[0].url, headers=COMMISSIONER) as client:
            fund = await client.post(f"/partnerships/{PARTNERSHIP}/funds", json=FUND)
            assert fund.status_code == 201, fund.text
        yield {service.name: service for service in running}
    finally:
        stop_all(running)
        await drop_databases(database_url, names)


async def post_award(funding: ServiceProcess, body: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=funding.url, headers=COMMISSIONER) as client:
        answer = await client.post(f"/partnerships/{PARTNERSHIP}/awards", json=body)
    assert answer.status_code == 201, answer.text
    assert answer.headers["location"].endswith(answer.json()["award_id"])
    recorded: dict[str, Any] = answer.json()
    return recorded


async def arrival(monitoring: ServiceProcess, award_id: str, timeout: float = 30) -> dict[str, Any]:
    """Wait until monitoring knows the award; what it shows."""
    url = f"/partnerships/{PARTNERSHIP}/services/{award_id}"
    async with httpx.AsyncClient(base_url=monitoring.url, headers=COMMISSIONER) as client:
        for _ in range(int(timeout / 0.05)):
            answer = await client.get(url)
            if answer.status_code == 200:
                shown: dict[str, Any] = answer.json()
                return shown
            assert answer.status_code == 404, answer.text
            await asyncio.sleep(0.05)
    raise AssertionError(
        f"award {award_id} did not reach monitoring within {timeout} s; "
        f"logs: {monitoring.log_path.parent}"
    )


async def test_health_and_openapi_of_each_service(services: dict[str, ServiceProcess]) -> None:
    expected_paths = {
        "funding": {
            "/partnerships/{partnership_id}/awards",
            "/partnerships/{partnership_id}/awards/{award_id}",
        },
        "monitoring": {
            "/partnerships/{partnership_id}/services",
            "/partnerships/{partnership_id}/services/{award_id}",
        },
    }
    async with httpx.AsyncClient() as client:
        for name, service in services.items():
            health = await client.get(f"{service.url}/healthz")
            assert health.status_code == 200
            assert health.json() == {
                "status": "ok",
                "service": name,
                "database": "ok",
                "broker": "ok",
            }
            spec = (await client.get(f"{service.url}/openapi.json")).json()
            assert spec["info"]["title"] == f"{name.capitalize()} service"
            assert expected_paths[name] | {"/healthz"} <= set(spec["paths"])


async def test_awards_are_refused_without_a_token_a_role_or_the_partnership(
    services: dict[str, ServiceProcess],
) -> None:
    url = f"/partnerships/{PARTNERSHIP}/awards"
    async with httpx.AsyncClient(base_url=services["funding"].url) as client:
        anonymous = await client.post(url, json=award())
        assert anonymous.status_code == 401
        assert anonymous.json()["detail"] == "missing Authorization header"
        partner = await client.post(url, json=award(), headers=token(PARTNERSHIP, Role.PARTNER))
        assert partner.status_code == 403
        assert "needs one of: commissioner" in partner.json()["detail"]
        outsider = await client.post(url, json=award(), headers=token("gwent", Role.COMMISSIONER))
        assert outsider.status_code == 403
        assert f"may not access partnership {PARTNERSHIP}" in outsider.json()["detail"]
    async with httpx.AsyncClient(base_url=services["monitoring"].url) as client:
        assessor = await client.get(
            f"/partnerships/{PARTNERSHIP}/services", headers=token(PARTNERSHIP, Role.ASSESSOR)
        )
        assert assessor.status_code == 403


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "-5"}, "amount", "greater than 0"),
        ({"amount": "10.001"}, "amount", "not a whole number of pence"),
        ({"title": None}, "title", "valid string"),
        ({"recipient_organisation_id": "1234567"}, "recipient_organisation_id", "pattern"),
        ({"end_date": "2019-09-30"}, None, "end_date is before start_date"),
        (
            {"payment_schedule": [{"due_date": "2019-10-01", "amount": "100.00"}]},
            None,
            "payment schedule totals 100.00, award is 2500.00",
        ),
    ],
)
async def test_an_invalid_award_is_refused_with_the_reason(
    services: dict[str, ServiceProcess], changes: dict[str, Any], field: str | None, message: str
) -> None:
    async with httpx.AsyncClient(base_url=services["funding"].url, headers=COMMISSIONER) as client:
        answer = await client.post(f"/partnerships/{PARTNERSHIP}/awards", json=award(**changes))
    assert answer.status_code == 422
    [error] = answer.json()["detail"]
    assert error["loc"] == (["body", field] if field else ["body"])
    assert message in error["msg"]


async def test_unknown_awards_are_404_in_funding_and_monitoring(
    services: dict[str, ServiceProcess],
) -> None:
    async with httpx.AsyncClient(headers=COMMISSIONER) as client:
        for url in (
            f"{services['funding'].url}/partnerships/{PARTNERSHIP}/awards/award-nope",
            f"{services['monitoring'].url}/partnerships/{PARTNERSHIP}/services/award-nope",
        ):
            answer = await client.get(url)
            assert answer.status_code == 404
            assert "award-nope" in answer.json()["detail"]


async def test_an_award_reaches_monitoring_once_even_when_delivered_twice(
    services: dict[str, ServiceProcess], kafka_bootstrap: str
) -> None:
    funding, monitoring = services["funding"], services["monitoring"]
    first = await post_award(funding, award())
    async with httpx.AsyncClient(base_url=funding.url, headers=COMMISSIONER) as client:
        history = await client.get(f"/partnerships/{PARTNERSHIP}/awards/{first['award_id']}")
    event, scheduled = history.json()["events"]
    assert (event["event_type"], scheduled["event_type"]) == ("GrantAwarded", "PaymentScheduled")
    assert event["payload"]["amount"] == "2500.00"
    assert event["event_id"] == first["event_id"]
    shown = await arrival(monitoring, first["award_id"])
    assert (shown["amount"], shown["event_id"]) == ("2500.00", first["event_id"])

    # Deliver the same event again, as a relay that crashed before deleting its outbox row would.
    topic = topic_for("funding")
    assert await partitions_of(kafka_bootstrap, topic) == {0}, "the check below relies on order"
    record = await find_record(kafka_bootstrap, topic, first["event_id"])
    assert record is not None
    await redeliver(kafka_bootstrap, record)
    # A later award on the same partition arrives after the duplicate was processed.
    second = await post_award(funding, award(title="Portland youth diversion evenings"))
    await arrival(monitoring, second["award_id"])

    async with httpx.AsyncClient(base_url=monitoring.url, headers=COMMISSIONER) as client:
        listing = (await client.get(f"/partnerships/{PARTNERSHIP}/services")).json()
        page = (await client.get(f"/partnerships/{PARTNERSHIP}/services?limit=1&offset=1")).json()
        too_big = await client.get(f"/partnerships/{PARTNERSHIP}/services?limit=100000")
    assert listing["total"] == 2
    assert sorted(s["award_id"] for s in listing["items"]) == sorted(
        [first["award_id"], second["award_id"]]
    )
    assert (len(page["items"]), page["total"], page["offset"]) == (1, 2, 1)
    assert too_big.status_code == 422
    # Absorbed by the inbox, not refused by the table and parked as a dead letter.
    assert (
        await find_record(kafka_bootstrap, dead_letter_topic(topic), first["event_id"], timeout=2)
        is None
    )
