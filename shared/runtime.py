"""What a running service holds, and how its lifespan starts and stops it.

Start order: engine → backbone and read-model tables → topics → broker with its subscribers →
outbox relay. Stop is the reverse, through the caller's AsyncExitStack.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from faststream.kafka import KafkaBroker
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.consumer import EventConsumer, Handler
from shared.db import make_engine
from shared.eventstore.schema import create_store_tables
from shared.eventstore.store import EventStore
from shared.messaging import dead_letter_topic, ensure_topics, make_broker, topic_for
from shared.outbox import OutboxRelay
from shared.projection import Projection, ProjectionRunner

log = logging.getLogger(__name__)
RELAY_STOP_TIMEOUT = 10.0


class ServiceSettings(BaseSettings):
    """Settings every service reads from the environment; subclasses set name and port."""

    model_config = SettingsConfigDict(extra="ignore")

    service_name: str
    port: int
    # LISTEN_ADDRESS=0.0.0.0 in a container, so that its published port reaches the app.
    listen_address: str = "127.0.0.1"
    database_url: str
    kafka_bootstrap_servers: str
    # Prepended to every consumer group id, so installations sharing one broker keep their own
    # groups (and offsets); empty by default: the group id is the consumer's name.
    consumer_group_prefix: str = ""


@dataclass(frozen=True)
class ConsumerSpec:
    """An idempotent consumer of the service: its name (inbox key and group), topics, handler."""

    name: str
    topics: tuple[str, ...]
    handler: Handler


@dataclass(frozen=True)
class ProjectionSpec:
    """A read model the service keeps, rebuildable from its own store (see projection.py).

    With topics, a consumer keeps it from Kafka. Without, it is kept *inline*: the service's
    command handlers call `ProjectionRunner.apply_inline` in the transaction of each append, so
    a command's answer and the next query agree.
    """

    projection: Projection
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceRuntime:
    """The running service's engine, broker and event store, handed to routes."""

    settings: ServiceSettings
    engine: AsyncEngine
    broker: KafkaBroker
    store: EventStore
    # Runners of the service's projections by name: inline ones are applied through these.
    projections: Mapping[str, ProjectionRunner] = field(default_factory=dict)


async def start_runtime(
    settings: ServiceSettings,
    consumers: Sequence[ConsumerSpec],
    read_models: Sequence[MetaData],
    stack: contextlib.AsyncExitStack,
    projections: Sequence[ProjectionSpec] = (),
) -> ServiceRuntime:
    """Start everything a service needs; `stack` stops it all again in reverse order."""
    name = settings.service_name
    engine = make_engine(settings.database_url)
    stack.push_async_callback(engine.dispose)
    async with engine.begin() as conn:
        await create_store_tables(conn, schema=name)
        for metadata in read_models:
            await conn.run_sync(metadata.create_all)
    own = topic_for(name)
    consumed = [t for c in consumers for t in c.topics] + [t for p in projections for t in p.topics]
    topics = [t for topic in (own, *consumed) for t in (topic, dead_letter_topic(topic))]
    await ensure_topics(settings.kafka_bootstrap_servers, topics)
    broker = make_broker(settings.kafka_bootstrap_servers)
    for spec in consumers:
        consumer = EventConsumer(spec.name, engine, name, spec.handler, broker)
        await consumer.prepare()
        # Before start: the broker starts its subscribers.
        consumer.subscribe(*spec.topics, group_id=settings.consumer_group_prefix + spec.name)
    store = EventStore(name)
    runners: dict[str, ProjectionRunner] = {}
    for view in projections:
        runner = runners[view.projection.name] = ProjectionRunner(view.projection, engine)
        await runner.prepare()
        if view.topics:
            kept = runner.consumer(broker)
            kept.subscribe(*view.topics, group_id=settings.consumer_group_prefix + kept.name)
        elif caught_up := await runner.catch_up(store):
            log.info("%s: projection %s caught up %d events", name, runner.schema, caught_up)
    stack.push_async_callback(broker.stop)
    await broker.start()
    relay = OutboxRelay(engine, store, broker, settings.kafka_bootstrap_servers, own)
    stop = asyncio.Event()
    relaying = asyncio.create_task(_relay_until_stopped(relay, stop))

    async def stop_relay() -> None:
        stop.set()
        try:
            await asyncio.wait_for(relaying, timeout=RELAY_STOP_TIMEOUT)
        except TimeoutError:
            log.warning(
                "%s: the outbox relay did not stop in %.0f s; cancelled", name, RELAY_STOP_TIMEOUT
            )

    stack.push_async_callback(stop_relay)
    return ServiceRuntime(settings, engine, broker, store, runners)


async def _relay_until_stopped(relay: OutboxRelay, stop: asyncio.Event) -> None:
    """Keep the relay running: if it fails (database unreachable), start it again shortly."""
    while not stop.is_set():
        try:
            await relay.run(stop)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise
            # A library's stray CancelledError must not end the relay for good: restart it.
            log.error("outbox relay for %s was cancelled from inside; restarting", relay.topic)
        except Exception:
            log.exception("outbox relay for %s stopped with an error; restarting", relay.topic)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)
