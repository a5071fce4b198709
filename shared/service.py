"""The service kit: every service is a FastAPI app of the same shape.

A service describes itself with a `ServiceSpec` (name, API routers, consumers, read-model tables);
`create_app` turns it into an app with a lifespan (shared.runtime) and `GET /healthz`, and `serve`
runs it as a process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from pydantic import BaseModel, ValidationError
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.api import RuntimeDep
from shared.runtime import ConsumerSpec, ProjectionSpec, ServiceSettings, start_runtime
from shared.telemetry import configure_logging, configure_tracing, flush_telemetry

log = logging.getLogger(__name__)
HEALTH_TIMEOUT = 2.0  # seconds per check: a probe must get an answer even when a server hangs


@dataclass(frozen=True)
class ServiceSpec:
    """What makes one service different from the others."""

    name: str
    title: str
    description: str
    routers: Sequence[APIRouter] = ()
    consumers: Sequence[ConsumerSpec] = ()
    read_models: Sequence[MetaData] = ()  # tables created at start, beside the backbone's
    projections: Sequence[ProjectionSpec] = ()  # rebuildable read models in schemas of their own


class Health(BaseModel):
    """The answer of `/healthz`: `ok`, or what failed."""

    status: str
    service: str
    database: str
    broker: str


def create_app(spec: ServiceSpec, settings: ServiceSettings) -> FastAPI:
    """Build the FastAPI app of a service: lifespan, `/healthz`, its routers, tracing."""
    if settings.service_name != spec.name:  # the name is the schema: a mix-up would be silent
        raise ValueError(f"settings are for {settings.service_name!r}, the spec is {spec.name!r}")

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            app.state.runtime = await start_runtime(
                settings, spec.consumers, spec.read_models, stack, spec.projections
            )
            log.info("%s ready on %s:%d", spec.name, settings.listen_address, settings.port)
            yield
        flush_telemetry()  # the runtime's last spans (relay drain, consumers) are in by now
        log.info("%s stopped", spec.name)

    app = FastAPI(
        title=spec.title, description=spec.description, version="0.1.0", lifespan=lifespan
    )

    @app.get(
        "/healthz",
        response_model=Health,
        tags=["health"],
        responses={503: {"model": Health, "description": "a dependency is unreachable"}},
    )
    async def healthz(runtime: RuntimeDep) -> JSONResponse:
        """Answer 200 when the database and the broker both answer, else 503 naming the failure."""
        database, broker = await asyncio.gather(
            _check_database(runtime.engine), _check_broker(runtime.broker)
        )
        health = Health(status="ok", service=spec.name, database=database, broker=broker)
        healthy = health.database == "ok" and health.broker == "ok"
        if not healthy:
            health = health.model_copy(update={"status": "unavailable"})
        return JSONResponse(health.model_dump(), status_code=200 if healthy else 503)

    for router in spec.routers:
        app.include_router(router)
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz")
    return app


async def _check_database(engine: AsyncEngine) -> str:
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as error:
        return f"error: {type(error).__name__}: {error}"[:300]
    return "ok"


async def _check_broker(broker: KafkaBroker) -> str:
    try:
        reachable = await broker.ping(timeout=HEALTH_TIMEOUT)
    except Exception as error:
        return f"error: {type(error).__name__}: {error}"[:300]
    return "ok" if reachable else f"error: no answer within {HEALTH_TIMEOUT:.0f} s"


def serve(spec: ServiceSpec, settings_class: type[ServiceSettings]) -> None:
    """Run a service process: read settings, set up logs and traces, serve until SIGTERM."""
    import uvicorn

    try:
        settings = settings_class()  # the environment fills in what has no default
    except ValidationError as error:
        names = ", ".join(str(e["loc"][0]).upper() for e in error.errors())
        sys.exit(f"{spec.name}: missing or invalid in the environment: {names}\n{error}")
    configure_logging()
    configure_tracing(spec.name)
    # log_config=None: uvicorn's loggers propagate to the root handler configure_logging set up.
    uvicorn.run(
        create_app(spec, settings),
        host=settings.listen_address,
        port=settings.port,
        log_config=None,
        timeout_graceful_shutdown=5,
    )
