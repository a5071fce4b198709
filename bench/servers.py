"""Servers for a benchmark run: URLs from the environment, else the embedded ones, and schemas."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import asyncpg
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import make_engine
from shared.eventstore.schema import create_store_tables
from shared.infra.embedded import EmbeddedBroker, EmbeddedPostgres


@dataclass(frozen=True)
class Servers:
    """Where PostgreSQL and the Kafka-protocol broker of this run listen."""

    database_url: str
    bootstrap_servers: str
    embedded_database: bool
    embedded_broker: bool

    def describe(self) -> str:
        """Where the servers are, without any password in the URL."""
        database = make_url(self.database_url).render_as_string(hide_password=True)
        which = [
            name
            for name, yes in (
                ("PostgreSQL", self.embedded_database),
                ("broker", self.embedded_broker),
            )
            if yes
        ]
        embedded = f" (embedded {' and '.join(which)})" if which else ""
        return f"PostgreSQL {database}, Kafka {self.bootstrap_servers}{embedded}"

    @property
    def asyncpg_url(self) -> str:
        """The database URL as plain asyncpg takes it (no SQLAlchemy driver suffix)."""
        return self.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


@contextlib.contextmanager
def servers() -> Iterator[Servers]:
    """DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS if set, else embedded servers stopped at the end."""
    with contextlib.ExitStack() as stack:
        database_url = os.environ.get("DATABASE_URL")
        if not database_url:
            postgres = EmbeddedPostgres().start()
            stack.callback(postgres.stop)
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if not bootstrap:
            broker = EmbeddedBroker().start()
            stack.callback(broker.stop)
        yield Servers(
            database_url=database_url or postgres.url,
            bootstrap_servers=bootstrap or broker.bootstrap_servers,
            embedded_database=not database_url,
            embedded_broker=not bootstrap,
        )


def unique_name(prefix: str = "bench") -> str:
    """A schema or topic suffix no other run uses."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@contextlib.asynccontextmanager
async def fresh_schema(engine: AsyncEngine, prefix: str = "bench") -> AsyncIterator[str]:
    """A new event-store schema (events, outbox, inbox), dropped afterwards."""
    name = unique_name(prefix)
    async with engine.begin() as conn:
        await create_store_tables(conn, name)
    try:
        yield name
    finally:
        async with engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))


@contextlib.asynccontextmanager
async def engine_for(url: str, pool_size: int = 10) -> AsyncIterator[AsyncEngine]:
    """The platform's SQLAlchemy engine, disposed afterwards."""
    engine = make_engine(url, pool_size=pool_size)
    try:
        yield engine
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def raw_connections(url: str, count: int) -> AsyncIterator[list[asyncpg.Connection]]:
    """Plain asyncpg connections for a baseline, closed afterwards."""
    connections = [await asyncpg.connect(url) for _ in range(count)]
    try:
        yield connections
    finally:
        for connection in connections:
            await connection.close()
