"""The image byte budget: waits in arrival order, never deadlocks on an oversized image."""

from __future__ import annotations

import asyncio

import pytest

from domains.image import ImageBudget


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_holders_within_the_limit_do_not_wait() -> None:
    budget = ImageBudget(100)
    async with budget.hold(60), budget.hold(40):
        assert budget.used == 100
    assert budget.used == 0


async def test_a_holder_past_the_limit_waits_until_bytes_are_given_back() -> None:
    budget = ImageBudget(100)
    order: list[str] = []

    async def scan(name: str, size: int, release: asyncio.Event) -> None:
        async with budget.hold(size):
            order.append(name)
            await release.wait()

    first, second = asyncio.Event(), asyncio.Event()
    a = asyncio.create_task(scan("a", 70, first))
    b = asyncio.create_task(scan("b", 70, second))
    await settle()
    assert order == ["a"] and budget.waiting == 1
    first.set()
    await settle()
    assert order == ["a", "b"] and budget.used == 70
    second.set()
    await asyncio.gather(a, b)
    assert budget.used == 0


async def test_waiters_are_let_in_in_arrival_order() -> None:
    # A large image queued first is not overtaken by small ones that would fit.
    budget = ImageBudget(100)
    order: list[str] = []
    gate = asyncio.Event()

    async def scan(name: str, size: int) -> None:
        async with budget.hold(size):
            order.append(name)
            await gate.wait()

    tasks = [asyncio.create_task(scan("held", 50))]
    await settle()
    tasks.append(asyncio.create_task(scan("large", 90)))
    await settle()
    tasks.append(asyncio.create_task(scan("small", 10)))
    await settle()
    assert order == ["held"]  # "small" would fit, but "large" came first
    gate.set()
    await asyncio.gather(*tasks)
    assert order == ["held", "large", "small"]


async def test_an_image_larger_than_the_budget_runs_alone() -> None:
    budget = ImageBudget(100)
    async with budget.hold(500):
        assert budget.used == 100
    assert budget.used == 0


async def test_a_cancelled_waiter_gives_way_to_the_next() -> None:
    budget = ImageBudget(100)
    release = asyncio.Event()
    entered: list[str] = []

    async def scan(name: str, size: int) -> None:
        async with budget.hold(size):
            entered.append(name)
            await release.wait()

    holder = asyncio.create_task(scan("holder", 60))
    await settle()
    blocked = asyncio.create_task(scan("blocked", 100))  # head of the queue
    await settle()
    behind = asyncio.create_task(scan("behind", 30))  # fits, but waits behind "blocked"
    await settle()
    assert entered == ["holder"]
    blocked.cancel()
    await settle()
    assert entered == ["holder", "behind"] and budget.waiting == 0
    release.set()
    await asyncio.gather(holder, behind)
    with pytest.raises(asyncio.CancelledError):
        await blocked
    assert budget.used == 0


async def test_a_failing_holder_gives_its_bytes_back() -> None:
    budget = ImageBudget(100)
    with pytest.raises(RuntimeError):
        async with budget.hold(80):
            raise RuntimeError("model down")
    assert budget.used == 0


def test_a_budget_needs_a_positive_limit() -> None:
    with pytest.raises(ValueError, match="limit_bytes"):
        ImageBudget(0)


async def test_a_waiter_cancelled_as_bytes_are_given_back_takes_none_of_them() -> None:
    # Regression: a release in the same tick as the cancel used to grant the cancelled
    # waiter's future (InvalidStateError in the releasing holder) and leak its share.
    budget = ImageBudget(100)
    release = asyncio.Event()

    async def scan(size: int) -> None:
        async with budget.hold(size):
            await release.wait()

    holder = asyncio.create_task(scan(100))
    await settle()
    waiter = asyncio.create_task(scan(100))
    await settle()
    release.set()  # the holder resumes first ...
    waiter.cancel()  # ... the waiter's future is cancelled now, its task resumes after
    await holder  # the holder's release meets the cancelled waiter
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert budget.used == 0 and budget.waiting == 0
