"""How many image bytes a process holds at once.

A vision worker keeps hundreds of scans in flight (``domains/scan/pipeline.py``): each waits
seconds on a model with its image in memory, and a cloud request holds it again base64-encoded.
Uploads may be 10 MiB, so 512 photos of a few MiB each would overrun any pod's memory limit
long before the concurrency cap. The budget bounds the bytes instead of the count: a scan
takes its image's share before fetching it and gives it back when it is done; one that does
not fit waits, in arrival order (a large photo is not starved by a stream of small ones). An
image larger than the whole budget takes all of it, so it runs alone rather than never.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator


class ImageBudget:
    """A byte count shared by the holders of images; ``hold`` waits for a share of it."""

    def __init__(self, limit_bytes: int) -> None:
        if limit_bytes < 1:
            raise ValueError(f"limit_bytes must be >= 1, got {limit_bytes}")
        self.limit = limit_bytes
        self.used = 0
        self._waiting: deque[tuple[int, asyncio.Future[None]]] = deque()

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @contextlib.asynccontextmanager
    async def hold(self, size: int) -> AsyncIterator[None]:
        """Hold ``size`` bytes (at most the whole budget) for the ``async with`` block."""
        share = max(0, min(size, self.limit))
        if self._waiting or self.used + share > self.limit:
            granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            entry = (share, granted)
            self._waiting.append(entry)
            try:
                await granted
            except asyncio.CancelledError:
                if granted.done() and not granted.cancelled():
                    self._release(share)  # granted just as it was cancelled: give it back
                else:
                    if entry in self._waiting:  # a release may have dropped it already
                        self._waiting.remove(entry)
                    self._grant()  # it may have been the head that held the others back
                raise
        else:
            self.used += share
        try:
            yield
        finally:
            self._release(share)

    def _release(self, share: int) -> None:
        self.used -= share
        self._grant()

    def _grant(self) -> None:
        """Let waiters in, oldest first, while the oldest fits."""
        while self._waiting:
            share, granted = self._waiting[0]
            if granted.done():  # cancelled, its task not yet resumed: it takes nothing
                self._waiting.popleft()
                continue
            if self.used + share > self.limit:
                return
            self._waiting.popleft()
            self.used += share
            granted.set_result(None)
