"""OpenTelemetry wiring: one trace from an HTTP request through the store and Kafka to consumers.

The W3C `traceparent` of the span that appended an event is stored in the envelope and sent as a
Kafka header, so the consumer's span joins the request's trace even hours later (after a replay).
"""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from opentelemetry import context, metrics, trace
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_PROPAGATOR = TraceContextTextMapPropagator()
tracer = trace.get_tracer("commissioning")
meter = metrics.get_meter("commissioning")
T = TypeVar("T")


def configure_tracing(service_name: str, exporter: SpanExporter | None = None) -> TracerProvider:
    """Install tracer and meter providers for this process.

    Spans and metrics go to the OTLP endpoint in OTEL_EXPORTER_OTLP_ENDPOINT when it is set (the
    collector in docker-compose.yml); without it, trace ids still reach the logs.
    """
    resource = Resource.create({"service.name": service_name})
    provider = TracerProvider(resource=resource)
    otlp = bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))
    if exporter is None and otlp:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    if otlp:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        reader = PeriodicExportingMetricReader(OTLPMetricExporter())
        metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=[reader]))
    return provider


def flush_telemetry(timeout_millis: int = 5000) -> None:
    """Export the spans and metrics still buffered, before the process goes.

    uvicorn re-raises SIGTERM after its graceful shutdown, so the providers' exit-time flush
    would never run: a service's last seconds of spans and its final metrics would be lost.
    Flush only (not shut down): in tests several apps share one process's providers.
    """
    for provider in (trace.get_tracer_provider(), metrics.get_meter_provider()):
        flush = getattr(provider, "force_flush", None)
        if flush is not None:
            flush(timeout_millis)


def current_traceparent() -> str | None:
    """The W3C traceparent of the active span, or None outside any trace."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get("traceparent")


def context_from_traceparent(traceparent: str | None) -> context.Context:
    """A context whose parent is the span a traceparent names (empty if there is none)."""
    if not traceparent:
        return context.Context()
    return _PROPAGATOR.extract({"traceparent": traceparent})


class TraceIdLogFilter(logging.Filter):
    """Adds `trace_id` and `span_id` to every log record so logs and traces can be joined."""

    def filter(self, record: logging.LogRecord) -> bool:
        span_context = trace.get_current_span().get_span_context()
        record.trace_id = f"{span_context.trace_id:032x}" if span_context.is_valid else "-"
        record.span_id = f"{span_context.span_id:016x}" if span_context.is_valid else "-"
        return True


def configure_logging(level: int = logging.INFO) -> None:
    """Log to stderr with the trace id on every line."""
    handler = logging.StreamHandler()
    handler.addFilter(TraceIdLogFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s trace=%(trace_id)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


Readings = Iterable[tuple[float, dict[str, str]]]
_GAUGE_SOURCES: dict[str, list[tuple[weakref.ref[Any], Callable[[Any], Readings]]]] = {}


def observe_gauge(name: str, description: str, owner: T, read: Callable[[T], Readings]) -> None:
    """Report `read(owner)` under the gauge `name` for as long as `owner` lives.

    The SDK keeps only the first instrument created under a name, so the gauge is created once
    and reads every live owner (a service has several consumers, each with its own lag).
    """
    sources = _GAUGE_SOURCES.get(name)
    if sources is None:
        sources = _GAUGE_SOURCES[name] = []

        def callback(_options: CallbackOptions) -> Iterable[Observation]:
            alive = [(ref, read) for ref, read in sources if ref() is not None]
            sources[:] = alive
            return [
                Observation(value, attributes)
                for ref, read in alive
                if (instance := ref()) is not None
                for value, attributes in read(instance)
            ]

        meter.create_observable_gauge(name, callbacks=[callback], description=description)
    sources.append((weakref.ref(owner), read))
