"""Monitoring's read models are the same whatever the batches its history is replayed in."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncEngine

from services.monitoring.main import SPEC
from services.monitoring.projections import SCHEMA
from shared.db import make_engine
from shared.eventstore.store import EventStore
from shared.projection import ProjectionRunner
from shared.sources import StoreSource
from tests.integration.monitoring.support import (
    Clock,
    databases,
    eventually_ok,
    monitoring_settings,
    publish_as_funding,
    running,
)
from tests.integration.monitoring.test_read_models import (
    BASE,
    COMMUNITY,
    OPCC,
    REFUGE,
    VICTIMS,
    P,
    _dump,
    _run_the_year,
    ids,
)
from tests.unit.monitoring.given import community_grant, contract


async def test_replaying_in_batches_of_1_3_7_or_all_gives_the_live_rows(
    engine: AsyncEngine, schema: str, database_url: str, kafka_bootstrap: str
) -> None:
    direct = contract(award_id=ids("sarc"))
    refuge = contract(
        "20000.00",
        award_id=ids("refuge"),
        scheme_id=VICTIMS,
        recipient_organisation_id=REFUGE,
        recipient_name="Refuge",
    )
    club = community_grant("250.00").model_copy(
        update={"award_id": ids("club"), "scheme_id": COMMUNITY}
    )
    async with (
        databases(database_url, "monitoring") as urls,
        running(
            SPEC, monitoring_settings(urls["monitoring"], kafka_bootstrap), Clock(date(2019, 11, 1))
        ) as client,
    ):
        for award in (direct, refuge, club):
            await publish_as_funding(engine, schema, kafka_bootstrap, P, award)
        for award in (direct, refuge, club):
            await eventually_ok(client, f"{BASE}/services/{award.award_id}", OPCC)
        await _run_the_year(client, direct.award_id, refuge.award_id)
        live = await _dump(urls["monitoring"])
        # The history really exercises the merged updates: returns, ratings, decommissioning.
        assert any(row[4] is not None for row in live["service_periods"])
        assert any(row[-1] for row in live["service_status"])
        assert any(row[15] is not None for row in live["service_status"])

        [view] = SPEC.projections
        store_engine = make_engine(urls["monitoring"], pool_size=2)
        try:
            for batch in (1, 3, 7, 1_000_000):
                runner = ProjectionRunner(view.projection, store_engine)
                source = StoreSource(store_engine, EventStore("monitoring"))
                report = await runner.rebuild(source, batch=batch, progress=False)
                assert report.schema == SCHEMA
                assert await _dump(urls["monitoring"]) == live, f"batches of {batch}"
        finally:
            await store_engine.dispose()
