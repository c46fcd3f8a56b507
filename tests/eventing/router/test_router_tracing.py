"""Traced progress steps on the real Redis: a step emitted inside a span carries it in its stream
entry; the router routes a batch holding one with its own span per step and hands the gateway
that span in a ``v3`` message; a process that does not trace writes and publishes as before."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from opentelemetry import context, trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from eco2.settings import Settings
from eventing import tracing
from eventing.gateway.frame import Frame, from_message, to_message
from eventing.progress import ProgressKeys, ProgressPublisher
from eventing.router import Router, RouterSettings

TRACE_ID = 0x4BF92F3577B34DA6A3CE929D0E0E4736
SPAN_ID = 0x00F067AA0BA902B7
TRACEPARENT = f"00-{TRACE_ID:032x}-{SPAN_ID:016x}-01"


def router_for(redis, settings: Settings) -> Router:
    keys = ProgressKeys(settings.shards, settings.progress.key_prefix)
    return Router(redis, keys, RouterSettings(block_ms=50), consumer="traced")


@pytest.fixture
def in_a_span() -> Iterator[None]:
    """The current context holds a sampled span (a stage's handling, as the worker opens it)."""
    span = NonRecordingSpan(SpanContext(TRACE_ID, SPAN_ID, False, TraceFlags(TraceFlags.SAMPLED)))
    token = context.attach(trace.set_span_in_context(span))
    try:
        yield
    finally:
        context.detach(token)


async def _messages(pubsub, count: int) -> list[str]:
    found: list[str] = []
    async with asyncio.timeout(3):
        while len(found) < count:
            message = await pubsub.get_message(timeout=1)
            if message and message["type"] == "message":
                found.append(message["data"])
    return found


async def _route_two_steps(
    redis, settings: Settings, publisher: ProgressPublisher
) -> tuple[list[dict[str, str]], list[str]]:
    """Emit one step inside the span and one outside it, route them: the stream entries and
    the Pub/Sub messages."""
    router = router_for(redis, settings)
    await router.setup()
    await publisher.register_job("t")
    keys = publisher.keys
    pubsub = redis.pubsub()
    await pubsub.subscribe(keys.shard_channel(keys.shard("t")))
    await publisher.emit("t", "vision", "started", 5)
    detached = context.attach(context.Context())  # no span: a step of the API, say
    try:
        await publisher.emit("t", "vision", "completed", 25)
    finally:
        context.detach(detached)
    entries = [fields for _id, fields in await redis.xrange(keys.stream(keys.shard("t")))]
    assert await router.step() == 2
    messages = await _messages(pubsub, 1)
    await pubsub.aclose()
    return entries, messages


async def test_a_traced_step_carries_its_span_to_the_gateway(
    redis, settings_bus: Settings, publisher: ProgressPublisher, in_a_span: None, monkeypatch
) -> None:
    monkeypatch.setattr(tracing, "ENABLED", True)
    entries, messages = await _route_two_steps(redis, settings_bus, publisher)
    assert [e.get("traceparent") for e in entries] == [TRACEPARENT, None]
    assert messages[0].startswith("v3\n")
    frames = from_message(messages[0])
    assert [f.seq for f in frames] == [1, 2]
    # The router's span of the first step is in the stage's trace (no SDK here: the span is
    # the no-op one carrying its parent's context); the second step carries none.
    assert frames[0].traceparent.startswith(f"00-{TRACE_ID:032x}-")
    assert frames[1].traceparent == ""
    replay = await redis.zrange(publisher.keys.replay("t"), 0, -1)
    assert [f.data for f in frames] == replay  # the JSON is the replay log's, untouched


async def test_a_process_that_does_not_trace_writes_no_context(
    redis, settings_bus: Settings, publisher: ProgressPublisher, in_a_span: None
) -> None:
    assert not tracing.ENABLED  # no endpoint configured in the tests
    entries, messages = await _route_two_steps(redis, settings_bus, publisher)
    assert all("traceparent" not in e for e in entries)
    assert messages[0].startswith("v2\n")
    assert [f.traceparent for f in from_message(messages[0])] == ["", ""]


def test_traced_message_round_trip() -> None:
    frames = [
        Frame("j", 1, "vision", "started", '{"a": "b\\tc"}', TRACEPARENT),
        Frame("j", 2, "vision", "completed", "{}"),
    ]
    message = to_message(frames)
    assert message.startswith("v3\n")
    assert from_message(message) == frames
    assert to_message(frames[1:]).startswith("v2\n")  # untraced batches keep v2
