"""Auditor operations that run against a service's database directly."""

from __future__ import annotations

from shared.db import make_engine
from shared.eventstore.store import ChainReport, EventStore


async def verify_store(database_url: str, schema: str) -> ChainReport:
    """Verify the hash chain of one service's event store."""
    engine = make_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return await EventStore(schema).verify_chain(conn)
    finally:
        await engine.dispose()
