"""In-process fan-out: one Pub/Sub feed, routed by job id to each connected client's queue.

Dispatch never waits: a client whose bounded queue is full is closed (its stream ends and the
client resumes with Last-Event-ID), so one slow client cannot hold back the others or the
Pub/Sub connection (whose output buffer Redis would otherwise overrun and cut).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

from eventing import metrics
from eventing.gateway.frame import Frame


class Subscriber:
    """One SSE client's mailbox: a bounded queue of live events plus close/resync signals."""

    def __init__(self, job_id: str, maxsize: int) -> None:
        self.job_id = job_id
        self.maxsize = maxsize
        self.closed: str | None = None  # why: "overflow", "shutdown", "unsubscribed"
        self.resync = False
        self._events: deque[Frame] = deque()
        self._ready = asyncio.Event()

    def offer(self, event: Frame) -> None:
        """Queue a live event without waiting; a full queue closes the subscriber."""
        if self.closed:
            return
        if len(self._events) >= self.maxsize:
            metrics.SSE_OVERFLOWS.inc()
            self.close("overflow")
            return
        self._events.append(event)
        self._ready.set()

    def request_resync(self) -> None:
        """Live events may have been lost (Pub/Sub reconnect): re-read the replay log."""
        self.resync = True
        self._ready.set()

    def close(self, reason: str) -> None:
        if not self.closed:
            self.closed = reason
            self._events.clear()
        self._ready.set()

    def take(self) -> list[Frame]:
        """Everything queued, oldest first."""
        events = list(self._events)
        self._events.clear()
        return events

    async def wait(self, within: float | None) -> None:
        """Return when there is something to take, a signal, or after ``within`` seconds."""
        if self._events or self.closed or self.resync:
            return
        self._ready.clear()
        # asyncio.timeout, not wait_for: Python 3.11's wait_for starts a task per call.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                await self._ready.wait()


class Hub:
    """Job id → the subscribers connected for it, in this process."""

    def __init__(self, client_queue: int) -> None:
        self.client_queue = client_queue
        self._by_job: dict[str, set[Subscriber]] = {}

    def __len__(self) -> int:
        return sum(len(subscribers) for subscribers in self._by_job.values())

    def subscribe(self, job_id: str) -> Subscriber:
        subscriber = Subscriber(job_id, self.client_queue)
        self._by_job.setdefault(job_id, set()).add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        subscribers = self._by_job.get(subscriber.job_id)
        if subscribers is not None:
            subscribers.discard(subscriber)
            if not subscribers:
                del self._by_job[subscriber.job_id]
        subscriber.close("unsubscribed")

    def dispatch(self, event: Frame) -> int:
        """Hand ``event`` to every subscriber of its job; returns how many got it."""
        subscribers = self._by_job.get(event.job_id)
        if not subscribers:
            return 0
        for subscriber in list(subscribers):
            subscriber.offer(event)
            if subscriber.closed:
                self.unsubscribe(subscriber)
        return len(subscribers)

    def resync_all(self) -> None:
        for subscribers in self._by_job.values():
            for subscriber in subscribers:
                subscriber.request_resync()

    def close_all(self, reason: str = "shutdown") -> None:
        """End every stream promptly (gateway shutdown)."""
        for subscribers in list(self._by_job.values()):
            for subscriber in list(subscribers):
                subscriber.close(reason)
        self._by_job.clear()
