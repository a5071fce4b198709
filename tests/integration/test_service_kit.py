"""The service kit's lifespan and health check against a real PostgreSQL and broker."""

from __future__ import annotations

import dataclasses
import uuid

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.api import get_runtime
from shared.db import make_engine
from shared.infra.embedded import free_port
from shared.runtime import ServiceSettings
from shared.service import ServiceSpec, create_app


async def test_healthz_answers_ok_then_names_the_database_when_it_is_unreachable(
    engine: AsyncEngine, database_url: str, kafka_bootstrap: str
) -> None:
    name = f"t_kit_{uuid.uuid4().hex[:8]}"
    settings = ServiceSettings(
        service_name=name,
        port=0,
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
    )
    app = create_app(ServiceSpec(name=name, title="Kit", description="the kit alone"), settings)
    transport = httpx.ASGITransport(app=app)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://kit") as client,
        ):
            healthy = await client.get("/healthz")
            assert (healthy.status_code, healthy.json()) == (
                200,
                {"status": "ok", "service": name, "database": "ok", "broker": "ok"},
            )
            runtime = app.state.runtime
            unreachable = make_engine(f"postgresql://nobody@127.0.0.1:{free_port()}/none")
            app.dependency_overrides[get_runtime] = lambda: dataclasses.replace(
                runtime, engine=unreachable
            )
            sick = await client.get("/healthz")
            await unreachable.dispose()
        assert sick.status_code == 503
        body = sick.json()
        assert (body["status"], body["broker"]) == ("unavailable", "ok")
        assert body["database"].startswith("error: ")
        async with engine.connect() as conn:  # the lifespan created the service's store
            tables = await conn.scalar(
                text("SELECT count(*) FROM information_schema.tables WHERE table_schema = :s"),
                {"s": name},
            )
        assert tables == 3  # events, outbox, inbox
    finally:
        async with engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
