"""An event loop on its own thread, for sync handlers that use async clients.

Handlers are plain sync functions (functions-framework calls them from Flask threads, the queue
triggers from worker threads), but the domain services are async (SQLAlchemy + asyncpg). A
function's ``start`` hook opens a ``LoopThread`` and builds its clients on it; ``handle`` runs
coroutines there with ``run``. One loop for the process keeps the connection pool valid, which
``asyncio.run`` per call would not (a pool is bound to the loop that made it).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import uvloop

T = TypeVar("T")


class LoopThread:
    """A daemon thread running an event loop until ``close``."""

    def __init__(self, name: str = "eco2-loop") -> None:
        # uvloop, like the workers' own loops: the handlers' database and HTTP calls run here,
        # and py-spy showed the pure-Python loop's own bookkeeping among the reward stage's
        # largest costs.
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
