"""Outbox depth and consumer lag are exported as OpenTelemetry gauges."""

from __future__ import annotations

from opentelemetry import metrics
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.eventstore.store import EventStore
from shared.messaging import dead_letter_topic, ensure_topics, make_broker
from shared.outbox import OutboxRelay
from shared.projection import ProjectionRunner
from tests.support.flow import append_awards, eventually, processed
from tests.support.projections import RecipientTotals

_READER = InMemoryMetricReader()
metrics.set_meter_provider(MeterProvider(metric_readers=[_READER]))


def gauge(name: str, **attributes: str) -> list[float]:
    """Current values of a gauge whose data points carry `attributes`."""
    data = _READER.get_metrics_data()
    values: list[float] = []
    for resource in data.resource_metrics if data else ():
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name == name:
                    for point in metric.data.data_points:  # type: ignore[union-attr]
                        if attributes.items() <= dict(point.attributes or {}).items():
                            values.append(float(point.value))  # type: ignore[union-attr]
    return values


async def test_outbox_depth_and_consumer_lag_gauges(
    engine: AsyncEngine, schema: str, kafka_bootstrap: str, topic: str
) -> None:
    store = EventStore(schema)
    await append_awards(engine, store, 120)
    await ensure_topics(kafka_bootstrap, [topic, dead_letter_topic(topic)])
    broker = make_broker(kafka_bootstrap)
    await broker.connect()
    relay = OutboxRelay(engine, store, broker, kafka_bootstrap, topic, batch_size=50)
    # A second instrument owner in the same process must not hide the first (the SDK keeps one
    # instrument per name).
    other = OutboxRelay(engine, store, broker, kafka_bootstrap, f"{topic}.other")
    other.depth = 3
    await relay.publish_batch()
    assert gauge("commissioning.outbox.depth", topic=topic) == [70.0]
    assert gauge("commissioning.outbox.depth", topic=f"{topic}.other") == [3.0]
    while await relay.publish_batch():
        pass
    assert gauge("commissioning.outbox.depth", topic=topic) == [0.0]
    await broker.stop()

    projection = RecipientTotals()
    projection.name = f"lag_{schema}"
    runner = ProjectionRunner(projection, engine)  # type: ignore[arg-type]
    await runner.prepare()
    consumer_broker = make_broker(kafka_bootstrap)
    consumer = runner.consumer(consumer_broker)
    consumer.subscribe(topic, group_id=f"g-{schema}", max_records=20)
    await consumer_broker.start()
    try:
        await eventually(lambda: processed(consumer, 120))
    finally:
        await consumer_broker.stop()
    assert gauge("commissioning.consumer.lag", consumer=consumer.name) == [0.0]
