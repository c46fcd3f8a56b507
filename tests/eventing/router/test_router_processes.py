"""Router processes: one SIGKILLed mid-batch, another claims its entries; none lost or doubled."""

from __future__ import annotations

import asyncio
import signal
import sys

import httpx

from eco2.settings import Settings
from eventing.gateway import create_app
from eventing.progress import ProgressPublisher
from tests.eventing.gateway.support import emit_stages, read_stream, serve_app, spawn, until


async def test_router_killed_mid_batch_loses_nothing_and_doubles_nothing(
    redis, settings_bus: Settings, publisher: ProgressPublisher, prefix: str
) -> None:
    stages = ["queued"] + ["vision"] * 8 + ["done"]
    await publisher.register_job("k")
    stream_key = publisher.keys.stream(publisher.keys.shard("k"))
    procs = []
    try:
        # The read waits out the claim (no event meanwhile); ``within`` bounds the whole read.
        timeout = httpx.Timeout(5, read=30)
        app = create_app(settings_bus)
        async with serve_app(app) as base, httpx.AsyncClient(timeout=timeout) as client:
            reader = asyncio.create_task(
                read_stream(client, f"{base}/api/v1/scans/k/events", within=30)
            )
            await emit_stages(publisher, "k", stages)
            # Router A reads all 10, publishes the first 5 without acking, then stalls.
            stalling = [sys.executable, "-m", "tests.eventing.router.stalling_router"]
            procs.append(spawn(["A", "60"], settings_bus, argv0=stalling))

            async def half_published() -> bool:
                return await redis.zcard(f"{prefix}progress:replay:k") >= 5

            await until(half_published, within=20)
            assert (await redis.xpending(stream_key, "router"))["pending"] == 10
            procs[0].kill(signal.SIGKILL)
            assert procs[0].popen.returncode == -signal.SIGKILL
            # Router B claims all 10 once they are idle: 5 are duplicates, 5 are new.
            procs.append(spawn(["router", "--consumer", "B"], settings_bus))
            stream = await reader
    finally:
        for proc in procs:
            proc.kill(signal.SIGTERM)
    assert stream.seqs == list(range(1, 11))
    assert stream.ended and stream.events[-1].event == "done"
    assert await redis.zcard(f"{prefix}progress:replay:k") == 10
    assert (await redis.xpending(stream_key, "router"))["pending"] == 0
    assert procs[1].popen.returncode == 0  # B stopped cleanly on SIGTERM
