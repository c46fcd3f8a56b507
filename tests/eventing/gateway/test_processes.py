"""Gateway processes: two serving one job, and a restart with Last-Event-ID resume."""

from __future__ import annotations

import asyncio
import signal
import time

import httpx

from eco2.settings import Settings
from eventing.progress import ProgressPublisher
from tests.eventing.gateway.support import (
    STAGES,
    emit_stages,
    read_stream,
    running_router,
    spawn_gateway,
    wait_http,
)


async def test_two_gateways_serve_one_job_to_two_clients(
    redis, settings_bus: Settings, publisher: ProgressPublisher
) -> None:
    gateways = [spawn_gateway(settings_bus), spawn_gateway(settings_bus)]
    try:
        await asyncio.gather(*(wait_http(gw, gw.url) for gw in gateways))  # type: ignore[arg-type]
        await publisher.register_job("two")
        async with running_router(redis, settings_bus), httpx.AsyncClient() as client:
            readers = [
                asyncio.create_task(read_stream(client, f"{gw.url}/api/v1/scans/two/events"))
                for gw in gateways
            ]
            await asyncio.sleep(0.3)
            for stage in STAGES:
                await emit_stages(publisher, "two", [stage])
                await asyncio.sleep(0.02)
            streams = await asyncio.gather(*readers)
    finally:
        for gw in gateways:
            gw.kill(signal.SIGTERM)
    for stream in streams:
        assert stream.seqs == [1, 2, 3, 4, 5, 6]
        assert stream.ended


async def test_gateway_restart_client_resumes_with_last_event_id(
    redis, settings_bus: Settings, publisher: ProgressPublisher, prefix: str
) -> None:
    await publisher.register_job("rs")
    first_gw = spawn_gateway(settings_bus)
    second_gw = None
    try:
        await wait_http(first_gw, first_gw.url)  # type: ignore[arg-type]
        async with running_router(redis, settings_bus), httpx.AsyncClient() as client:
            url = f"{first_gw.url}/api/v1/scans/rs/events"
            reader = asyncio.create_task(read_stream(client, url))
            await asyncio.sleep(0.3)
            await emit_stages(publisher, "rs", STAGES[:3])
            await asyncio.sleep(0.5)
            stopping = time.monotonic()
            first_gw.kill(signal.SIGTERM)  # streams end promptly, the process exits
            stop_s = time.monotonic() - stopping
            first = await reader
            await emit_stages(publisher, "rs", STAGES[3:])  # while no gateway runs
            second_gw = spawn_gateway(settings_bus)
            await wait_http(second_gw, second_gw.url)  # type: ignore[arg-type]
            second = await read_stream(
                client, f"{second_gw.url}/api/v1/scans/rs/events", last_event_id=first.last_id
            )
    finally:
        first_gw.kill(signal.SIGTERM)
        if second_gw is not None:
            second_gw.kill(signal.SIGTERM)
    # uvicorn re-raises the signal once shut down; SIGKILL would mean it hung.
    assert first_gw.popen.returncode == -signal.SIGTERM
    assert stop_s < 5  # open streams did not hold the shutdown
    assert first.ended and first.seqs == [1, 2, 3]
    assert first.seqs + second.seqs == [1, 2, 3, 4, 5, 6]
    assert second.ended
