"""A router that stalls mid-batch, run as its own process by the router crash test.

It routes the first half of each batch without acking, then sleeps, so a SIGKILL lands mid-batch
with both kinds of loss to recover: entries never published and entries published but not acked.

    python -m tests.eventing.router.stalling_router CONSUMER STALL_S
"""

from __future__ import annotations

import asyncio
import sys

import uvloop

from eco2.cli.router import serve_router
from eco2.settings import Settings
from eventing.router import Router
from eventing.router.router import Entry


class StallingRouter(Router):
    stall_s = 60.0

    async def route(self, entries: list[Entry], *, ack: bool = True) -> list[bool]:
        if not entries or not ack:
            return await super().route(entries, ack=ack)
        half = len(entries) // 2
        routed = await super().route(entries[:half], ack=False)
        await asyncio.sleep(self.stall_s)
        routed += await super().route(entries[half:])
        await self._ack(entries[:half])
        return routed


if __name__ == "__main__":
    consumer, StallingRouter.stall_s = sys.argv[1], float(sys.argv[2])
    uvloop.run(serve_router(Settings(), consumer, router_type=StallingRouter))
