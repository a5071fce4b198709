"""Funding's `AwardBlocked` blocks the approved application once, through the real inbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.applications.domain.applications import Draft
from services.applications.handlers import applications, registry, schemes, users
from services.applications.handlers.base import Context
from services.applications.handlers.reactions import FUNDING_CONSUMER, on_award_blocked
from services.applications.projections import applications as application_rows
from services.applications.projections import mapped
from services.applications.seed_schemes import DORSET_COMMUNITY_GRANTS
from shared.auth import Role
from shared.consumer import EventConsumer
from shared.contracts.applications import OrganisationKind
from shared.eventstore.envelope import Actor
from shared.eventstore.store import EventStore
from tests.support.applications import Applications, award_blocked

NOW = datetime.now(UTC)


def as_(role: str, org: str = "GB-PLA-DORSET-OPCC", user: str = "u-1") -> Context:
    return Context("dorset", Actor(organisation_id=org, user_id=user, role=role), NOW)


async def approved_application(engine: AsyncEngine, store: EventStore) -> str:
    commissioner, charity = as_("commissioner"), as_("applicant", "GB-CHC-1234567")
    await registry.set_priorities(engine, store, commissioner, ["protect the most vulnerable"])
    await registry.register_organisation(
        engine, store, charity, "GB-CHC-1234567", "Club", OrganisationKind.CHARITY, None
    )
    await schemes.launch(engine, store, commissioner, DORSET_COMMUNITY_GRANTS)
    dates = (NOW.date() - timedelta(days=1), NOW.date() + timedelta(days=1))
    scheme_id = DORSET_COMMUNITY_GRANTS.scheme_id
    await schemes.open_round(engine, store, commissioner, scheme_id, "round-1", "R", dates)
    draft = Draft(
        title="Boxing",
        description="Weekly sessions",
        amount=Decimal("3000.00"),
        start_date=NOW.date(),
        end_date=NOW.date() + timedelta(days=100),
        plan_priorities=("protect the most vulnerable",),
    )
    await applications.submit(engine, store, charity, "app-1", "round-1", draft)
    await applications.screen(engine, store, commissioner, "app-1", [])
    await registry.register_organisation(
        engine, store, commissioner, "GB-PLA-DORSET-OPCC", "OPCC", OrganisationKind.OPCC, None
    )
    await users.register_user(
        engine, store, commissioner, "assessor-1", "A", "GB-PLA-DORSET-OPCC", [Role.ASSESSOR]
    )
    await schemes.assign_assessors(engine, store, commissioner, "round-1", ["assessor-1"])
    assessor = as_("assessor", user="assessor-1")
    await applications.declare_conflict(engine, store, assessor, "app-1", False, "")
    scores = {c.name: c.max_score for c in DORSET_COMMUNITY_GRANTS.criteria}
    await applications.score(engine, store, assessor, "app-1", scores, "")
    await applications.approve(engine, store, commissioner, "app-1", "PCCG-1", "good")
    return "app-1"


async def test_a_redelivered_award_blocked_blocks_the_application_once(
    applications_db: Applications,
) -> None:
    engine, store = applications_db.engine, applications_db.store
    app = await approved_application(engine, store)
    consumer = EventConsumer(FUNDING_CONSUMER, engine, "applications", on_award_blocked, None)
    blocked = award_blocked("dorset", app, "fund has £1,200.00 available")
    elsewhere = award_blocked("gwent", app, "another partnership's award")  # never ours
    unknown = award_blocked("dorset", "app-nope", "no such application here")
    await consumer.process([blocked, elsewhere, unknown])
    await consumer.process([blocked])  # the relay published it twice
    async with engine.connect() as conn:
        stream = await store.read_stream(conn, app)
        row = (await (await mapped(conn)).execute(select(application_rows))).mappings().one()
    reactions = [e for e in stream if e.event_type == "ApplicationFundingBlocked"]
    assert len(reactions) == 1
    assert (reactions[0].causation_id, reactions[0].correlation_id) == (
        blocked.event_id,
        blocked.correlation_id,
    )
    assert reactions[0].actor == Actor.system("applications")
    assert (row["status"], row["blocked_reason"]) == ("blocked", "fund has £1,200.00 available")
    assert await consumer.processed_count() == 3
