"""Funding's `AwardBlocked` blocks the approved application once, through the real inbox."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.applications.domain.applications import Draft
from services.applications.handlers import applications, registry, schemes
from services.applications.handlers.base import Context
from services.applications.handlers.reactions import FUNDING_CONSUMER, on_award_blocked
from services.applications.projections import applications as application_rows
from services.applications.projections import metadata
from services.applications.seed_schemes import DORSET_COMMUNITY_GRANTS
from shared.consumer import EventConsumer
from shared.contracts.applications import OrganisationKind
from shared.db import make_engine
from shared.eventstore.envelope import Actor
from shared.eventstore.schema import create_store_tables
from shared.eventstore.store import EventStore
from shared.infra.databases import create_databases, drop_databases
from tests.support.applications import award_blocked

STORE = EventStore("applications")
NOW = datetime.now(UTC)


def as_(role: str, org: str = "GB-PLA-DORSET-OPCC", user: str = "u-1") -> Context:
    return Context("dorset", Actor(organisation_id=org, user_id=user, role=role), NOW)


@pytest_asyncio.fixture
async def applications_db(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A database of its own with the applications schema, as the service creates it."""
    name = f"it_{uuid.uuid4().hex[:8]}_applications"
    urls = await create_databases(database_url, [name])
    engine = make_engine(urls[name])
    async with engine.begin() as conn:
        await create_store_tables(conn, "applications")
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()
    await drop_databases(database_url, [name])


async def approved_application(engine: AsyncEngine) -> str:
    commissioner, charity = as_("commissioner"), as_("applicant", "GB-CHC-1234567")
    await registry.set_priorities(engine, STORE, commissioner, ["protect the most vulnerable"])
    await registry.register_organisation(
        engine, STORE, charity, "GB-CHC-1234567", "Club", OrganisationKind.CHARITY, None
    )
    await schemes.launch(engine, STORE, commissioner, DORSET_COMMUNITY_GRANTS)
    dates = (NOW.date() - timedelta(days=1), NOW.date() + timedelta(days=1))
    scheme_id = DORSET_COMMUNITY_GRANTS.scheme_id
    await schemes.open_round(engine, STORE, commissioner, scheme_id, "round-1", "R", dates)
    draft = Draft(
        title="Boxing",
        description="Weekly sessions",
        amount=Decimal("3000.00"),
        start_date=NOW.date(),
        end_date=NOW.date() + timedelta(days=100),
        plan_priorities=("protect the most vulnerable",),
    )
    await applications.submit(engine, STORE, charity, "app-1", "round-1", draft)
    await applications.screen(engine, STORE, commissioner, "app-1", [])
    assessor = as_("assessor", user="assessor-1")
    await applications.declare_conflict(engine, STORE, assessor, "app-1", False, "")
    scores = {c.name: c.max_score for c in DORSET_COMMUNITY_GRANTS.criteria}
    await applications.score(engine, STORE, assessor, "app-1", scores, "")
    await applications.approve(engine, STORE, commissioner, "app-1", "PCCG-1", "good")
    return "app-1"


async def test_a_redelivered_award_blocked_blocks_the_application_once(
    applications_db: AsyncEngine,
) -> None:
    engine = applications_db
    app = await approved_application(engine)
    consumer = EventConsumer(FUNDING_CONSUMER, engine, "applications", on_award_blocked, None)
    blocked = award_blocked("dorset", app, "fund has £1,200.00 available")
    elsewhere = award_blocked("gwent", app, "another partnership's award")  # never ours
    unknown = award_blocked("dorset", "app-nope", "no such application here")
    await consumer.process([blocked, elsewhere, unknown])
    await consumer.process([blocked])  # the relay published it twice
    async with engine.connect() as conn:
        stream = await STORE.read_stream(conn, app)
        row = (await conn.execute(select(application_rows))).mappings().one()
    reactions = [e for e in stream if e.event_type == "ApplicationFundingBlocked"]
    assert len(reactions) == 1
    assert (reactions[0].causation_id, reactions[0].correlation_id) == (
        blocked.event_id,
        blocked.correlation_id,
    )
    assert reactions[0].actor == Actor.system("applications")
    assert (row["status"], row["blocked_reason"]) == ("blocked", "fund has £1,200.00 available")
    assert await consumer.processed_count() == 3
