"""Traces across the pipeline: W3C trace context carried in each CloudEvent's ``traceparent``.

The CloudEvents distributed-tracing extension puts the W3C ``traceparent`` (and ``tracestate``)
among an event's attributes, so it travels every binding unchanged (a ``ce-traceparent``
header over HTTP, a ``cloudEvents:traceparent`` header over AMQP, a field of the JSON on Redis).
The API opens a scan's trace and stamps its first event; every stage's handling is a span child
of the event it consumed, and its reply carries that span on. Spans go to an OTLP/HTTP endpoint
when ``ECO2_TRACING__OTLP_ENDPOINT`` is set; unset, OpenTelemetry's no-op tracer costs next to
nothing and the context still passes through untouched.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from cloudevents.http import CloudEvent
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.util.types import AttributeValue
from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

FIELDS = ("traceparent", "tracestate")
TRACER = "eco2"

# True once ``configure`` installed an exporting provider. The progress log's steps carry their
# context (and the router and gateway open spans for them) only then: a process that does not
# trace does no per-step work for it.
ENABLED = False


class TracingSettings(BaseModel):
    """Where spans go (``ECO2_TRACING__*``); none by default."""

    otlp_endpoint: str | None = Field(
        None, description="OTLP/HTTP collector base URL (spans to <url>/v1/traces); unset: off."
    )
    sample_ratio: float = Field(1.0, ge=0, le=1, description="Share of new traces recorded.")


def configure(settings: TracingSettings, service: str) -> TracerProvider | None:
    """Install a provider exporting this process's spans, when an endpoint is set; the caller
    shuts it down at exit (that flushes what is buffered)."""
    if settings.otlp_endpoint is None:
        return None
    # Imported here: a process without an endpoint never loads the SDK and its exporter.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    provider = TracerProvider(
        resource=Resource.create({SERVICE_NAME: service}),
        sampler=ParentBased(TraceIdRatioBased(settings.sample_ratio)),
    )
    endpoint = settings.otlp_endpoint.rstrip("/") + "/v1/traces"
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    global ENABLED
    ENABLED = True
    return provider


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER)


def inject(event: CloudEvent) -> CloudEvent:
    """Stamp the current span's context on ``event`` (nothing when no span is recording or
    carried); returns the event."""
    for name, value in carrier().items():
        event[name] = value
    return event


def carrier(context: Context | None = None) -> dict[str, str]:
    """The W3C fields of ``context`` (the current one by default); empty when it has no valid
    span. A progress step carries them as fields of its stream entry, as the Redis binding
    carries an event's."""
    found: dict[str, str] = {}
    propagate.inject(found, context=context)
    return {name: found[name] for name in FIELDS if name in found}


def extract(event: CloudEvent) -> Context:
    """The context ``event`` carries (an empty one when it carries none)."""
    attributes = event.get_attributes()
    carrier = {name: str(attributes[name]) for name in FIELDS if name in attributes}
    return propagate.extract(carrier)


@contextlib.contextmanager
def consuming(event: CloudEvent, name: str) -> Iterator[trace.Span]:
    """A span for handling ``event``, child of the context it carries."""
    with tracer().start_as_current_span(
        name, context=extract(event), kind=trace.SpanKind.CONSUMER
    ) as span:
        span.set_attribute("cloudevents.event_id", event["id"])
        span.set_attribute("cloudevents.event_type", event["type"])
        if subject := event.get("subject"):
            span.set_attribute("cloudevents.event_subject", subject)
        yield span


def span_of(
    fields: Mapping[str, str],
    name: str,
    kind: trace.SpanKind,
    attributes: Mapping[str, AttributeValue],
) -> trace.Span:
    """A span child of the context ``fields`` carry (``carrier``'s fields), started and not
    made current: the router and the gateway work on many jobs' steps at once, so each step's
    span is ended by its caller when that step's work is."""
    return tracer().start_span(
        name, context=propagate.extract(fields), kind=kind, attributes=attributes
    )
