"""One client's SSE stream: replay after Last-Event-ID, then live, in order, each seq once.

The client's subscriber is registered BEFORE the replay log is read, so an event published
during the read is caught live; the sequencer drops the copy that arrives both ways and holds
events behind a missing seq (several routers may publish a job's events out of order). While it
holds, the replay log is re-read every ``gap_check_s``; after ``gap_timeout_s`` the missing seq is
given up (counted in ``eco2_sse_gap_skips_total``) so a lost entry cannot stall a stream forever.

The stream yields wire bytes: the events ready at one wake-up go to the client as one chunk
(one ASGI send, one socket write: the ``completed`` of a stage and the next one's ``started``
often arrive together, the reward's ``completed`` and ``done`` always do).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass

from opentelemetry import trace

from eventing import metrics, tracing
from eventing.gateway.frame import Frame
from eventing.gateway.hub import Subscriber
from eventing.gateway.sequencer import Sequencer
from eventing.gateway.store import ReplayStore, Snapshot
from eventing.progress import LOST_EPOCH


@dataclass
class StreamPlan:
    """Everything a stream needs, gathered by the endpoint before the response starts."""

    job_id: str
    after: int
    snapshot: Snapshot
    subscriber: Subscriber
    store: ReplayStore
    gap_check_s: float
    gap_timeout_s: float
    cleanup: Callable[[], Awaitable[None]]
    # Yield a keepalive comment after this much silence; None when the response pings itself.
    ping_s: float | None = None


# A chunk ends past this size, so a client that stopped reading meets a send that blocks (and is
# cut after ``send_timeout_s``) instead of having its whole backlog buffered in one write.
CHUNK_BYTES = 64 * 1024
PING = b": ping\n\n"  # a comment, no id: it must not move the resume point


@contextlib.contextmanager
def sending(event: Frame) -> Iterator[None]:
    """The span of sending a job's last event to its client, child of the router's span of that
    step (the frame's ``traceparent``): the end of the job's trace. Not made current: the stream
    is a generator its response drives, and no other span starts inside the send."""
    span = tracing.span_of(
        {"traceparent": event.traceparent},
        f"sse send {event.stage}",
        trace.SpanKind.PRODUCER,
        {"eco2.job_id": event.job_id, "eco2.seq": event.seq},
    )
    try:
        yield
    except BaseException as exc:  # the client left, or the send was cut
        span.set_status(trace.StatusCode.ERROR, type(exc).__name__)
        raise
    finally:
        span.end()


async def job_stream(plan: StreamPlan) -> AsyncIterator[bytes]:
    """Yield the job's events after ``plan.after`` until its terminal event or a close; the
    events ready together come as one chunk."""
    sequencer = Sequencer(plan.after)
    subscriber = plan.subscriber
    try:
        if plan.snapshot.events:
            metrics.SSE_REPLAYS.inc()
            metrics.SSE_REPLAYED_EVENTS.inc(len(plan.snapshot.events))
        for event in plan.snapshot.events:
            sequencer.add(event)
        finished_at = plan.snapshot.finished_at
        if finished_at is not None and sequencer.last_sent >= finished_at:
            return  # the client already has the terminal event
        if finished_at is not None and finished_at > LOST_EPOCH >= sequencer.next_seq:
            # The job's log was lost and it ended in a new epoch (eventing.progress.LOST_EPOCH):
            # the seqs before the epoch will never come, so go straight to its end. Any other
            # gap waits: a dead router's entries come back once claimed.
            metrics.SSE_GAP_SKIPS.inc(sequencer.skip_gap())
        gap_since: float | None = None
        quiet_since = time.monotonic()
        while True:
            sequencer.enter_epoch(LOST_EPOCH)  # a job that went on after its log was lost
            if ready := sequencer.ready():
                chunk: list[bytes] = []
                size = 0
                for event in ready:
                    frame = event.encode()
                    chunk.append(frame)
                    size += len(frame)
                    if event.terminal or size >= CHUNK_BYTES:
                        metrics.SSE_EVENTS_SENT.inc(len(chunk))
                        if event.terminal and event.traceparent:
                            with sending(event):  # resumes when the response has sent it
                                yield b"".join(chunk)
                            return
                        yield b"".join(chunk)
                        if event.terminal:
                            return
                        chunk, size = [], 0
                if chunk:
                    metrics.SSE_EVENTS_SENT.inc(len(chunk))
                    yield b"".join(chunk)
                quiet_since = time.monotonic()
            if sequencer.waiting:
                gap_since = gap_since or time.monotonic()
                if time.monotonic() - gap_since >= plan.gap_timeout_s:
                    metrics.SSE_GAP_SKIPS.inc(sequencer.skip_gap())
                    gap_since = None
                    continue
            else:
                gap_since = None
            waits = [plan.gap_check_s if sequencer.waiting else None]
            if plan.ping_s is not None:
                waits.append(max(0.0, quiet_since + plan.ping_s - time.monotonic()))
            await subscriber.wait(min((w for w in waits if w is not None), default=None))
            if subscriber.closed:
                return
            if plan.ping_s is not None and time.monotonic() - quiet_since >= plan.ping_s:
                quiet_since = time.monotonic()
                yield PING
            for event in subscriber.take():
                sequencer.add(event)
            if subscriber.resync or (sequencer.waiting and not sequencer.ready_now):
                subscriber.resync = False
                for event in await plan.store.events_after(plan.job_id, sequencer.last_sent):
                    sequencer.add(event)
    finally:
        await plan.cleanup()
