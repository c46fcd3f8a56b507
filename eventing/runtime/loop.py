"""An event loop on its own thread, for running coroutines from sync code.

``async def`` functions served over HTTP (Flask views are sync: ``http_trigger``, and the plain
``functions-framework`` command through ``@function``) run on the process's ``BRIDGE`` loop:
the function's clients, opened on that loop, stay valid for every request, which
``asyncio.run`` per call would not allow (a pool is bound to the loop that made it). The queue
triggers need none: they await such a function on their own loop.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import uvloop

T = TypeVar("T")


class LoopThread:
    """A daemon thread running an event loop until ``close``."""

    def __init__(self, name: str = "eco2-loop") -> None:
        # uvloop, like the workers' own loops: the handlers' database and HTTP calls run here,
        # and the pure-Python loop's own bookkeeping would be among their largest costs.
        self.loop = uvloop.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coro`` on the loop thread and wait for its result (or raise its error)."""
        if threading.current_thread() is self._thread:
            raise RuntimeError("LoopThread.run called from its own loop: await instead")
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        """Stop the loop and join the thread."""
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        self.loop.close()


class AsyncBridge:
    """Runs a function's coroutines from sync code (Flask views, gunicorn hooks) on one loop
    thread, started on first use: after a fork, in the process that serves."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._loop: LoopThread | None = None
        self._lock = threading.Lock()

    def call(self, hook: Callable[..., Any], *args: Any) -> Any:
        """``hook(*args)``; an ``async def`` one is run to its end on the loop thread."""
        if not inspect.iscoroutinefunction(inspect.unwrap(hook)):
            return hook(*args)
        with self._lock:  # Flask serves requests from several threads
            if self._loop is None:
                self._loop = LoopThread(f"{self.name}-loop")
        return self._loop.run(hook(*args))

    def close(self) -> None:
        if self._loop is not None:
            self._loop.close()
            self._loop = None


# One per process: a function's ``start`` hook and every request must share a loop.
BRIDGE = AsyncBridge("eco2-function")
