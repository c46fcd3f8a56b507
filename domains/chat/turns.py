"""One turn at a time per chat: a lease in Redis the chat function holds while a turn runs.

Two messages sent to one chat at the same moment are both accepted (202) and both answered,
one after the other, in the order the workers take them: the second waits for the first's
lease, then runs on the checkpoint the first wrote, so its answer already knows the first
turn (without the lease both would start from the same checkpoint and the last to end would
drop the other's turn from the memory). This is what a person expects of a chat that answers
every message: nothing refused, nothing lost, answers in order.

The lease is held by the turn's event id. A redelivered event (its worker died mid-turn)
carries the same id, so it takes the lease over at once instead of waiting for it to expire;
a lease left by a dead worker for another event expires after ``lease_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Protocol

from redis.asyncio import Redis

# KEYS[1] the chat's lease; ARGV holder, lease ms. 1: held by holder now, 0: held by another.
_TAKE = """
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
_GIVE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Locks(Protocol):
    def hold(self, chat_id: str, holder: str) -> contextlib.AbstractAsyncContextManager[None]: ...


class LocalTurnLocks:
    """One process's turns (the embedded default, whose stores are in memory): a lock per
    chat, dropped when no turn holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @contextlib.asynccontextmanager
    async def hold(self, chat_id: str, holder: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        self._users[chat_id] = self._users.get(chat_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[chat_id] -= 1
            if not self._users[chat_id]:
                del self._users[chat_id], self._locks[chat_id]


class TurnBusy(Exception):
    """Another turn of the chat ran longer than this one could wait; the event is retried."""


class TurnLocks:
    """Per-chat leases; ``hold(chat_id, holder)`` waits its turn."""

    def __init__(
        self,
        redis: Redis,
        prefix: str = "eco2:",
        lease_s: float = 300.0,
        wait_s: float = 120.0,
        poll_s: float = 0.05,
    ) -> None:
        self.redis = redis
        self.prefix = prefix
        self.lease_ms = int(lease_s * 1000)
        self.wait_s = wait_s
        self.poll_s = poll_s
        self._take = redis.register_script(_TAKE)
        self._give = redis.register_script(_GIVE)

    def key(self, chat_id: str) -> str:
        return f"{self.prefix}chat:turn:{chat_id}"

    @contextlib.asynccontextmanager
    async def hold(self, chat_id: str, holder: str) -> AsyncIterator[None]:
        key = self.key(chat_id)
        deadline = time.monotonic() + self.wait_s
        while not int(await self._take(keys=[key], args=[holder, self.lease_ms])):
            if time.monotonic() >= deadline:
                raise TurnBusy(f"chat {chat_id} is still answering another message")
            await asyncio.sleep(self.poll_s)
        try:
            yield
        finally:
            # Shielded: a cancelled turn still frees its chat for the next one.
            await asyncio.shield(self._give(keys=[key], args=[holder]))
