"""CONSUMER_GROUP_PREFIX: installations sharing a broker join consumer groups of their own."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Sequence

from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.eventstore.envelope import Envelope
from shared.runtime import ConsumerSpec, ProjectionSpec, ServiceSettings, start_runtime


class Nothing:
    """A projection with no tables, enough to be subscribed."""

    metadata = MetaData()

    def __init__(self, name: str) -> None:
        self.name = name

    async def apply(self, conn: AsyncConnection, events: Sequence[Envelope]) -> None:
        return None


async def ignore(conn: AsyncConnection, events: Sequence[Envelope]) -> None:
    return None


async def _group_ids(
    database_url: str, kafka_bootstrap: str, schema: str, topic: str, prefix: str | None
) -> set[str]:
    more = {} if prefix is None else {"consumer_group_prefix": prefix}
    settings = ServiceSettings(
        service_name=schema,
        port=0,
        database_url=database_url,
        kafka_bootstrap_servers=kafka_bootstrap,
        **more,
    )
    async with contextlib.AsyncExitStack() as stack:
        runtime = await start_runtime(
            settings,
            [ConsumerSpec(f"{schema}.awards", (topic,), ignore)],
            [],
            stack,
            [ProjectionSpec(Nothing(f"{schema}_view"), (topic,))],
        )
        return {str(s.group_id) for s in runtime.broker.subscribers}


async def test_group_ids_are_the_consumer_names_unless_a_prefix_is_set(
    engine: AsyncEngine, database_url: str, kafka_bootstrap: str, topic: str
) -> None:
    schema = f"t_groups_{uuid.uuid4().hex[:8]}"
    try:
        plain = await _group_ids(database_url, kafka_bootstrap, schema, topic, None)
        assert plain == {f"{schema}.awards", f"projection.{schema}_view"}
        prefixed = await _group_ids(database_url, kafka_bootstrap, schema, topic, "dorset-")
        assert prefixed == {f"dorset-{schema}.awards", f"dorset-projection.{schema}_view"}
    finally:
        async with engine.begin() as conn:
            await conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            await conn.execute(text(f"DROP SCHEMA IF EXISTS proj_{schema}_view CASCADE"))
