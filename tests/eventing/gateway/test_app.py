"""The gateway app on a real uvicorn server, with a real router, on the shared Redis."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from eco2.settings import Settings
from eventing.gateway import create_app
from eventing.progress import ProgressPublisher
from tests.eventing.gateway.support import (
    STAGES,
    bus_settings,
    emit_stages,
    read_stream,
    running_router,
    serve_app,
    until,
)


def url_of(base: str, job_id: str, service: str = "scans") -> str:
    return f"{base}/api/v1/{service}/{job_id}/events"


async def wait_routed(redis, settings: Settings, job_id: str, count: int) -> None:
    key = f"{settings.progress.key_prefix}progress:replay:{job_id}"

    async def routed() -> bool:
        return await redis.zcard(key) >= count

    await until(routed, within=5)


async def test_events_reach_client_in_order_exactly_once(
    redis, settings_bus: Settings, publisher: ProgressPublisher
) -> None:
    await publisher.register_job("job1")
    async with (
        serve_app(create_app(settings_bus)) as base,
        running_router(redis, settings_bus),
        httpx.AsyncClient() as client,
    ):
        reader = asyncio.create_task(read_stream(client, url_of(base, "job1")))
        await asyncio.sleep(0.2)  # connected and waiting live
        await emit_stages(publisher, "job1", STAGES)
        stream = await reader
    assert stream.status == 200
    assert stream.seqs == [1, 2, 3, 4, 5, 6]
    assert [event.event for event in stream.events] == STAGES
    assert stream.events[-1].json == {
        "job_id": "job1",
        "seq": 6,
        "stage": "done",
        "status": "completed",
        "progress": 100,
        "payload": None,
    }
    assert stream.ended  # closed after the terminal event


async def test_reconnect_with_last_event_id_gets_the_rest_once(
    redis, settings_bus: Settings, publisher: ProgressPublisher
) -> None:
    await publisher.register_job("job2")
    async with (
        serve_app(create_app(settings_bus)) as base,
        running_router(redis, settings_bus),
        httpx.AsyncClient() as client,
    ):
        await emit_stages(publisher, "job2", STAGES[:3])
        first = await read_stream(client, url_of(base, "job2"), stop_after=2)
        await emit_stages(publisher, "job2", STAGES[3:])
        second = await read_stream(client, url_of(base, "job2"), last_event_id=first.last_id)
    assert first.seqs == [1, 2]
    assert second.seqs == [3, 4, 5, 6]
    assert second.ended


async def test_unknown_job_is_404_and_unknown_service_too(settings_bus: Settings) -> None:
    async with serve_app(create_app(settings_bus)) as base, httpx.AsyncClient() as client:
        missing = await client.get(url_of(base, "nope"))
        service = await client.get(url_of(base, "nope", service="images"))
        bad_id = await client.get(url_of(base, "nope"), headers={"Last-Event-ID": "x"})
    assert missing.status_code == 404
    assert missing.json() == {"detail": "unknown job 'nope'"}
    assert service.status_code == 404
    assert bad_id.status_code == 400


@pytest.mark.parametrize("raw", ["²", "①", "٣", "1" * 5_000, "-1", "1.5", " 7"])
async def test_a_last_event_id_that_is_not_a_short_ascii_seq_is_400(
    settings_bus: Settings, raw: str
) -> None:
    async with serve_app(create_app(settings_bus)) as base, httpx.AsyncClient() as client:
        response = await client.get(url_of(base, "job1"), params={"last_event_id": raw})
    assert response.status_code == 400 and "ASCII digits" in response.json()["detail"]


@pytest.mark.parametrize("job_id", ["a b", "x" * 200, "잡", "a%00b"])
async def test_a_job_id_outside_the_pattern_is_404_before_any_store(
    settings_bus: Settings, job_id: str
) -> None:
    async with serve_app(create_app(settings_bus)) as base, httpx.AsyncClient() as client:
        response = await client.get(f"{base}/api/v1/scans/{job_id}/events")
    assert response.status_code == 404


async def test_finished_job_replays_everything_then_closes(
    redis, settings_bus: Settings, publisher: ProgressPublisher
) -> None:
    async with running_router(redis, settings_bus):
        await emit_stages(publisher, "job3", ["queued", "vision", "failed"])
        await wait_routed(redis, settings_bus, "job3", 3)
    async with serve_app(create_app(settings_bus)) as base, httpx.AsyncClient() as client:
        full = await read_stream(client, url_of(base, "job3"), within=5)
        chat = await read_stream(client, url_of(base, "job3", service="chat"), within=5)
    assert full.seqs == [1, 2, 3] and full.ended
    assert chat.seqs == [1, 2, 3]  # the generic route serves the same log
    assert full.events[-1].event == "failed"


async def test_resume_after_terminal_event_closes_instead_of_hanging(
    redis, settings_bus: Settings, publisher: ProgressPublisher
) -> None:
    async with running_router(redis, settings_bus):
        await emit_stages(publisher, "job4", STAGES)
        await wait_routed(redis, settings_bus, "job4", 6)
    async with serve_app(create_app(settings_bus)) as base, httpx.AsyncClient() as client:
        after_end = await read_stream(client, url_of(base, "job4"), last_event_id="6", within=3)
    assert after_end.status == 200
    assert after_end.events == [] and after_end.ended


async def test_keepalive_does_not_move_resume_point(
    redis, prefix: str, publisher: ProgressPublisher
) -> None:
    settings = bus_settings(prefix, ping_s=0.1)
    async with running_router(redis, settings):
        await emit_stages(publisher, "job5", ["queued"])
        await wait_routed(redis, settings, "job5", 1)
    async with serve_app(create_app(settings)) as base, httpx.AsyncClient() as client:
        stream = await read_stream(client, url_of(base, "job5"), within=0.8, partial=True)
    assert stream.seqs == [1]
    assert "ping" in stream.comments
    ping_blocks = [block for block in stream.raw_blocks if block[0].startswith(":")]
    assert ping_blocks and all(
        not line.startswith(("id:", "event:")) for block in ping_blocks for line in block
    )
    assert stream.last_id == "1"


async def test_clients_connecting_while_events_flow_get_each_seq_once(
    redis, settings_bus: Settings, publisher: ProgressPublisher
) -> None:
    # The replay/live race: every client subscribes while the job is being routed.
    await publisher.register_job("job6")
    stages = ["queued"] + ["vision"] * 40 + ["done"]
    async with (
        serve_app(create_app(settings_bus)) as base,
        running_router(redis, settings_bus),
        httpx.AsyncClient() as client,
    ):

        async def late_client(delay: float):
            await asyncio.sleep(delay)
            return await read_stream(client, url_of(base, "job6"))

        readers = [asyncio.create_task(late_client(i * 0.01)) for i in range(12)]
        for stage in stages:
            await emit_stages(publisher, "job6", [stage])
            await asyncio.sleep(0.002)
        streams = await asyncio.gather(*readers)
    for stream in streams:
        assert stream.seqs == list(range(1, len(stages) + 1))


async def test_metrics_count_clients_and_replays(
    redis, settings_bus: Settings, publisher: ProgressPublisher
) -> None:
    async with running_router(redis, settings_bus):
        await emit_stages(publisher, "job7", STAGES)
        await wait_routed(redis, settings_bus, "job7", 6)
    async with serve_app(create_app(settings_bus)) as base, httpx.AsyncClient() as client:
        before = await client.get(f"{base}/metrics")
        await read_stream(client, url_of(base, "job7"))
        after = await client.get(f"{base}/metrics")
        health = await client.get(f"{base}/healthz")

    def value(text: str, name: str) -> float:
        line = next(line for line in text.splitlines() if line.startswith(name + " "))
        return float(line.split()[-1])

    replays = "eco2_sse_replays_total"
    assert value(after.text, replays) == value(before.text, replays) + 1
    assert value(after.text, "eco2_sse_replayed_events_total") >= 6
    assert "eco2_sse_clients" in after.text
    assert json.loads(health.text) == {"status": "ok", "mode": "shard", "clients": 0}


async def test_a_log_lost_and_ended_in_a_new_epoch_reaches_a_resuming_client_at_once(
    redis, settings_bus: Settings, publisher: ProgressPublisher
) -> None:
    # The client saw seqs 1-3; then Redis lost the job's log, and its failure was written in a
    # new epoch (seq 1,000,001: eco2/api/sweeper.py). Resuming after 3, the client gets that
    # failure now, not after the gap timeout.
    await publisher.register_job("lost")
    await redis.set(publisher.keys.seq("lost"), 1_000_000)
    async with (
        serve_app(create_app(settings_bus)) as base,
        running_router(redis, settings_bus),
        httpx.AsyncClient() as client,
    ):
        await publisher.emit("lost", "failed", "failed", 25, {"reason": "lost"})
        await until(lambda: routed_seq(redis, publisher, "lost", 1_000_001))
        started = time.monotonic()
        stream = await read_stream(client, url_of(base, "lost"), last_event_id="3", within=5)
    assert stream.seqs == [1_000_001] and stream.ended
    assert time.monotonic() - started < 2


async def routed_seq(redis, publisher: ProgressPublisher, job_id: str, seq: int) -> bool:
    return int(await redis.hget(publisher.keys.state(job_id), "seq") or 0) >= seq
