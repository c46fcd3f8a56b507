"""The consume-loop policy every queue trigger shares, and the runner that stops it gracefully.

A trigger (Redis Streams, RabbitMQ) turns deliveries into ``Processor.process(event, attempt)``
calls and acts on the ``Outcome``: ack it (done or skipped), redeliver it later (retry), or move
it to the dead letters with the reason (dead). The policy is in one place so both triggers keep
the same promises:

- an ``async def`` handler is awaited on the trigger's loop (no thread hand-off: it waits on
  the network, and its clients live on this loop); a plain ``def`` one runs in one of the
  processor's ``concurrency`` threads so CPU-bound work leaves the loop responsive (the default
  executor's ``cores + 4`` threads would cap a stage at 6 events in flight); either is bounded
  by ``handler_timeout_s``;
- a reply is published BEFORE the event id is marked processed, and both before the ack, so a
  crash anywhere retries instead of losing the event; a trigger whose bus can send these writes
  as one unit (``EventBus.settlement``: Redis MULTI/EXEC) settles an event in one round trip;
- an id already processed by the group is skipped (at-least-once delivery, exactly-once effect);
  with ``dedupe_in_started`` the lookup rides in the observer's ``started`` step (one Redis
  round trip per event instead of two);
- after ``max_attempts`` failures the reason names the exception, its message and the attempts.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import random
import signal
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Literal, Protocol, cast

from cloudevents.http import CloudEvent
from opentelemetry.trace import StatusCode

from eventing import tracing
from eventing.exceptions import InvalidPayloadError
from eventing.runtime import report
from eventing.runtime.dedupe import Dedupe, RedisDedupe
from eventing.runtime.loader import Function, is_async
from eventing.runtime.settings import RuntimeSettings

log = logging.getLogger("eventing.runtime")

ReplyPublisher = Callable[[CloudEvent], Awaitable[None]]
Ack = Callable[[], Awaitable[None]]
Settlement = Callable[[], AbstractAsyncContextManager[None]]


class Observer(Protocol):
    """Told what happens to each event, e.g. to report a job's progress (``domains.scan``).

    Its calls sit inside the at-least-once path: one that raises fails the attempt, which is
    retried, so a progress step is never silently lost.
    """

    async def started(self, event: CloudEvent, attempt: int, *, unless: str | None = None) -> bool:
        """The handler is about to run on ``event``.

        ``unless`` is passed only to an observer wired with ``dedupe_in_started``: the key of
        the event's dedupe mark, on the observer's own Redis server. If it exists, nothing is
        told and False returned (the event was processed already); the lookup rides in the
        started step, one round trip instead of two. Any other return means told.
        """

    async def succeeded(self, event: CloudEvent, reply: CloudEvent | None) -> None:
        """The handler finished; told just before its reply (if any) is published."""

    async def dead(self, event: CloudEvent, reason: str) -> None:
        """``event`` will not be processed: it goes to the dead letters with ``reason``."""

    async def reported(self, event: CloudEvent, kind: str, data: dict[str, Any]) -> None:
        """The handler reported a step while running (``eventing.runtime.report``)."""


@dataclass(frozen=True)
class Outcome:
    """What a trigger does with a delivery after the handler ran (or was skipped)."""

    status: Literal["done", "skipped", "retry", "dead"]
    reply: CloudEvent | None = None
    reason: str | None = None
    delay_s: float = 0.0


def backoff_delay(
    attempt: int, runtime: RuntimeSettings, rand: Callable[[], float] = random.random
) -> float:
    """Delay before attempt ``attempt + 1``: exponential, capped, with "equal jitter".

    Half the step is fixed and half random, so retries of many events failing together spread
    out instead of hammering a recovering dependency at the same instant.
    """
    step = min(runtime.backoff_max_s, runtime.backoff_initial_s * 2 ** max(attempt - 1, 0))
    return step / 2 + rand() * step / 2


class Processor:
    """Runs one function's handler under the runtime's retry, dedupe and reply policy."""

    def __init__(
        self,
        function: Function,
        runtime: RuntimeSettings,
        *,
        dedupe: Dedupe | None = None,
        publish_reply: ReplyPublisher | None = None,
        observer: Observer | None = None,
        settlement: Settlement = contextlib.nullcontext,
        dedupe_in_started: bool = False,
    ) -> None:
        if dedupe_in_started and (observer is None or not isinstance(dedupe, RedisDedupe)):
            raise TypeError("dedupe_in_started needs an observer and a RedisDedupe")
        self.function = function
        self.runtime = runtime
        self.dedupe = dedupe
        self.publish_reply = publish_reply
        self.observer = observer
        self.settlement = settlement
        # Set only by wiring that knows the observer writes to the dedupe's Redis server
        # (eco2/cli/function.py): a mark looked up on another server would never be found.
        self.dedupe_in_started = dedupe_in_started
        self._threads: ThreadPoolExecutor | None = None

    def close(self) -> None:
        """Let the handler threads end once their calls return (a later event starts anew)."""
        if self._threads is not None:
            self._threads.shutdown(wait=False)
            self._threads = None

    def _in_thread(self, event: CloudEvent) -> Awaitable[CloudEvent | None]:
        # Like asyncio.to_thread, with the context copied so the handler sees the report sink.
        if self._threads is None:  # its threads start on demand: an idle worker holds none
            self._threads = ThreadPoolExecutor(
                max_workers=self.runtime.concurrency, thread_name_prefix="eco2-handler"
            )
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        # Only a plain ``def`` handler runs here (``_call``): it returns the reply itself.
        handle = cast("Callable[[CloudEvent], CloudEvent | None]", self.function.handle)
        return loop.run_in_executor(self._threads, context.run, handle, event)

    async def process(self, event: CloudEvent, attempt: int, *, ack: Ack | None = None) -> Outcome:
        """Handle ``event`` (delivery number ``attempt``) and say what to do with it.

        ``ack``, when given, is called for a ``done`` or ``skipped`` event as the last write
        of its settlement, so a bus that batches them sends it with the rest.
        """
        event_id = event["id"]
        looked_up_apart = self.dedupe is not None and not self.dedupe_in_started
        if looked_up_apart and await self.dedupe.seen(event_id):  # type: ignore[union-attr]  # looked_up_apart: set
            return await self._skip(event, ack)
        log.debug("handling id=%s type=%s attempt=%d", event_id, event["type"], attempt)
        # The handling is a span, child of the one the event carries (eventing.tracing); the
        # reply is stamped with it in ``_settle``, so one trace follows a job through its stages.
        with tracing.consuming(event, f"{self.function.service} {event['type']}") as span:
            span.set_attribute("eco2.attempt", attempt)
            outcome = await self._process(event, attempt, ack)
            if outcome.status in ("retry", "dead"):
                span.set_status(StatusCode.ERROR, outcome.reason or outcome.status)
            return outcome

    async def _process(self, event: CloudEvent, attempt: int, ack: Ack | None) -> Outcome:
        event_id = event["id"]
        try:
            fresh = await self._started(event, attempt)
            if fresh:
                async with asyncio.timeout(self.runtime.handler_timeout_s):  # no task per event
                    reply = await self._run_handler(event)
                if reply is not None and not isinstance(reply, CloudEvent):
                    raise TypeError(
                        f"{self.function.name} returned {type(reply).__name__}, "
                        "expected a CloudEvent or None"
                    )
                await self._settle(event, reply, ack)
        except TimeoutError:
            error = f"HandlerTimeout: no result within {self.runtime.handler_timeout_s}s"
            permanent = False
        except Exception as exc:  # the handler's failure is data here: it is retried
            error = f"{type(exc).__name__}: {exc}"
            permanent = is_permanent(exc)
        else:
            if not fresh:
                return await self._skip(event, ack)
            log.debug("done id=%s reply=%s", event_id, reply["type"] if reply else None)
            return Outcome("done", reply=reply)
        if permanent:  # the same input fails the same way: retrying only delays the answer
            reason = f"{error} (permanent: not retried)"
            log.warning("dead-letter id=%s: %s", event_id, reason)
            if self.observer is not None:
                await self._tell_dead(event, reason)
            return Outcome("dead", reason=reason)
        if attempt >= self.runtime.max_attempts:
            reason = f"{error} (failed {attempt} of {self.runtime.max_attempts} attempts)"
            log.warning("dead-letter id=%s: %s", event_id, reason)
            if self.observer is not None:
                await self._tell_dead(event, reason)
            return Outcome("dead", reason=reason)
        log.warning("failed id=%s attempt=%d, will retry: %s", event_id, attempt, error)
        return Outcome("retry", reason=error, delay_s=backoff_delay(attempt, self.runtime))

    async def _started(self, event: CloudEvent, attempt: int) -> bool:
        """Tell the observer the handler starts; False if the event was processed already
        (with ``dedupe_in_started``, looked up in the same round trip: nothing is told then)."""
        if self.observer is None:
            return True
        if not self.dedupe_in_started:
            await self.observer.started(event, attempt)
            return True
        mark = self.dedupe.key(event["id"])  # type: ignore[union-attr]  # checked in __init__
        return await self.observer.started(event, attempt, unless=mark) is not False

    async def _skip(self, event: CloudEvent, ack: Ack | None) -> Outcome:
        log.debug("skip id=%s type=%s: already processed", event["id"], event["type"])
        if ack is not None:
            await ack()
        return Outcome("skipped")

    async def _settle(self, event: CloudEvent, reply: CloudEvent | None, ack: Ack | None) -> None:
        """Tell the success, publish the reply, mark the id, ack: in this order, as one unit."""
        async with self.settlement():
            # The observer hears of the success before the reply wakes the next function, so
            # a client never sees the next stage start before this one completed. A publish
            # failing after it retries the attempt: the success is told again (at-least-once).
            if self.observer is not None:
                await self.observer.succeeded(event, reply)
            if reply is not None and self.publish_reply is not None:
                await self.publish_reply(tracing.inject(reply))
            if self.dedupe is not None:
                await self.dedupe.mark(event["id"])
            if ack is not None:
                await ack()

    async def _run_handler(self, event: CloudEvent) -> CloudEvent | None:
        """Run the handler; deliver what it reports to the observer, in order, before its end."""
        if self.observer is None:
            return await self._call(event)
        steps: asyncio.Queue[tuple[str, dict[str, Any]] | None] = asyncio.Queue()
        delivering: asyncio.Task[None] | None = None
        ended = False

        async def deliver() -> None:
            while (step := await steps.get()) is not None:
                await self.observer.reported(event, *step)  # type: ignore[union-attr]  # set: checked above

        def take(step: tuple[str, dict[str, Any]]) -> None:
            # The delivering task starts with the first step: most handlers report none. A
            # step from a handler thread still running after its call ended (timed out) is
            # dropped: its event has failed, and nothing would end that task.
            nonlocal delivering
            if ended:
                return
            steps.put_nowait(step)
            if delivering is None:
                delivering = asyncio.create_task(deliver())

        if self.function.is_async:  # the handler reports from this loop's thread
            sink: report.Sink = lambda kind, data: take((kind, data))  # noqa: E731
        else:
            loop = asyncio.get_running_loop()

            def sink(kind: str, data: dict[str, Any]) -> None:
                loop.call_soon_threadsafe(take, (kind, data))

        token = report.bind(sink)
        try:
            reply = await self._call(event)  # a thread gets this context too: the sink
        except BaseException:
            if delivering is not None:
                delivering.cancel()
            raise
        finally:
            report.unbind(token)
            ended = True
        if delivering is not None:
            steps.put_nowait(None)
            await delivering  # every reported step is told before the completion
        return reply

    async def _call(self, event: CloudEvent) -> CloudEvent | None:
        if self.function.is_async:
            # An ``async def`` handler: its call is awaitable.
            return await cast("Awaitable[CloudEvent | None]", self.function.handle(event))
        return await self._in_thread(event)

    async def _tell_dead(self, event: CloudEvent, reason: str) -> None:
        # The event is dead-lettered whatever happens here; a failing observer is only logged.
        try:
            await self.observer.dead(event, reason)  # type: ignore[union-attr]  # caller checks it
        except Exception:
            log.exception("observer failed on dead event id=%s", event["id"])


def is_permanent(exc: BaseException) -> bool:
    """Whether a handler's failure would fail the same way on every attempt: the event's own
    data is wrong (``InvalidPayloadError``), or the error says so with ``permanent = True`` (an
    unknown model name, a provider's 4xx). Such an event is dead-lettered at once."""
    return isinstance(exc, InvalidPayloadError) or getattr(exc, "permanent", False) is True


class Worker(Protocol):
    """A trigger's consume loop: ``run`` until ``stop`` is called."""

    async def run(self) -> None:
        """Consume and process until stopped; returns once nothing is in flight."""

    def stop(self) -> None:
        """Stop taking new events; in-flight ones finish."""


async def serve(
    worker: Worker,
    function: Function,
    *,
    grace_s: float,
    stop_signal: asyncio.Event | None = None,
    handle_signals: bool = True,
) -> None:
    """Run ``worker`` with the function's hooks until SIGTERM/SIGINT (or ``stop_signal``).

    On stop the worker takes no new events and its in-flight ones get ``grace_s`` to
    finish; past that they are cancelled un-acked, which hands them back to the queue (Redis:
    reclaimed by another consumer; RabbitMQ: requeued when the channel closes). Either way a
    scale-down loses nothing.
    """
    stop_signal = stop_signal or asyncio.Event()
    loop = asyncio.get_running_loop()
    if handle_signals:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop_signal.set)
    if function.start is not None:
        await _call_hook(function.start)
    task = asyncio.create_task(worker.run())
    waiter = asyncio.create_task(stop_signal.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()  # the worker ended on its own: surface its error
            return
        log.info("stopping %s: finishing in-flight events", function.name)
        worker.stop()
        try:
            await asyncio.wait_for(asyncio.shield(task), grace_s)
        except TimeoutError:
            log.warning("grace period over: handing in-flight events back un-acked")
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    finally:
        waiter.cancel()
        if handle_signals:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)
        if function.stop is not None:
            await _call_hook(function.stop)


async def _call_hook(hook: Callable[..., Any], *args: Any) -> None:
    """An ``async def`` hook runs on this loop (its clients must live here), a plain one in a
    thread (it may block, e.g. loading a model)."""
    if is_async(hook):
        await hook(*args)
    else:
        await asyncio.to_thread(hook, *args)


async def drain(tasks: set[asyncio.Task[Any]]) -> None:
    """Wait for ``tasks``; if cancelled meanwhile, cancel them too (they then stay un-acked)."""
    if not tasks:
        return
    try:
        await asyncio.wait(set(tasks))
    except asyncio.CancelledError:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
