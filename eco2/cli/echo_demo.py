"""``eco2 demo --echo``: CloudEvents travelling through the echo function, with no servers.

It runs the very loop a Redis Streams worker runs (``RedisTrigger``) on the in-process
``MemoryBus``: one event is echoed, one fails once and is retried, one is poison and ends in the
dead letters, and a duplicate of the first is skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table

from eco2.settings import RuntimeSettings, Settings
from eventing.bus.base import DeadLetter, Delivery
from eventing.bus.memory import MemoryBus
from eventing.events import Echo, make_event
from eventing.runtime.dedupe import MemoryDedupe
from eventing.runtime.examples import echo
from eventing.runtime.loader import Function
from eventing.runtime.redis_trigger import RedisTrigger
from eventing.runtime.worker import serve

TOPIC, REPLIES, GROUP = "demo.echo", "demo.echo.replied", "echo"
RUNTIME = RuntimeSettings(
    claim_idle_ms=200,
    handler_timeout_s=0.15,
    block_ms=50,
    max_attempts=3,
    backoff_initial_s=0.05,
    shutdown_grace_s=5,
)


class _WatchedDedupe(MemoryDedupe):
    """Tells the demo when the duplicate was skipped, so it knows when to stop."""

    def __init__(self) -> None:
        super().__init__()
        self.skipped = asyncio.Event()

    async def seen(self, event_id: str) -> bool:
        found = await super().seen(event_id)
        if found:
            self.skipped.set()
        return found


async def run_demo(console: Console, timeout_s: float = 15.0) -> tuple[int, int]:
    """Run the demo; returns (replies, dead letters)."""
    bus = MemoryBus(2)
    dedupe = _WatchedDedupe()
    fn = Function(handle=echo.handle, source=echo.__file__ or "echo.py")
    worker = RedisTrigger(
        bus,
        fn,
        RUNTIME,
        topic=TOPIC,
        group=GROUP,
        consumer="demo-worker",
        dedupe=dedupe,
        reply_topic=REPLIES,
    )
    await bus.ensure_group(REPLIES, "viewer")
    stop = asyncio.Event()
    runner = asyncio.create_task(
        serve(worker, fn, Settings(runtime=RUNTIME), stop_signal=stop, handle_signals=False)
    )
    first = make_event("kr.eco2.demo.echo", Echo(text="안녕, 이코!"), subject="job-1")
    sends = [
        first,
        make_event(
            "kr.eco2.demo.echo", Echo(text="한 번 실패 후 성공", fail_times=1), subject="job-2"
        ),
        make_event("kr.eco2.demo.echo", Echo(text="독이 든 메시지", poison=True), subject="job-3"),
    ]
    for event in sends:
        await bus.publish(TOPIC, event)
        console.print(f"[cyan]publish[/] {event['type']} id={event['id'][:8]} {event.data}")
    replies = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline and (len(replies) < 2 or not await bus.dead_letters(TOPIC)):
        replies += await bus.consume(REPLIES, "viewer", "v", block_ms=100)
    await bus.publish(TOPIC, first)
    console.print(f"[cyan]publish[/] the same id={first['id'][:8]} again: it is skipped")
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(dedupe.skipped.wait(), max(deadline - loop.time(), 0.1))
    replies += await bus.consume(REPLIES, "viewer", "v", block_ms=50)
    stop.set()
    await runner
    _report(console, replies, await bus.dead_letters(TOPIC))
    return len(replies), len(await bus.dead_letters(TOPIC))


def _report(console: Console, replies: list[Delivery], letters: list[DeadLetter]) -> None:
    table = Table(title="replies (kr.eco2.demo.echo.replied)")
    table.add_column("subject")
    table.add_column("text")
    for delivery in replies:
        table.add_row(delivery.event.get("subject"), delivery.event.data["text"])
    console.print(table)
    dead = Table(title="dead letters")
    dead.add_column("attempts")
    dead.add_column("reason")
    for letter in letters:
        dead.add_row(str(letter.attempts), letter.reason)
    console.print(dead)


def run(console: Console) -> None:
    """Run the echo demo with the runtime's log on ``console``; prints the one-line summary."""
    logger = logging.getLogger("eventing.runtime")
    logger.setLevel(logging.INFO)
    handler = RichHandler(console=console, show_path=False, markup=False)
    logger.addHandler(handler)
    logger.propagate = False
    try:
        replies, letters = asyncio.run(run_demo(console))
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    console.print(f"[bold green]{replies} replied, {letters} dead-lettered[/]")
