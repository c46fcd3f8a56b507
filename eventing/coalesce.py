"""Script calls that may wait a few milliseconds, gathered into one round trip.

The answer stage streams its tokens as progress steps, each one script call. Alone, a call
costs its worker a Redis round trip (most of its CPU is the socket send and the wake-up for the
reply) and Redis a read, and a worker streams hundreds of tokens a second. A token is shown to a
person, for whom a few milliseconds are nothing, so its call may wait that long for others:
every call made within ``linger_s`` of the first goes in one pipeline.

Each caller still awaits its own call's result, so what it is told is written (at-least-once
holds: an answer settles only after its tokens are in the log). Calls of one job keep their
order because its caller makes them one after another. A batch that fails fails every call in
it; a ``NOSCRIPT`` (Redis lost its script cache) loads the script and sends those calls again,
which is safe because a script that did not run wrote nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis import asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

Call = tuple[AsyncScript, list[Any], list[Any], asyncio.Future[Any]]


class Coalescer:
    """Sends the script calls made within ``linger_s`` of each other as one pipeline."""

    def __init__(self, redis: aioredis.Redis, linger_s: float) -> None:
        self.redis = redis
        self.linger_s = linger_s
        self._pending: list[Call] = []
        self._timer: asyncio.TimerHandle | None = None
        self._flushes: set[asyncio.Task[None]] = set()

    async def call(self, script: AsyncScript, keys: list[Any], args: list[Any]) -> Any:
        """Run ``script`` with ``keys`` and ``args`` in the next batch; its result."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Any] = loop.create_future()
        self._pending.append((script, keys, args, done))
        if self._timer is None:
            self._timer = loop.call_later(self.linger_s, self._flush_now)
        return await done

    def _flush_now(self) -> None:
        self._timer = None
        batch, self._pending = self._pending, []
        task = asyncio.get_running_loop().create_task(self._flush(batch))
        self._flushes.add(task)
        task.add_done_callback(self._flushes.discard)

    async def _flush(self, batch: list[Call]) -> None:
        try:
            results = await self._send(batch)
            missing = [n for n, result in enumerate(results) if isinstance(result, NoScriptError)]
            if missing:
                for script in {batch[n][0] for n in missing}:
                    await self.redis.script_load(script.script)
                again = await self._send([batch[n] for n in missing])
                for n, result in zip(missing, again, strict=True):
                    results[n] = result
        except BaseException as exc:  # the connection failed: every caller hears of it
            for *_, done in batch:
                if not done.done():
                    done.set_exception(exc)
            if isinstance(exc, asyncio.CancelledError):
                raise
            return
        for (*_, done), result in zip(batch, results, strict=True):
            if done.done():  # its caller gave up (cancelled); the call was made all the same
                continue
            if isinstance(result, Exception):
                done.set_exception(result)
            else:
                done.set_result(result)

    async def _send(self, batch: list[Call]) -> list[Any]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for script, keys, args, _ in batch:
                pipe.evalsha(script.sha, len(keys), *keys, *args)
            return await pipe.execute(raise_on_error=False)

    async def aclose(self) -> None:
        """Send what is waiting now and wait for every batch in flight."""
        if self._timer is not None:
            self._timer.cancel()
            self._flush_now()
        await asyncio.gather(*self._flushes, return_exceptions=True)
