"""The SSE gateway: ``GET /api/v1/{service}/{job_id}/events`` over the event bus layer.

``create_app`` builds a FastAPI app whose lifespan opens the gateway's Pub/Sub feed (one
connection for all shard channels) before the first request and closes every stream at
shutdown. Routes: the event stream, ``/healthz`` and ``/metrics`` (Prometheus).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Literal, Protocol

from fastapi import FastAPI, Header, Query, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis import asyncio as aioredis
from starlette.background import BackgroundTask

from eventing import metrics
from eventing.gateway.hub import Hub
from eventing.gateway.listener import JobSubscription, ShardListener
from eventing.gateway.response import SSEResponse
from eventing.gateway.settings import GatewaySettings
from eventing.gateway.store import ReplayStore
from eventing.gateway.stream import StreamPlan, job_stream
from eventing.progress import ProgressKeys, connect
from eventing.settings import ProgressSettings

# Services whose jobs report through the progress log.
SERVICES = frozenset({"scans", "chat"})
# A job id as services make them (hex, uuid, ulid…); anything else is no job of ours. ``isdigit``
# would accept "²" or "①", and a seq of thousands of digits costs a big-int parse for nothing.
JOB_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
SEQ = re.compile(r"[0-9]{1,18}")
# May this request follow this job's stream? (service, job_id, request) -> bool. The gateway knows
# no users: the process composing it (eco2/api/app.py) decides. False answers the same 404 as an
# unknown job (ids do not leak); it may raise for the app's handlers (401 without a token).
Authorizer = Callable[[str, str, Request], Awaitable[bool]]


def resume_point(raw: str) -> int | None:
    """The seq a client resumes after, or None when ``raw`` is not one: ASCII digits only
    (``str.isdigit`` would take '²' and '①') and at most 18 of them (a 64-bit seq)."""
    return int(raw) if SEQ.fullmatch(raw) else None


class GatewayConfig(Protocol):
    """What the gateway reads of a process's settings."""

    @property
    def redis_url(self) -> str: ...
    @property
    def shards(self) -> int: ...
    @property
    def progress(self) -> ProgressSettings: ...
    @property
    def gateway(self) -> GatewaySettings: ...


class Gateway:
    """The gateway's state: Redis clients, the hub of connected clients and the shard feed.

    ``channels="job"`` (a Pub/Sub subscription per client) exists only as the benchmark's
    baseline for the shard fan-out; a deployment always runs ``shard``.
    """

    def __init__(
        self,
        settings: GatewayConfig,
        redis: aioredis.Redis | None = None,
        *,
        channels: Literal["shard", "job"] = "shard",
    ) -> None:
        self.settings = settings
        self.options = settings.gateway
        self.channels = channels
        self.keys = ProgressKeys(settings.shards, settings.progress.key_prefix)
        name = self.options.client_name
        self.redis = redis or connect(
            settings.redis_url, max_connections=self.options.redis_pool, client_name=name
        )
        self._owns_redis = redis is None
        # Pub/Sub connections are held for their whole life, so they get their own unbounded
        # pool (one connection in shard mode, one per client in the job-mode baseline).
        self.pubsub_redis = connect(
            settings.redis_url, max_connections=None, client_name=name, socket_timeout=None
        )
        self.hub = Hub(self.options.client_queue)
        self.store = ReplayStore(self.redis, self.keys)
        self.listener: ShardListener | None = None
        if channels == "shard":
            self.listener = ShardListener(self.pubsub_redis, self.keys.shard_channels(), self.hub)

    async def start(self) -> None:
        if self.listener is not None:
            await self.listener.start()

    def close_streams(self) -> None:
        """End every open stream now; clients resume elsewhere with Last-Event-ID."""
        self.hub.close_all("shutdown")

    async def stop(self) -> None:
        self.close_streams()
        if self.listener is not None:
            await self.listener.stop()
        await self.pubsub_redis.aclose()
        if self._owns_redis:
            await self.redis.aclose()

    async def open(self, job_id: str, after: int) -> StreamPlan | None:
        """Subscribe a client, then read the log (that order leaves no gap); None if unknown."""
        subscriber = self.hub.subscribe(job_id)
        job_feed: JobSubscription | None = None
        closed = False

        async def cleanup() -> None:
            nonlocal closed
            if closed:
                return
            closed = True
            self.hub.unsubscribe(subscriber)
            if job_feed is not None:
                await job_feed.close()
            if counted:
                metrics.SSE_CLIENTS.dec()

        counted = False
        try:
            if self.channels == "job":
                job_feed = JobSubscription(
                    self.pubsub_redis, self.keys.job_channel(job_id), subscriber
                )
                await job_feed.start()
            snapshot = await self.store.snapshot(job_id, after)
        except BaseException:
            await cleanup()
            raise
        if not snapshot.exists:
            await cleanup()
            return None
        counted = True
        metrics.SSE_CLIENTS.inc()
        return StreamPlan(
            job_id=job_id,
            after=after,
            snapshot=snapshot,
            subscriber=subscriber,
            store=self.store,
            gap_check_s=self.options.gap_check_s,
            gap_timeout_s=self.options.gap_timeout_s,
            cleanup=cleanup,
        )


def create_app(
    settings: GatewayConfig,
    redis: aioredis.Redis | None = None,
    *,
    channels: Literal["shard", "job"] = "shard",
    authorize: Authorizer | None = None,
) -> FastAPI:
    """The gateway app; ``redis`` (optional) is used for replay reads instead of a new pool.

    ``authorize`` is asked before a stream opens; without one every known job's stream is open
    (the gateway alone, behind a mesh that checked the caller).
    """
    gateway = Gateway(settings, redis, channels=channels)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await gateway.start()
        try:
            yield
        finally:
            await gateway.stop()

    app = FastAPI(title="Eco² SSE gateway", lifespan=lifespan)
    app.state.gateway = gateway

    @app.get(
        "/api/v1/{service}/{job_id}/events",
        response_model=None,
        response_class=StreamingResponse,
        responses={
            200: {"content": {"text/event-stream": {}}, "description": "The job's events."},
            400: {"description": "Last-Event-ID is not a seq."},
            404: {"description": "Unknown service or job."},
        },
    )
    async def events(
        service: str,
        job_id: str,
        request: Request,
        last_event_id: str | None = Header(None, alias="Last-Event-ID"),
        last_event_id_query: str | None = Query(None, alias="last_event_id"),
    ) -> Response:
        """The job's progress as SSE; see docs/sse.md for the contract."""
        if service not in SERVICES:
            return JSONResponse({"detail": f"unknown service {service!r}"}, status_code=404)
        if not JOB_ID.fullmatch(job_id):  # checked before any store is asked
            return JSONResponse({"detail": f"unknown job {job_id!r}"}, status_code=404)
        after = resume_point(last_event_id or last_event_id_query or "0")
        if after is None:
            return JSONResponse(
                {"detail": "Last-Event-ID must be a seq: 1 to 18 ASCII digits"}, status_code=400
            )
        if authorize is not None and not await authorize(service, job_id, request):
            return JSONResponse({"detail": f"unknown job {job_id!r}"}, status_code=404)
        plan = await gateway.open(job_id, after)
        if plan is None:
            return JSONResponse({"detail": f"unknown job {job_id!r}"}, status_code=404)
        cleanup = BackgroundTask(plan.cleanup)
        plan.ping_s = gateway.options.ping_s
        return SSEResponse(
            job_stream(plan), send_timeout_s=gateway.options.send_timeout_s, background=cleanup
        )

    @app.get("/healthz")
    async def healthz() -> dict[str, object]:
        return {"status": "ok", "mode": gateway.channels, "clients": len(gateway.hub)}

    @app.get("/metrics", response_class=PlainTextResponse)
    async def prometheus() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
