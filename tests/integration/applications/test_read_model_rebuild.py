"""The applications read model is an inline projection: a rebuild from event 0 gives it back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.applications.domain.applications import Draft
from services.applications.domain.ballots import voter_hash
from services.applications.domain.errors import ConflictError
from services.applications.handlers import applications, ballots, drafts, registry, schemes, users
from services.applications.handlers.base import Context
from services.applications.handlers.reactions import FUNDING_CONSUMER, on_award_blocked
from services.applications.projections import SCHEMA, metadata
from services.applications.seed_schemes import (
    DORSET_COMMUNITY_GRANTS,
    NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE,
)
from shared.auth import Role
from shared.consumer import EventConsumer
from shared.contracts.applications import DraftContent, OrganisationKind
from shared.eventstore.envelope import Actor
from shared.ops.rebuild import rebuild, registered
from shared.sources import StoreSource
from tests.support.applications import Applications, award_blocked

NOW = datetime.now(UTC)
TODAY = NOW.date()
OPCC, CLUB, YOUTH = "GB-PLA-DORSET-OPCC", "GB-CHC-1234567", "GB-CHC-7654321"
PRIORITY = "protect the most vulnerable"


def as_(role: Role, org: str = OPCC, user: str = "officer-1") -> Context:
    return Context("dorset", Actor(organisation_id=org, user_id=user, role=role.value), NOW)


C = as_(Role.COMMISSIONER)


def proposal(amount: str, title: str = "Youth diversion boxing") -> Draft:
    return Draft(
        title=title,
        description="Weekly sessions",
        amount=Decimal(amount),
        start_date=TODAY + timedelta(days=10),
        end_date=TODAY + timedelta(days=200),
        plan_priorities=(PRIORITY,),
    )


async def a_year_of_applications(apps: Applications) -> None:
    """Every kind of event the read model reflects, through the service's own handlers."""
    e, s = apps.engine, apps.store
    await registry.set_priorities(e, s, C, [PRIORITY])
    for org, name, kind in (
        (OPCC, "Dorset OPCC", OrganisationKind.OPCC),
        (CLUB, "Weymouth Boxing Club", OrganisationKind.CHARITY),
        (YOUTH, "Poole Youth Trust", OrganisationKind.CHARITY),
    ):
        await registry.register_organisation(e, s, C, org, name, kind, None)
    for user in ("assessor-1", "assessor-2", "assessor-3"):
        await users.register_user(e, s, C, user, f"Panel {user}", OPCC, [Role.ASSESSOR])
    await users.register_user(e, s, C, "grants-1", "Grants officer", CLUB, [Role.APPLICANT])
    await users.deactivate_user(e, s, C, "assessor-3", "left the panel")
    await schemes.launch(e, s, C, DORSET_COMMUNITY_GRANTS)
    await schemes.launch(e, s, C, NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE)
    dates = (TODAY - timedelta(days=1), TODAY + timedelta(days=20))
    await schemes.open_round(e, s, C, DORSET_COMMUNITY_GRANTS.scheme_id, "panel", "P", dates)
    vote_scheme = NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE.scheme_id
    await schemes.open_round(e, s, C, vote_scheme, "vote", "V", dates)
    await schemes.assign_assessors(e, s, C, "panel", ["assessor-1", "assessor-2"])

    club, youth = as_(Role.APPLICANT, CLUB, "grants-1"), as_(Role.APPLICANT, YOUTH, "y-1")
    content = DraftContent(title="Street pastors", amount=Decimal("900.00"))
    await drafts.save_draft(e, s, club, "draft-1", "panel", content)
    complete = content.model_copy(
        update={
            "description": "Night-time economy",
            "start_date": TODAY + timedelta(days=10),
            "end_date": TODAY + timedelta(days=100),
            "plan_priorities": (PRIORITY,),
        }
    )
    await drafts.update_draft(e, s, club, "draft-1", complete)
    await drafts.submit_draft(e, s, club, "draft-1")
    await drafts.save_draft(e, s, youth, "draft-2", "panel", content)  # never submitted

    for n, (who, amount) in enumerate(((club, "2500.00"), (youth, "1500.00"), (club, "300.00"))):
        await applications.submit(e, s, who, f"app-{n}", "panel", proposal(amount))
    for app in ("draft-1", "app-0", "app-1"):
        await applications.screen(e, s, C, app, [])
    one, two = as_(Role.ASSESSOR, user="assessor-1"), as_(Role.ASSESSOR, user="assessor-2")
    scores = {c.name: c.max_score - 1 for c in DORSET_COMMUNITY_GRANTS.criteria}
    await applications.declare_conflict(e, s, one, "app-0", True, "trustee")
    await applications.declare_conflict(e, s, two, "app-0", False, "")
    await applications.score(e, s, two, "app-0", scores, "")
    for assessor in (one, two):
        await applications.declare_conflict(e, s, assessor, "app-1", False, "")
        await applications.score(e, s, assessor, "app-1", scores, "good")
        scores = {name: 1 for name in scores}
    await applications.approve(e, s, C, "app-0", "PCCG-1", "strong")
    await applications.reject(e, s, C, "app-1", "PCCG-2", "weaker")
    await applications.withdraw(e, s, club, "app-2", "changed plans")

    for n, amount in enumerate(("30000.00", "5000.00")):
        await applications.submit(e, s, youth, f"v-{n}", "vote", proposal(amount, f"P{n}"))
        await applications.screen(e, s, C, f"v-{n}", [])
    await schemes.close_round(e, s, C, "vote")
    await ballots.open_ballot(e, s, C, "vote")
    for n in range(3):
        hashed = voter_hash("test-salt-" + "x" * 16, f"voter{n}@example.org")
        await ballots.vote(e, s, C, "vote", hashed, f"v-{n % 2}")
    await ballots.close_ballot(e, s, C, "vote", "YCYC-1")

    await registry.accredit(e, s, C, CLUB, "restorative justice", Decimal("42.50"))
    await registry.accredit(e, s, C, YOUTH, "restorative justice", Decimal("40.00"))
    await registry.revoke(e, s, C, YOUTH, "restorative justice", "quality concerns")

    reactions = EventConsumer(FUNDING_CONSUMER, e, "applications", on_award_blocked, None)
    await reactions.prepare()
    await reactions.process([award_blocked("dorset", "app-0", "fund has £1,200.00 available")])


async def dump(conn: AsyncConnection) -> dict[str, list[Any]]:
    """Every row of every read-model table, in key order."""
    mapped = await conn.execution_options(schema_translate_map={None: SCHEMA})
    tables = {}
    for table in metadata.sorted_tables:
        rows = await mapped.execute(select(table).order_by(*table.primary_key.columns))
        tables[table.name] = [tuple(r) for r in rows]
    return tables


async def test_rebuilding_the_read_model_from_event_0_gives_the_same_rows(
    applications_db: Applications,
) -> None:
    await a_year_of_applications(applications_db)
    async with applications_db.engine.connect() as conn:
        live = await dump(conn)
    # The flow reached every table, in the states a user would query.
    assert {name for name, rows in live.items() if not rows} == set()
    statuses = {r[0]: r[8] for r in live["applications"]}
    assert statuses == {
        "draft-1": "under_assessment",
        "app-0": "blocked",
        "app-1": "rejected",
        "app-2": "withdrawn",
        "v-0": "approved",
        "v-1": "approved",
    }
    assert [r[0] for r in live["drafts"]] == ["draft-2"]
    assert {r[1]: r[5] for r in live["users"]}["assessor-3"] is False

    report = await applications_db.runner.rebuild(
        StoreSource(applications_db.engine, applications_db.store), batch=7, progress=False
    )
    async with applications_db.engine.connect() as conn:
        assert await dump(conn) == live
        head = await applications_db.store.head_position(conn)
    assert report.events == head

    # And through the operator's command (`commissioning rebuild applications`).
    again = await rebuild(applications_db.database_url, registered()["applications"], False)
    assert again.events == head
    async with applications_db.engine.connect() as conn:
        assert await dump(conn) == live


async def test_a_command_waits_for_a_rebuilds_swap_instead_of_reading_the_old_schema(
    applications_db: Applications,
) -> None:
    await a_year_of_applications(applications_db)
    e, s = applications_db.engine, applications_db.store
    await schemes.open_round(
        e,
        s,
        C,
        NORTH_WALES_YOUR_COMMUNITY_YOUR_CHOICE.scheme_id,
        "vote-2",
        "V2",
        (TODAY - timedelta(days=1), TODAY + timedelta(days=20)),
    )
    youth = as_(Role.APPLICANT, YOUTH, "y-1")
    await applications.submit(e, s, youth, "w-0", "vote-2", proposal("4000.00", "W0"))
    await applications.screen(e, s, C, "w-0", [])
    await schemes.close_round(e, s, C, "vote-2")
    await ballots.open_ballot(e, s, C, "vote-2")
    hashed = voter_hash("test-salt-" + "x" * 16, "late-voter@example.org")
    async with e.connect() as swap:  # a rebuild holding its swap lock (exclusive)
        await swap.execute(
            text("SELECT pg_advisory_lock(:k)"), {"k": applications_db.runner._lock_key}
        )
        voting = asyncio.create_task(ballots.vote(e, s, C, "vote-2", hashed, "w-0"))
        await asyncio.sleep(0.5)
        assert not voting.done()
        # It waits before touching the read model: no lock on the voter claims is held yet
        # (were it to claim first, the claim would go into the schema about to be replaced).
        touched = await swap.scalar(
            text(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = 'ballot_voters' AND l.pid <> pg_backend_pid()"
            )
        )
        assert touched == 0
        await swap.execute(
            text("SELECT pg_advisory_unlock(:k)"), {"k": applications_db.runner._lock_key}
        )
        await asyncio.wait_for(voting, timeout=10)
    with pytest.raises(ConflictError):
        await ballots.vote(e, s, C, "vote-2", hashed, "w-0")
