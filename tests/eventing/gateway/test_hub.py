"""Hub: routing by job id, bounded queues, overflow closes only the slow subscriber."""

from __future__ import annotations

import asyncio

from eventing.events import Progress
from eventing.gateway.frame import Frame, of
from eventing.gateway.hub import Hub


def ev(job_id: str, seq: int) -> Frame:
    return of(Progress(job_id=job_id, seq=seq, stage="vision", status="started", progress=10))


def test_dispatch_goes_only_to_the_jobs_subscribers() -> None:
    hub = Hub(client_queue=8)
    a, b = hub.subscribe("a"), hub.subscribe("b")
    assert hub.dispatch(ev("a", 1)) == 1
    assert hub.dispatch(ev("zzz", 1)) == 0
    assert [e.seq for e in a.take()] == [1] and b.take() == []


def test_slow_subscriber_overflow_closes_only_it() -> None:
    hub = Hub(client_queue=2)
    slow, fast = hub.subscribe("a"), hub.subscribe("a")
    for seq in (1, 2):
        hub.dispatch(ev("a", seq))
    fast.take()  # the fast one keeps up
    hub.dispatch(ev("a", 3))  # the slow one's third: over its bound
    assert slow.closed == "overflow" and slow.take() == []
    assert fast.closed is None and [e.seq for e in fast.take()] == [3]
    assert len(hub) == 1  # the slow one is no longer dispatched to


async def test_wait_wakes_on_event_close_and_timeout() -> None:
    hub = Hub(client_queue=4)
    sub = hub.subscribe("a")
    waiter = asyncio.create_task(sub.wait(None))
    await asyncio.sleep(0)
    hub.dispatch(ev("a", 1))
    await asyncio.wait_for(waiter, 1)
    sub.take()
    await asyncio.wait_for(sub.wait(0.01), 1)  # returns on timeout
    closer = asyncio.create_task(sub.wait(None))
    await asyncio.sleep(0)
    hub.close_all()
    await asyncio.wait_for(closer, 1)
    assert sub.closed == "shutdown"
