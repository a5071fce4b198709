"""Publication as a process: other services' events on Kafka in, the public feed and files out.

The producing services are played by this test: it puts their events on their real topics, as
their outbox relays would, so publication is checked against the contracts alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaProducer

from services.publication.standards import giving360_validator, ocds_validator, problems
from shared.contracts.funding import PaymentReleased
from shared.eventstore.envelope import Envelope, seal
from shared.infra.databases import create_databases, drop_databases
from shared.infra.processes import ServiceProcess, stop_all, wait_until_healthy
from shared.messaging import ensure_topics, topic_for
from tests.support.services import TEST_SECRET, free_base_port
from tests.unit.publication.builders import (
    approval,
    contract,
    decommissioned,
    envelope,
    grant,
    kpi_return,
    pooled_grant,
)

PARTNERSHIP = f"dorset-{uuid.uuid4().hex[:8]}"  # other modules' entries on the broker stay apart
FUND = f"safer-dorset-{uuid.uuid4().hex[:6]}"
TOPICS = {s: topic_for(s) for s in ("applications", "funding", "monitoring")}


@contextlib.asynccontextmanager
async def running_publication(
    database_url: str, kafka_bootstrap: str, logs: Path, **env: str
) -> AsyncIterator[ServiceProcess]:
    """Publication as a process with a database of its own; stopped and dropped after."""
    name = f"e2e_{uuid.uuid4().hex[:8]}_publication"
    urls = await create_databases(database_url, [name])
    await ensure_topics(kafka_bootstrap, TOPICS.values())
    port = free_base_port(1)
    settings = {
        "DATABASE_URL": urls[name],
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "COMMISSIONING_JWT_SECRET": TEST_SECRET,
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        **env,
    }
    service = ServiceProcess("publication", port, settings, logs / "publication.log").start()
    try:
        wait_until_healthy([service], timeout=60)
        yield service
    finally:
        stop_all([service])
        await drop_databases(database_url, [name])


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def publication(
    database_url: str, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ServiceProcess]:
    """Publication running for this module, with a short SSE heartbeat."""
    logs = tmp_path_factory.mktemp("publication-logs")
    async with running_publication(
        database_url, kafka_bootstrap, logs, SSE_HEARTBEAT_SECONDS="0.5"
    ) as service:
        yield service


async def produce(bootstrap: str, *events: tuple[str, Envelope]) -> None:
    """Put events on their producers' topics, keyed by stream id, as an outbox relay does."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for service, event in events:
            await producer.send_and_wait(
                TOPICS[service], event.to_json().encode(), key=event.stream_id.encode()
            )
    finally:
        await producer.stop()


def fact(payload: Any, day: date) -> Envelope:
    """An event of the test's partnership that happened at noon on `day`."""
    return envelope(payload, datetime(day.year, day.month, day.day, 12, tzinfo=UTC), PARTNERSHIP)


async def feed(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    answer = await client.get("/feed", params={"partnership": PARTNERSHIP, **params})
    assert answer.status_code == 200, answer.text
    page: dict[str, Any] = answer.json()
    return page


async def until_feed_has(client: httpx.AsyncClient, count: int, timeout: float = 30) -> list[Any]:
    """The partnership's entries once there are at least `count` of them."""
    for _ in range(int(timeout / 0.1)):
        page = await feed(client, limit=200)
        if page["total"] >= count:
            items: list[Any] = page["items"]
            return items
        await asyncio.sleep(0.1)
    raise AssertionError(f"the feed did not reach {count} entries in {timeout} s")


@pytest.fixture(scope="module")
def story() -> list[tuple[str, Envelope]]:
    """A year of one partnership: a decision, three awards, outcomes, a decommissioning."""
    return [
        (
            "applications",
            fact(
                approval("app-1", "PCCG-2019-015").model_copy(update={"fund_id": FUND}),
                date(2019, 5, 20),
            ),
        ),
        ("funding", fact(grant("a1", fund_id=FUND), date(2019, 6, 1))),
        (
            "funding",
            fact(pooled_grant("a2").model_copy(update={"fund_id": FUND}), date(2019, 6, 2)),
        ),
        ("funding", fact(contract("c1", fund_id=FUND), date(2019, 6, 3))),
        ("monitoring", fact(kpi_return("a1", {"gender": {"f": 14, "m": 11}}), date(2019, 10, 5))),
        ("monitoring", fact(decommissioned("c1"), date(2020, 2, 1))),
    ]


async def test_facts_from_every_topic_become_numbered_public_entries(
    publication: ServiceProcess, kafka_bootstrap: str, story: list[tuple[str, Envelope]]
) -> None:
    unknown = seal(
        {**story[1][1].model_dump(exclude={"hash"}), "event_id": uuid.uuid4(), "event_type": "X"}
    )
    async with httpx.AsyncClient(base_url=publication.url) as client:
        # Topics are consumed side by side, so order across them is not given: a stage at a time.
        await produce(kafka_bootstrap, story[0])
        await until_feed_has(client, 1)
        await produce(kafka_bootstrap, ("funding", unknown), *story[1:4])
        await until_feed_has(client, 4)
        await produce(kafka_bootstrap, *story[4:])
        items = await until_feed_has(client, 7)
        types = [i["entry_type"] for i in items]
        assert types == ["decision", "grant", "grant", "contract", "outcome", "decision",
                         "decommissioning_notice"]  # fmt: skip
        numbers = [i["number"] for i in items]
        assert numbers == sorted(numbers) and len(set(numbers)) == 7
        assert items[0]["decision_number"] == "PCCG-2019-015"
        assert "jane.smith" not in json.dumps(items)  # the reason named a contact: removed
        grants = await feed(client, entry_type="grant")
        assert [i["data"]["award_id"] for i in grants["items"]] == ["a1", "a2"]
        page = await feed(client, limit=2, offset=2)
        assert [i["number"] for i in page["items"]] == numbers[2:4] and page["total"] == 7
        ranged = await feed(client, since="2019-06-02", until="2019-10-05")
        assert [i["entry_type"] for i in ranged["items"]] == ["grant", "contract", "outcome"]
        then = await feed(client, as_of="2019-06-01")
        assert [i["entry_type"] for i in then["items"]] == ["decision", "grant"]
        assert (await feed(client, fund=FUND))["total"] == 7
        bad = await client.get("/feed", params={"since": "2020-01-02", "until": "2020-01-01"})
        assert bad.status_code == 422 and "before since" in bad.text
        future = await client.get("/feed", params={"as_of": "2999-01-01"})
        assert future.status_code == 422 and "in the future" in future.text


async def test_health_and_the_public_paths_in_openapi(publication: ServiceProcess) -> None:
    async with httpx.AsyncClient(base_url=publication.url) as client:
        health = await client.get("/healthz")
        assert health.status_code == 200 and health.json()["status"] == "ok"
        spec = (await client.get("/openapi.json")).json()
    assert {
        "/",
        "/feed",
        "/feed/stream",
        "/360giving.json",
        "/360giving.csv",
        "/ocds.json",
        "/reports/{fund_id}.html",
        "/reports/{fund_id}.csv",
    } <= set(spec["paths"])
    assert spec["paths"]["/feed"]["get"]["description"].startswith("The public entries")


async def test_the_open_data_files_are_valid_and_answer_as_of_a_date(
    publication: ServiceProcess, story: list[tuple[str, Envelope]]
) -> None:
    scope = {"partnership": PARTNERSHIP}
    async with httpx.AsyncClient(base_url=publication.url) as client:
        await until_feed_has(client, 7)
        giving = (await client.get("/360giving.json", params=scope)).json()
        assert problems(giving360_validator(), giving) == []
        assert [g["id"] for g in giving["grants"]] == ["360G-jcp-a1", "360G-jcp-a2"]
        assert len(giving["grants"][1]["fundingOrganization"]) == 2
        csv_answer = await client.get("/360giving.csv", params=scope)
        assert csv_answer.headers["content-type"].startswith("text/csv")
        assert csv_answer.text.count("\n") == 3 and "360G-jcp-a2" in csv_answer.text
        contracts = (await client.get("/ocds.json", params=scope)).json()
        assert problems(ocds_validator(), contracts) == []
        assert [r["tag"] for r in contracts["releases"]] == [["award", "contract"],
                                                             ["contractTermination"]]  # fmt: skip
        earlier = (await client.get("/ocds.json", params={**scope, "as_of": "2019-12-31"})).json()
        assert [r["tag"] for r in earlier["releases"]] == [["award", "contract"]]
        assert earlier["uri"].endswith("/ocds.json?as_of=2019-12-31")
        first = (
            await client.get("/360giving.json", params={**scope, "as_of": "2019-06-01"})
        ).json()
        assert [g["id"] for g in first["grants"]] == ["360G-jcp-a1"]
        none = await client.get("/ocds.json", params={**scope, "as_of": "2019-06-02"})
        assert none.status_code == 200 and none.json()["releases"] == []  # an empty package


async def test_the_annual_report_of_a_funding_stream(publication: ServiceProcess) -> None:
    async with httpx.AsyncClient(base_url=publication.url) as client:
        await until_feed_has(client, 7)
        html = await client.get(f"/reports/{FUND}.html", params={"partnership": PARTNERSHIP})
        assert html.status_code == 200 and "£125,000.00" in html.text
        rows = (await client.get(f"/reports/{FUND}.csv")).text.splitlines()
        assert rows[-1].startswith("TOTAL,3 projects,,125000.00,0.00,,,25,0")
        missing = await client.get("/reports/no-such-fund.csv")
        assert missing.status_code == 404 and "no-such-fund" in missing.json()["detail"]


async def sse_ids(client: httpx.AsyncClient, headers: dict[str, str], count: int) -> list[int]:
    """Open the stream and return the ids of the first `count` entries it sends."""
    ids: list[int] = []
    scope = {"partnership": PARTNERSHIP}
    async with client.stream("GET", "/feed/stream", headers=headers, params=scope) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        async for line in stream.aiter_lines():
            if line.startswith("id: "):
                ids.append(int(line[4:]))
                if len(ids) == count:
                    break
    return ids


async def test_a_reconnecting_stream_client_gets_exactly_the_entries_it_missed(
    publication: ServiceProcess, kafka_bootstrap: str
) -> None:
    async with httpx.AsyncClient(base_url=publication.url, timeout=30) as client:
        before = await until_feed_has(client, 7)
        seen = before[-1]["number"]
        awards = [
            ("funding", fact(grant(f"s{n}", fund_id=FUND), date(2020, 3, n + 1))) for n in range(4)
        ]
        await produce(kafka_bootstrap, *awards)
        after = await until_feed_has(client, 11)
        new = [i["number"] for i in after[7:]]
        # Resume after the first of the four: exactly the other three, in order.
        missed = await sse_ids(client, {"Last-Event-ID": str(new[0])}, 3)
        assert missed == new[1:]
        # And a live one arrives on an idle stream.
        waiting = asyncio.create_task(sse_ids(client, {"Last-Event-ID": str(new[-1])}, 1))
        await asyncio.sleep(1.0)
        await produce(
            kafka_bootstrap, ("funding", fact(grant("live", fund_id=FUND), date(2020, 3, 9)))
        )
        [live] = await asyncio.wait_for(waiting, 30)
        assert live > new[-1] and seen < live


async def test_news_produced_before_its_award_follows_it_and_is_linked(
    publication: ServiceProcess, kafka_bootstrap: str
) -> None:
    other = f"gwent-{uuid.uuid4().hex[:8]}"  # apart from the other tests' counts

    def at(payload: Any, day: date) -> Envelope:
        return envelope(payload, datetime(day.year, day.month, day.day, 12, tzinfo=UTC), other)

    paid = PaymentReleased(
        fund_id=FUND,
        award_id="late",
        instalment=1,
        amount=Decimal("1000.00"),
        released_on=date(2019, 7, 1),
    )
    news = [
        ("monitoring", at(kpi_return("late", {"gender": {"f": 14, "m": 11}}), date(2019, 10, 5))),
        ("monitoring", at(decommissioned("late", "svc-late"), date(2020, 2, 1))),
        ("funding", at(paid, date(2019, 7, 1))),
    ]
    async with httpx.AsyncClient(base_url=publication.url) as client:
        await produce(kafka_bootstrap, *news)  # monitoring and funding ahead of the award
        await asyncio.sleep(2.0)
        scoped = {"partnership": other, "limit": 50}
        assert (await client.get("/feed", params=scoped)).json()["total"] == 0  # held
        await produce(
            kafka_bootstrap, ("funding", at(grant("late", fund_id=FUND), date(2019, 6, 1)))
        )
        for _ in range(300):
            page = (await client.get("/feed", params=scoped)).json()
            if page["total"] >= 5:
                break
            await asyncio.sleep(0.1)
        award, *rest = page["items"]
        assert award["entry_type"] == "grant" and page["total"] == 5
        assert sorted(i["entry_type"] for i in rest) == [
            "decision",
            "decommissioning_notice",
            "outcome",
            "payment",
        ]
        assert all(i["refers_to"] == award["number"] for i in rest)
        assert all(i["fund_id"] == FUND for i in rest)
        numbers = [i["number"] for i in page["items"]]
        assert numbers == sorted(numbers)
