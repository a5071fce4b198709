"""Helpers (no tests): the applications service as a process, partnerships, HTTP bodies."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncEngine

from services.applications.handlers.base import ProjectedStore
from services.applications.seed_schemes import DORSET_COMMUNITY_GRANTS
from shared.auth import Principal, Role, mint_token
from shared.contracts.funding import AwardBlocked
from shared.eventstore.envelope import Actor, Envelope, seal
from shared.infra.databases import create_databases, drop_databases
from shared.infra.processes import ServiceProcess, stop_all, wait_until_healthy
from shared.messaging import topic_for
from shared.projection import ProjectionRunner
from tests.support.services import TEST_SECRET, free_base_port

TODAY = datetime.now(UTC).date()
PRIORITY = "protect the most vulnerable"


@dataclass(frozen=True)
class Applications:
    """The service's engine, its read model's runner, and the store appending through it."""

    engine: AsyncEngine
    runner: ProjectionRunner
    store: ProjectedStore
    database_url: str


async def running_applications(
    database_url: str, kafka_bootstrap: str, logs: Path
) -> AsyncIterator[ServiceProcess]:
    """The applications service with a database of its own, stopped and dropped afterwards."""
    name = f"e2e_{uuid.uuid4().hex[:8]}_applications"
    urls = await create_databases(database_url, [name])
    service = ServiceProcess(
        "applications",
        free_base_port(1),
        {
            "DATABASE_URL": urls[name],
            "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
            "COMMISSIONING_JWT_SECRET": TEST_SECRET,
            "VOTER_HASH_SALT": "e2e-voter-salt-" + "y" * 16,
        },
        logs / "applications.log",
    ).start()
    try:
        wait_until_healthy([service], timeout=60)
        yield service
    finally:
        stop_all([service])
        await drop_databases(database_url, [name])


class Partnership:
    """A fresh partnership on the service, and a client per role."""

    def __init__(self, service: ServiceProcess, name: str) -> None:
        self.id = f"{name}-{uuid.uuid4().hex[:8]}"
        self.service = service
        self.base = f"/partnerships/{self.id}"

    def client(
        self, role: Role | None, org: str = "GB-PLA-DORSET-OPCC", user: str | None = None
    ) -> httpx.AsyncClient:
        """A client signed in with `role` for `org` (as `user`, default `<role>-1`)."""
        headers = {}
        if role is not None:
            principal = Principal(
                user_id=user or f"{role}-1", organisation_id=org, partnership_id=self.id, role=role
            )
            headers = {"Authorization": f"Bearer {mint_token(principal, secret=TEST_SECRET)}"}
        return httpx.AsyncClient(base_url=self.service.url, headers=headers, timeout=30)

    async def ok(
        self, method: str, path: str, role: Role, org: str = "GB-PLA-DORSET-OPCC", **kw: Any
    ) -> dict[str, Any]:
        async with self.client(role, org) as client:
            answer = await client.request(method, self.base + path, **kw)
        assert answer.status_code in (200, 201), answer.text
        body: dict[str, Any] = answer.json()
        return body


OPCC = "GB-PLA-DORSET-OPCC"
CHARITY, OTHER_CHARITY, COUNCIL = "GB-CHC-1234567", "GB-CHC-7654321", "GB-LAE-DOR"
PANEL = ("assessor-1", "assessor-2")  # the user ids `Partnership.client(Role.ASSESSOR)` signs in as


async def assign_panel(
    p: Partnership, round_id: str, assessors: tuple[str, ...] = PANEL, org: str = OPCC
) -> None:
    """Register the OPCC (if need be) and the assessors as users, and assign them to the round."""
    async with p.client(Role.COMMISSIONER) as commissioner:
        registered = await commissioner.post(
            f"{p.base}/organisations",
            json={"organisation_id": org, "name": "Office of the PCC", "kind": "opcc"},
        )
        assert registered.status_code in (201, 409), registered.text
        for user in assessors:
            answer = await commissioner.post(
                f"{p.base}/users",
                json={
                    "user_id": user,
                    "display_name": f"Panel member {user}",
                    "organisation_id": org,
                    "roles": ["assessor"],
                },
            )
            assert answer.status_code in (201, 409), answer.text
        assigned = await commissioner.put(
            f"{p.base}/rounds/{round_id}/assessors", json={"assessor_ids": list(assessors)}
        )
        assert assigned.status_code == 200, assigned.text


async def dorset(service: ServiceProcess, panel: bool = True) -> tuple[Partnership, str]:
    """A partnership with priorities, two charities (registered by their own applicants), a
    council, the Dorset scheme and an open round (with its two assessors assigned: `panel`)."""
    p = Partnership(service, "dorset")
    await p.ok("PUT", "/plan-priorities", Role.COMMISSIONER, json={"priorities": [PRIORITY]})
    for org in (CHARITY, OTHER_CHARITY):
        body = {"organisation_id": org, "name": org, "kind": "charity"}
        await p.ok("POST", "/organisations", Role.APPLICANT, org, json=body)
    council = {"organisation_id": COUNCIL, "name": "Dorset Council", "kind": "local_authority"}
    await p.ok("POST", "/organisations", Role.COMMISSIONER, json=council)
    scheme = DORSET_COMMUNITY_GRANTS.model_dump(mode="json")
    await p.ok("POST", "/schemes", Role.COMMISSIONER, json=scheme)
    path = f"/schemes/{DORSET_COMMUNITY_GRANTS.scheme_id}/rounds"
    opened = await p.ok("POST", path, Role.COMMISSIONER, json={"name": "2019/20", **round_dates()})
    if panel:
        await assign_panel(p, opened["id"])
    return p, str(opened["id"])


def round_dates(opens_in: int = -1, closes_in: int = 30) -> dict[str, str]:
    return {
        "opens_on": (TODAY + timedelta(days=opens_in)).isoformat(),
        "closes_on": (TODAY + timedelta(days=closes_in)).isoformat(),
    }


def application_body(amount: str = "2500.00", **changes: Any) -> dict[str, Any]:
    body = {
        "title": "Youth diversion boxing",
        "description": "Weekly sessions for young people at risk of offending",
        "amount": amount,
        "start_date": (TODAY + timedelta(days=30)).isoformat(),
        "end_date": (TODAY + timedelta(days=30 + 300)).isoformat(),
        "plan_priorities": [PRIORITY],
    }
    return {**body, **changes}


def award_blocked(partnership_id: str, application_id: str, reason: str) -> Envelope:
    """An `AwardBlocked` as funding would store and publish it."""
    payload = AwardBlocked(
        application_id=application_id,
        fund_id="dorset-police-property-act-fund",
        pot_id=None,
        amount=Decimal("2500.00"),
        reason=reason,
    )
    event_id = uuid.uuid4()
    return seal(
        {
            "event_id": event_id,
            "event_type": "AwardBlocked",
            "schema_version": 1,
            "stream_type": "award",
            "stream_id": f"award-{application_id}",
            "stream_version": 1,
            "position": 1,
            "occurred_at": datetime.now(UTC),
            "recorded_at": datetime.now(UTC),
            "partnership_id": partnership_id,
            "actor": Actor.system("funding"),
            "correlation_id": event_id,
            "causation_id": None,
            "traceparent": None,
            "payload": payload.model_dump(mode="json"),
            "prev_hash": "0" * 64,
        }
    )


async def publish_award_blocked(
    bootstrap: str, partnership_id: str, application_id: str, reason: str
) -> None:
    """Put an `AwardBlocked` on funding's topic as funding's relay would."""
    envelope = award_blocked(partnership_id, application_id, reason)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            topic_for("funding"),
            envelope.to_json().encode(),
            key=envelope.stream_id.encode(),
            headers=[
                ("event_id", str(envelope.event_id).encode()),
                ("event_type", b"AwardBlocked"),
            ],
        )
    finally:
        await producer.stop()
