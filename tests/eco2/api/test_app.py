"""The assembled app: health, readiness, metrics, SSE through the gateway, failed publishes."""

from __future__ import annotations

import httpx
from cloudevents.http import CloudEvent
from redis import asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.db import create_engine, session_factory
from domains.scan.service import ScanJobService
from eco2.api import ScanPublisher, create_app
from eco2.settings import Settings
from eventing.progress import ProgressKeys, ProgressPublisher
from tests.eco2.api.conftest import png
from tests.eventing.gateway.support import read_stream, running_router, serve_app, until


class BrokenTransport(ScanPublisher):
    """A transport that refuses every event (broker down)."""

    async def publish(self, event: CloudEvent) -> None:
        raise ConnectionError("broker unreachable")

    async def waiting(self) -> int:
        raise ConnectionError("broker unreachable")  # admission then admits: publish decides


async def test_health_readiness_and_metrics(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json()["status"] == "ok"
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {"redis": True, "postgres": True, "pipeline": True},
    }
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    assert "eco2_sse" in metrics.text


async def test_a_publish_that_fails_fails_the_job(
    redis: aioredis.Redis,
    sessions: async_sessionmaker[AsyncSession],
    api_settings: Settings,
    stored: list[bytes],
    user: str,
    auth_headers: dict[str, str],
) -> None:
    app = create_app(api_settings, redis=redis, sessions=sessions, publish=BrokenTransport())
    data = png()
    stored.append(data)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            response = await client.post(
                "/api/v1/scans",
                files={"image": ("p.png", data, "image/png")},
                headers=auth_headers,
            )
            assert response.status_code == 503
            assert response.json()["error"]["code"] == "pipeline_unavailable"
            [job] = await ScanJobService(sessions).list_jobs(user)
            status = await client.get(f"/api/v1/scans/{job.job_id}", headers=auth_headers)
    assert status.status_code == 200
    assert status.json()["status"] == "failed"
    assert "broker unreachable" in status.json()["failure_reason"]


async def test_sse_follows_a_job_across_needs_input_and_answer(
    redis: aioredis.Redis,
    sessions: async_sessionmaker[AsyncSession],
    api_settings: Settings,
    stored: list[bytes],
    user: str,
    auth_headers: dict[str, str],
) -> None:
    app = create_app(api_settings, redis=redis, sessions=sessions)
    keys = ProgressKeys(api_settings.shards, api_settings.progress.key_prefix)
    stages = ProgressPublisher(redis, keys)  # what the stage workers' ScanProgress writes
    data = png()
    stored.append(data)
    async with (
        running_router(redis, api_settings),
        serve_app(app) as base,
        httpx.AsyncClient(base_url=base, timeout=10, headers=auth_headers) as client,
    ):
        accepted = await client.post(
            "/api/v1/scans",
            files={"image": ("p.png", data, "image/png")},
            headers=auth_headers,
        )
        job_id = accepted.json()["job_id"]
        events_url = accepted.json()["events_url"]
        await stages.emit(job_id, "vision", "started", 0)
        await stages.emit(job_id, "needs_input", "needs_input", 0, {"question": "무엇인가요?"})
        await ScanJobService(sessions).needs_input(job_id, "무엇인가요?")

        first = await read_stream(client, events_url)
        assert first.ended
        assert [event.event for event in first.events] == ["queued", "vision", "needs_input"]
        assert first.events[-1].json["payload"] == {"question": "무엇인가요?"}

        answered = await client.post(f"/api/v1/scans/{job_id}/answer", json={"text": "캔"})
        assert answered.status_code == 202

        async def routed() -> bool:
            return int(await redis.hget(keys.state(job_id), "seq") or 0) > first.events[-1].seq

        await until(routed, within=5)
        await stages.emit(job_id, "done", "completed", 100, {"answer": "캔은 금속류"})
        again = await read_stream(client, events_url, last_event_id=first.last_id)
        assert again.ended
        assert [(event.event, event.seq) for event in again.events] == [("queued", 4), ("done", 5)]


async def test_an_exhausted_database_pool_is_503_busy_not_500(
    redis: aioredis.Redis, api_settings: Settings, pg_schema: str, auth_headers: dict[str, str]
) -> None:
    # At 1,000 VU on two cores the API's pool waits ran out and clients got a bare 500.
    engine = create_engine(
        api_settings.database_url, pg_schema, pool_size=1, max_overflow=0, pool_timeout=0.2
    )
    app = create_app(api_settings, redis=redis, sessions=session_factory(engine))
    try:
        async with app.router.lifespan_context(app), engine.connect():  # holds the only one
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
                response = await client.get("/api/v1/scans/any-job", headers=auth_headers)
    finally:
        await engine.dispose()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["error"]["code"] == "busy"


def test_fastapi_native_telemetry_is_decided_at_start_up(api_settings: Settings) -> None:
    # Off by default, so FastAPI does not ask the OpenTelemetry providers on every request;
    # ECO2_API_TELEMETRY=true hands FastAPI its defaults back. (Reads FastAPI's resolved
    # config: with no provider installed here, both apps behave alike on the wire.)
    quiet = create_app(api_settings)
    traced = create_app(api_settings.model_copy(update={"api_telemetry": True}))
    assert [quiet._telemetry[k] for k in ("tracing", "metrics", "logs")] == [False] * 3
    assert [traced._telemetry[k] for k in ("tracing", "metrics", "logs")] == [True] * 3
