"""Real servers for the whole test run: URLs from the environment, else the embedded ones."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import make_engine
from shared.eventstore.schema import create_store_tables
from shared.infra.embedded import EmbeddedBroker, EmbeddedPostgres


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A PostgreSQL server for the run: DATABASE_URL if set, else an embedded one."""
    if url := os.environ.get("DATABASE_URL"):
        yield url
        return
    server = EmbeddedPostgres().start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """A Kafka-protocol broker for the run: KAFKA_BOOTSTRAP_SERVERS if set, else Tansu."""
    if servers := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield servers
        return
    broker = EmbeddedBroker().start()
    try:
        yield broker.bootstrap_servers
    finally:
        broker.stop()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the test database."""
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def schema(engine: AsyncEngine) -> AsyncIterator[str]:
    """A fresh service schema with the backbone tables, dropped after the test."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    async with engine.begin() as conn:
        await create_store_tables(conn, name)
    yield name
    async with engine.begin() as conn:
        await conn.execute(text(f"DROP SCHEMA {name} CASCADE"))


@pytest.fixture
def topic() -> str:
    """A topic name no other test uses."""
    return f"test.{uuid.uuid4().hex[:12]}.v1"
