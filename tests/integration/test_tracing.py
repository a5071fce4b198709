"""One trace from an HTTP request through the event store and Kafka to the consumer."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.eventstore.store import EventStore
from shared.messaging import dead_letter_topic, ensure_topics, make_broker
from shared.projection import ProjectionRunner
from shared.telemetry import TraceIdLogFilter, tracer
from tests.support.events import new_event
from tests.support.flow import eventually, processed, publish_all
from tests.support.projections import RecipientTotals

_EXPORTER = InMemorySpanExporter()


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    """Finished spans of this test, from the SDK's in-memory exporter."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(_EXPORTER))
        trace.set_tracer_provider(provider)
    _EXPORTER.clear()
    yield _EXPORTER
    _EXPORTER.clear()


async def test_request_store_kafka_and_consumer_share_one_trace(
    engine: AsyncEngine,
    schema: str,
    kafka_bootstrap: str,
    topic: str,
    spans: InMemorySpanExporter,
) -> None:
    store = EventStore(schema)
    app = FastAPI()

    @app.post("/awards/{award_id}")
    async def award(award_id: str) -> dict[str, int]:
        async with engine.begin() as conn:
            [stored] = await store.append(conn, "award", award_id, [new_event(award_id)], 0)
        return {"position": stored.position}

    FastAPIInstrumentor.instrument_app(app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
        assert (await client.post("/awards/a1")).status_code == 200
    request_span = next(
        s for s in spans.get_finished_spans() if s.name == "POST /awards/{award_id}"
    )
    trace_id = request_span.context.trace_id

    await ensure_topics(kafka_bootstrap, [topic, dead_letter_topic(topic)])
    await publish_all(engine, store, kafka_bootstrap, topic)
    projection = RecipientTotals()
    projection.name = f"traced_{schema}"
    runner = ProjectionRunner(projection, engine)  # type: ignore[arg-type]
    await runner.prepare()
    broker = make_broker(kafka_bootstrap)
    consumer = runner.consumer(broker)
    consumer.subscribe(topic, group_id=f"g-{schema}")
    await broker.start()
    try:
        await eventually(lambda: processed(consumer, 1))
    finally:
        await broker.stop()

    names = {s.name for s in spans.get_finished_spans() if s.context.trace_id == trace_id}
    assert {"POST /awards/{award_id}", "publish GrantAwarded", "consume GrantAwarded"} <= names
    consume = next(s for s in spans.get_finished_spans() if s.name == "consume GrantAwarded")
    publish = next(s for s in spans.get_finished_spans() if s.name == "publish GrantAwarded")
    assert consume.parent is not None and consume.parent.span_id == publish.context.span_id


def test_log_lines_carry_the_trace_id(
    spans: InMemorySpanExporter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(TraceIdLogFilter())
    with tracer.start_as_current_span("work") as span:
        logging.getLogger("commissioning.test").warning("inside a span")
    record = next(r for r in caplog.records if r.getMessage() == "inside a span")
    assert record.trace_id == f"{span.get_span_context().trace_id:032x}"  # type: ignore[attr-defined]
