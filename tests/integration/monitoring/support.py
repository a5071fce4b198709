"""Monitoring in-process against the real PostgreSQL and broker, and a funding stand-in."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer
from sqlalchemy.ext.asyncio import AsyncEngine

from services.monitoring.api_support import clock
from services.monitoring.main import SPEC
from services.monitoring.settings import MonitoringSettings
from shared.auth import AuthSettings, Principal, Role, get_auth_settings, mint_token
from shared.contracts.funding import AwardMade
from shared.eventstore.envelope import Actor, Envelope, NewEvent
from shared.eventstore.schema import create_store_tables
from shared.eventstore.store import EventStore
from shared.infra.databases import create_databases, drop_databases
from shared.messaging import topic_for
from shared.runtime import ServiceSettings
from shared.service import ServiceSpec, create_app
from tests.support.flow import publish_all

SECRET = "integration-secret-" + "y" * 32


class Clock:
    """The day the service believes it is; tests move it."""

    def __init__(self, today: date) -> None:
        self.today = today

    def now(self) -> datetime:
        return datetime(self.today.year, self.today.month, self.today.day, 12, tzinfo=UTC)


def headers(partnership: str, role: Role, org: str = "GB-PLA-DORSET-OPCC") -> dict[str, str]:
    principal = Principal(
        user_id=f"{role}-1", organisation_id=org, partnership_id=partnership, role=role
    )
    return {"Authorization": f"Bearer {mint_token(principal, secret=SECRET)}"}


@asynccontextmanager
async def databases(database_url: str, *services: str) -> AsyncIterator[dict[str, str]]:
    """A fresh database per service (by service name), dropped afterwards."""
    names = {service: f"it_{service}_{uuid.uuid4().hex[:8]}" for service in services}
    urls = await create_databases(database_url, list(names.values()))
    try:
        yield {service: urls[name] for service, name in names.items()}
    finally:
        await drop_databases(database_url, list(names.values()))


@asynccontextmanager
async def running(
    spec: ServiceSpec, settings: ServiceSettings, today: Clock | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """A service's app with its lifespan running (consumers, relay), and a client to call it."""
    app = create_app(spec, settings)
    app.dependency_overrides[get_auth_settings] = lambda: AuthSettings(jwt_secret=SECRET)
    if today is not None:
        app.dependency_overrides[clock] = today.now
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"http://{spec.name}"
        ) as client,
    ):
        yield client


def monitoring_settings(url: str, kafka_bootstrap: str, groups: str = "") -> MonitoringSettings:
    """Monitoring on `url`; `groups` prefixes its consumer groups (a test's own offsets)."""
    return MonitoringSettings(
        database_url=url, kafka_bootstrap_servers=kafka_bootstrap, consumer_group_prefix=groups
    )


@asynccontextmanager
async def monitoring(
    database_url: str, kafka_bootstrap: str, today: Clock
) -> AsyncIterator[httpx.AsyncClient]:
    """The monitoring app with its lifespan running, on a database of its own."""
    async with (
        databases(database_url, "monitoring") as urls,
        running(SPEC, monitoring_settings(urls["monitoring"], kafka_bootstrap), today) as client,
    ):
        yield client


async def publish_as_funding(
    engine: AsyncEngine, schema: str, bootstrap: str, partnership: str, award: AwardMade
) -> Envelope:
    """Append an award to a funding-like store and relay it to funding's topic, as funding would."""
    store = EventStore(schema)
    async with engine.begin() as conn:
        await create_store_tables(conn, schema)
    async with engine.begin() as conn:
        [stored] = await store.append(
            conn,
            "award",
            award.award_id,
            [
                NewEvent(
                    payload=award,
                    partnership_id=partnership,
                    actor=Actor(
                        organisation_id="GB-PLA-DORSET-OPCC", user_id="u-1", role="commissioner"
                    ),
                    occurred_at=datetime(2019, 3, 1, tzinfo=UTC),
                )
            ],
            expected_version=0,
        )
    await publish_all(engine, store, bootstrap, topic_for("funding"))
    return stored


async def monitoring_events(
    bootstrap: str,
    partnership: str,
    done: Callable[[list[dict[str, Any]]], bool],
    timeout: float = 20.0,
) -> list[dict[str, Any]]:
    """The envelopes of `partnership` on monitoring's topic, read until `done` says enough."""
    consumer = AIOKafkaConsumer(
        topic_for("monitoring"),
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    seen: dict[str, dict[str, Any]] = {}
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while not done(list(seen.values())) and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                for record in records:
                    envelope = json.loads(record.value)
                    if envelope["partnership_id"] == partnership:
                        seen[envelope["event_id"]] = envelope  # the relay may publish twice
    finally:
        await consumer.stop()
    return sorted(seen.values(), key=lambda e: e["position"])


def decision(last_report: str, effective: str = "2019-12-31") -> dict[str, str]:
    """A commissioner's decision to decommission, having considered `last_report`."""
    return {
        "reason": "Service moved to the council",
        "effective_date": effective,
        "decision_reference": "PCC-DEC-2019-31",
        "last_report_considered": last_report,
    }


async def eventually_ok(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], timeout: float = 20
) -> dict[str, Any]:
    """GET until 200 (the award crosses Kafka meanwhile)."""
    for _ in range(int(timeout / 0.1)):
        answer = await client.get(url, headers=headers)
        if answer.status_code == 200:
            body: dict[str, Any] = answer.json()
            return body
        assert answer.status_code == 404, answer.text
        await asyncio.sleep(0.1)
    raise AssertionError(f"{url} stayed 404 for {timeout} s")
