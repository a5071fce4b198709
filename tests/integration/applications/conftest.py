"""A database of its own for each applications integration test, prepared as the service does."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest_asyncio

from services.applications.handlers.base import ProjectedStore
from services.applications.projections import PROJECTION
from shared.db import make_engine
from shared.eventstore.schema import create_store_tables
from shared.infra.databases import create_databases, drop_databases
from shared.projection import ProjectionRunner
from tests.support.applications import Applications


@pytest_asyncio.fixture
async def applications_db(database_url: str) -> AsyncIterator[Applications]:
    name = f"it_{uuid.uuid4().hex[:8]}_applications"
    urls = await create_databases(database_url, [name])
    engine = make_engine(urls[name])
    async with engine.begin() as conn:
        await create_store_tables(conn, "applications")
    runner = ProjectionRunner(PROJECTION, engine)
    await runner.prepare()
    yield Applications(engine, runner, ProjectedStore(runner), urls[name])
    await engine.dispose()
    await drop_databases(database_url, [name])
