"""The shared consume policy: outcomes, reasons, dedupe order, backoff."""

from __future__ import annotations

import logging
import time
from unittest.mock import ANY

import pytest
from cloudevents.http import CloudEvent

from eventing.events import make_event
from eventing.runtime.dedupe import MemoryDedupe
from eventing.runtime.loader import Function
from eventing.runtime.settings import RuntimeSettings
from eventing.runtime.worker import Outcome, Processor, backoff_delay
from tests.eventing.runtime import echo as echo_module
from tests.eventing.runtime.echo import Echo

RUNTIME = RuntimeSettings(max_attempts=3, handler_timeout_s=0.3)


def event(**fields) -> CloudEvent:
    return make_event("kr.eco2.test.echo", Echo(text="x", **fields), subject="job")


echo = echo_module.new()


def processor(handle=echo.handle, **kwargs) -> Processor:
    return Processor(Function(handle=handle, source="t.py"), RUNTIME, **kwargs)


async def test_success_publishes_reply_then_marks_processed() -> None:
    order: list[str] = []
    dedupe = MemoryDedupe()

    async def publish(reply: CloudEvent) -> None:
        order.append(f"publish {reply['type']} seen={await dedupe.seen(ev['id'])}")

    ev = event()
    outcome = await processor(dedupe=dedupe, publish_reply=publish).process(ev, 1)
    assert outcome.status == "done"
    assert outcome.reply["type"] == "kr.eco2.test.echo.replied"
    assert order == ["publish kr.eco2.test.echo.replied seen=False"]
    assert await dedupe.seen(ev["id"])


async def test_ack_is_the_last_write_of_a_success_and_of_a_skip() -> None:
    order: list[str] = []
    dedupe = MemoryDedupe()

    async def publish(reply: CloudEvent) -> None:
        order.append("publish")

    async def ack() -> None:
        order.append(f"ack seen={await dedupe.seen(ev['id'])}")

    ev = event()
    proc = processor(dedupe=dedupe, publish_reply=publish)
    assert (await proc.process(ev, 1, ack=ack)).status == "done"
    assert (await proc.process(ev, 2, ack=ack)).status == "skipped"
    assert order == ["publish", "ack seen=True", "ack seen=True"]


async def test_a_failed_ack_retries_and_the_retry_is_a_skip_that_acks() -> None:
    dedupe = MemoryDedupe()
    acks: list[int] = []

    async def ack() -> None:
        acks.append(1)
        if len(acks) == 1:
            raise ConnectionError("redis went away")

    ev = event()
    proc = processor(dedupe=dedupe)
    failed = await proc.process(ev, 1, ack=ack)
    assert failed.status == "retry" and "redis went away" in failed.reason
    assert (await proc.process(ev, 2, ack=ack)).status == "skipped" and len(acks) == 2


async def test_processed_id_is_skipped_without_running_the_handler() -> None:
    calls: list[str] = []
    dedupe = MemoryDedupe()
    ev = event()
    await dedupe.mark(ev["id"])
    outcome = await processor(lambda e: calls.append(e["id"]), dedupe=dedupe).process(ev, 1)
    assert outcome.status == "skipped" and calls == []


async def test_failure_retries_then_dead_letters_with_reason() -> None:
    proc = processor()
    first = await proc.process(event(poison=True), 1)
    assert first.status == "retry" and first.reason.startswith("EchoFailure: poison message")
    assert first.delay_s > 0
    last = await proc.process(event(poison=True), 3)
    assert last.status == "dead"
    assert (
        last.reason == "EchoFailure: poison message 'x' cannot be echoed (failed 3 of 3 attempts)"
    )


async def test_failed_publish_is_not_marked_processed() -> None:
    dedupe = MemoryDedupe()

    async def broken(reply: CloudEvent) -> None:
        raise ConnectionError("broker down")

    ev = event()
    outcome = await processor(dedupe=dedupe, publish_reply=broken).process(ev, 1)
    assert outcome.status == "retry" and outcome.reason == "ConnectionError: broker down"
    assert not await dedupe.seen(ev["id"])


async def test_slow_handler_times_out() -> None:
    started = time.monotonic()
    outcome = await processor().process(event(sleep_s=1.0), 3)
    assert time.monotonic() - started < 0.9
    assert outcome.status == "dead" and outcome.reason.startswith(
        "HandlerTimeout: no result within 0.3s"
    )


async def test_wrong_return_type_is_a_failure() -> None:
    outcome = await processor(lambda e: {"not": "an event"}).process(event(), 1)
    assert outcome.status == "retry"
    assert outcome.reason == "TypeError: t.py:new returned dict, expected a CloudEvent or None"


@pytest.mark.parametrize(
    ("attempt", "low", "high"), [(1, 0.1, 0.2), (2, 0.2, 0.4), (3, 0.4, 0.8), (9, 2.5, 5.0)]
)
def test_backoff_is_exponential_capped_with_jitter(attempt: int, low: float, high: float) -> None:
    runtime = RuntimeSettings(backoff_initial_s=0.2, backoff_max_s=5.0)
    assert backoff_delay(attempt, runtime, rand=lambda: 0.0) == pytest.approx(low)
    assert backoff_delay(attempt, runtime, rand=lambda: 1.0) == pytest.approx(high)


def _echo(text: str, **fields) -> CloudEvent:
    return make_event("kr.eco2.test.echo", Echo(text=text, **fields), subject="job")


class _Recorder:
    def __init__(self, fail_on_started: bool = False) -> None:
        self.calls: list[tuple[str, str]] = []
        self.fail_on_started = fail_on_started

    async def started(self, event, attempt) -> None:
        self.calls.append(("started", event.data["text"]))
        if self.fail_on_started:
            raise ConnectionError("progress store down")

    async def succeeded(self, event, reply) -> None:
        self.calls.append(("succeeded", reply["type"] if reply else "none"))

    async def dead(self, event, reason) -> None:
        self.calls.append(("dead", reason.split(":")[0]))


async def test_observer_sees_start_success_and_death() -> None:
    recorder = _Recorder()
    ok = await processor(observer=recorder).process(_echo("ok"), 1)
    dead = await processor(observer=recorder).process(_echo("x", poison=True), 3)
    assert (ok.status, dead.status) == ("done", "dead")
    assert recorder.calls == [
        ("started", "ok"),
        ("succeeded", "kr.eco2.test.echo.replied"),
        ("started", "x"),
        ("dead", "EchoFailure"),
    ]


async def test_failing_observer_fails_the_attempt_so_it_is_retried() -> None:
    outcome = await processor(observer=_Recorder(fail_on_started=True)).process(_echo("a"), 1)
    assert outcome.status == "retry" and "progress store down" in outcome.reason


async def test_reported_steps_reach_the_observer_in_order_before_success() -> None:
    from eventing.runtime import report

    def chatty(ev: CloudEvent) -> CloudEvent:
        for i in range(50):
            report.report("token", {"i": i})
        return echo.handle(ev)

    class Steps(_Recorder):
        async def reported(self, event, kind, data) -> None:
            self.calls.append((kind, str(data["i"])))

    observer = Steps()
    outcome = await processor(handle=chatty, observer=observer).process(_echo("t"), 1)
    assert outcome.status == "done"
    assert observer.calls[0] == ("started", "t")
    assert observer.calls[1:51] == [("token", str(i)) for i in range(50)]
    assert observer.calls[51] == ("succeeded", "kr.eco2.test.echo.replied")


def test_report_outside_a_worker_is_dropped() -> None:
    from eventing.runtime import report

    report.report("token", {"text": "nobody listens"})  # must not raise


async def test_an_async_handler_runs_on_the_loop_and_its_reports_arrive_in_order() -> None:
    import asyncio
    import threading

    from eventing.runtime import report

    ran_on: list[threading.Thread] = []

    async def chatty(ev: CloudEvent) -> CloudEvent:
        ran_on.append(threading.current_thread())
        for i in range(20):
            report.report("token", {"i": i})
            await asyncio.sleep(0)  # the observer may run between reports: order must hold
        return echo.handle(ev)

    class Steps(_Recorder):
        async def reported(self, event, kind, data) -> None:
            await asyncio.sleep(0.001 * (data["i"] % 3))  # uneven observer latency
            self.calls.append((kind, str(data["i"])))

    observer = Steps()
    fn = Function(handle=chatty, source="t.py")
    assert fn.is_async
    outcome = await Processor(fn, RUNTIME, observer=observer).process(_echo("a"), 1)
    assert outcome.status == "done"
    assert ran_on == [threading.current_thread()]  # no thread hand-off
    assert observer.calls[1:21] == [("token", str(i)) for i in range(20)]
    assert observer.calls[21] == ("succeeded", "kr.eco2.test.echo.replied")


async def test_an_async_handler_past_its_timeout_is_cancelled_not_left_running() -> None:
    import asyncio

    finished: list[bool] = []

    async def slow(ev: CloudEvent) -> CloudEvent:
        await asyncio.sleep(1.0)
        finished.append(True)
        return echo.handle(ev)

    outcome = await processor(handle=slow).process(event(), 3)
    assert outcome.status == "dead" and outcome.reason.startswith("HandlerTimeout")
    await asyncio.sleep(1.0)
    assert finished == []  # a thread could not be stopped; a coroutine is


async def test_serve_runs_async_hooks_on_its_loop_and_sync_ones_in_a_thread() -> None:
    import asyncio
    import threading

    from eventing.runtime.worker import serve

    seen: dict[str, object] = {}

    async def start() -> None:
        seen["start"] = asyncio.get_running_loop()

    def stop() -> None:
        seen["stop"] = threading.current_thread()

    class Idle:
        def __init__(self) -> None:
            self.stopped = asyncio.Event()

        async def run(self) -> None:
            await self.stopped.wait()

        def stop(self) -> None:
            self.stopped.set()

    signal = asyncio.Event()
    fn = Function(handle=echo.handle, source="t.py", start=start, stop=stop)
    run = serve(Idle(), fn, grace_s=5, stop_signal=signal, handle_signals=False)
    task = asyncio.create_task(run)
    await asyncio.sleep(0.05)
    signal.set()
    await task
    assert seen["start"] is asyncio.get_running_loop()
    assert seen["stop"] is not threading.current_thread()


async def test_a_step_reported_by_a_timed_out_thread_is_dropped_not_left_delivering() -> None:
    # Regression: the delivering task starts with the first step; a handler thread that
    # outlives its timeout must not start one that nothing would ever end.
    import asyncio

    from eventing.runtime import report

    def late(ev: CloudEvent) -> CloudEvent:
        time.sleep(0.5)  # past the 0.3 s timeout
        report.report("token", {"i": 0})
        return echo.handle(ev)

    class Steps(_Recorder):
        async def reported(self, event, kind, data) -> None:
            self.calls.append((kind, str(data["i"])))

    observer = Steps()
    before = len(asyncio.all_tasks())
    outcome = await processor(handle=late, observer=observer).process(_echo("t"), 3)
    assert outcome.status == "dead" and outcome.reason.startswith("HandlerTimeout")
    await asyncio.sleep(0.4)  # the thread reports now
    assert ("token", "0") not in observer.calls
    assert len(asyncio.all_tasks()) == before


async def test_per_event_lines_are_debug_and_failures_stay_visible(caplog) -> None:
    # At INFO (the default ECO2_LOG_LEVEL) a handled event logs nothing: those lines cost 5 % of
    # a stage's CPU. A retry is a warning, so it is logged at any level but ERROR.
    caplog.set_level(logging.INFO, "eventing.runtime")
    ok, failing = event(), event(fail_times=1)
    await processor().process(ok, 1)
    assert await processor().process(failing, 1) == Outcome("retry", reason=ANY, delay_s=ANY)
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    caplog.clear()
    caplog.set_level(logging.DEBUG, "eventing.runtime")
    await processor().process(ok, 1)
    assert [r.getMessage().split(" id=")[0] for r in caplog.records] == ["handling", "done"]


async def test_a_permanent_failure_is_dead_lettered_at_once_without_retries() -> None:
    class UnknownName(Exception):
        permanent = True

    calls: list[int] = []

    def refuse(ev: CloudEvent) -> CloudEvent:
        calls.append(1)
        raise UnknownName("no provider for model 'claude-x'")

    outcome = await processor(refuse).process(_echo("x"), 1)  # the first attempt
    assert outcome.status == "dead" and "permanent: not retried" in outcome.reason
    assert calls == [1]


async def test_an_event_whose_data_is_wrong_is_not_retried() -> None:
    bad = make_event("kr.eco2.test.echo", Echo(text="x"))
    bad.data = {"nope": 1}  # not an Echo: the echo handler's payload_of refuses it
    outcome = await processor().process(bad, 1)
    assert outcome.status == "dead" and outcome.reason.startswith("InvalidPayloadError")
