"""Publication's feed projection in a schema of the test's own, and the feed consumer."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.publication.tables import FeedTables, feed_tables
from services.publication.views import FeedProjection
from shared.projection import ProjectionRunner


@pytest.fixture
async def runner(engine: AsyncEngine, schema: str) -> AsyncIterator[ProjectionRunner]:
    """Publication's feed projection, for the test's store schema, in a schema of its own."""
    found = ProjectionRunner(FeedProjection(f"{schema}_feed"), engine)
    await found.prepare()
    yield found
    async with engine.begin() as conn:
        await conn.execute(text(f"DROP SCHEMA IF EXISTS {found.schema} CASCADE"))


@pytest.fixture
def tables(runner: ProjectionRunner) -> FeedTables:
    """The feed tables as readers see them (qualified with the projection's schema)."""
    return feed_tables(runner.schema)
