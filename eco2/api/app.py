"""The scan API app: scan routes, the gateway's SSE stream and /metrics on one server.

``create_app`` wires everything in a lifespan (Starlette 1.x has no startup hooks): Redis, the
PostgreSQL engine (migrated and seeded; idempotent, so every replica may do it), the image
store, the progress publisher, the pipeline publisher and the SSE gateway. The gateway is the
one from ``eventing.gateway``: its routes are included after ours and its lifespan runs inside
ours, so ``GET /api/v1/scans/{job_id}/events`` is the very same stream ``eco2 gateway`` serves.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from typing import Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.telemetry import TelemetryConfig
from redis import asyncio as aioredis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.auth.oauth import OAuthLogin
from domains.auth.service import AuthService
from domains.character.catalogue import prepare_database
from domains.character.service import CharacterService
from domains.chat.service import ChatService
from domains.db import engine_from_settings, session_factory
from domains.image import BlobStore, ImageStore, RedisImageStore
from domains.image.owners import ImageOwners
from domains.image.service import ImageService, blob_store
from domains.info.service import InfoService
from domains.location.kakao import PlaceSource, place_source
from domains.location.service import LocationService
from domains.scan.service import ScanJobService
from domains.users.service import UserService
from eco2.api import auth, chat_routes, errors, identity, oauth, users
from eco2.api.admission import Admission
from eco2.api.chat_routes import ChatApi, ChatPublisher, open_chat_publisher
from eco2.api.identity import AuthApi
from eco2.api.images import IMAGES, ImagesApi
from eco2.api.images import install as images_install
from eco2.api.images import router as images_router
from eco2.api.limits import UploadLimit
from eco2.api.places import PlacesApi, info, locations, reminders
from eco2.api.publish import ScanPublisher, open_publisher
from eco2.api.routes import SCANS, ScanApi, router
from eco2.api.streams import OwnerLookup, stream_authorizer
from eco2.api.sweeper import Sweeper
from eco2.api.text_guard import TextGuard
from eco2.api.web import mount_web
from eco2.settings import Settings
from eventing.bus.redis import connect as connect_binary
from eventing.gateway import create_app as create_gateway
from eventing.progress import ProgressKeys, ProgressPublisher, connect

READY_TIMEOUT_S = 2.0
SHARED = frozenset({"/api/v1/{service}/{job_id}/events", "/metrics"})
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def create_app(
    settings: Settings,
    *,
    redis: aioredis.Redis | None = None,
    sessions: async_sessionmaker[AsyncSession] | None = None,
    publish: ScanPublisher | None = None,
    images: ImageStore | None = None,
    channels: Literal["shard", "job"] = "shard",
    chat_publish: ChatPublisher | None = None,
    places: PlaceSource | None = None,
    blobs: BlobStore | None = None,
) -> FastAPI:
    """The API; each argument given replaces what the lifespan would otherwise open.

    ``redis`` is a ``decode_responses`` client (progress log and gateway reads); ``sessions``
    must point at a migrated schema; ``publish`` replaces the transport chosen by
    ``settings.pipeline``; ``images`` replaces the Redis image store (``eco2:image:<ref>``, the
    keys the vision function reads). ``channels="job"`` is the benchmark's baseline only.
    ``chat_publish`` replaces the chat turns' transport (``eco2.api.chat_routes``).
    ``blobs`` replaces the store where images live (``settings.image``: filesystem or S3).
    """
    gateway_redis = redis or connect(settings.redis_url, client_name="eco2-api")

    def owners(request: Request) -> dict[str, OwnerLookup]:
        state = request.app.state
        return {"scans": state.scan.jobs.owner, "chat": state.chat.chats.owner_of_job}

    authorize = stream_authorizer(owners)
    gateway_app = create_gateway(settings, gateway_redis, channels=channels, authorize=authorize)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if redis is None:
                stack.push_async_callback(gateway_redis.aclose)
            api_sessions = sessions
            if api_sessions is None:
                engine = engine_from_settings(settings)
                stack.push_async_callback(engine.dispose)
                await prepare_database(engine, settings.database_schema)
                api_sessions = session_factory(engine)
            store = images
            if store is None:
                binary = connect_binary(settings.redis_url, max_connections=16)
                stack.push_async_callback(binary.aclose)
                store = RedisImageStore(binary)
            publisher = publish
            if publisher is None:  # a ScanPublisher is never falsy: the same as ``or``
                publisher = await stack.enter_async_context(open_publisher(settings))
            admission = Admission(
                publisher.waiting,
                settings.api_max_waiting_scans,
                settings.api_admission_interval_s,
            )
            await stack.enter_async_context(admission.running())
            source = places
            if source is None:
                source = place_source(settings.location)
                stack.push_async_callback(source.aclose)
            owners = ImageOwners(api_sessions)
            blob_home = blobs
            if blob_home is None:
                blob_home = blob_store(settings.image)
                stack.push_async_callback(blob_home.aclose)
            app.state.images = ImagesApi(
                service=ImageService(
                    blob_home,
                    max_bytes=settings.vision.max_image_bytes,
                    max_pixels=settings.vision.max_image_pixels,
                    presign_expiry_s=settings.image.presign_expiry_s,
                ),
                handoff=store,
                owners=owners,
            )
            app.state.oauth = OAuthLogin(settings.oauth, gateway_redis)
            app.state.auth = AuthApi(
                settings=settings.auth,
                service=AuthService(settings.auth, gateway_redis, UserService(api_sessions)),
                owners=owners,
                images=store,
            )
            app.state.characters = CharacterService(api_sessions)
            app.state.places = PlacesApi(
                locations=LocationService(api_sessions, settings.location, source),
                info=InfoService(api_sessions),
            )
            progress = settings.progress
            app.state.scan = ScanApi(
                settings=settings,
                sessions=api_sessions,
                jobs=ScanJobService(api_sessions),
                images=store,
                blobs=blob_home,
                progress=ProgressPublisher(
                    gateway_redis,
                    ProgressKeys(settings.shards, progress.key_prefix),
                    maxlen=progress.stream_maxlen,
                    ttl_s=progress.replay_ttl_s,
                    registered=True,  # submit and chat register each job first
                ),
                publisher=publisher,
                admission=admission,
            )
            if settings.api_sweep_interval_s > 0:
                api: ScanApi = app.state.scan
                sweeper = Sweeper(
                    api.jobs,
                    api.progress,
                    chats=ChatService(api_sessions),
                    grace_s=settings.api_sweep_grace_s,
                    interval_s=settings.api_sweep_interval_s,
                )
                await stack.enter_async_context(sweeper.running())
            chat_publisher = chat_publish
            if chat_publisher is None:
                chat_publisher = await stack.enter_async_context(open_chat_publisher(settings))
            app.state.chat = ChatApi(
                chats=ChatService(api_sessions),
                progress=app.state.scan.progress,
                publisher=chat_publisher,
                images=store,
                owners=owners,
            )
            await stack.enter_async_context(gateway_app.router.lifespan_context(gateway_app))
            yield

    app = FastAPI(
        title="Eco² scan API",
        description="Upload a photo, follow its scan over SSE, read the result (docs/api.md).",
        lifespan=lifespan,
        # Decided once here: FastAPI otherwise asks the OpenTelemetry providers on every
        # request (and every SSE connection) whether any is configured.
        telemetry=None if settings.api_telemetry else NO_TELEMETRY,
    )
    app.state.gateway = gateway_app.state.gateway
    app.add_middleware(
        UploadLimit, max_bytes=settings.vision.max_image_bytes, paths=frozenset({SCANS, IMAGES})
    )
    app.add_middleware(TextGuard)
    errors.install(app)
    identity.install(app)
    for kind in chat_routes.CHAT_ERRORS:
        app.add_exception_handler(kind, chat_routes.chat_error)
    oauth.install(app)
    images_install(app)
    app.include_router(auth.router)
    app.include_router(oauth.router)
    app.include_router(images_router)
    app.include_router(auth.ext_authz)
    app.include_router(users.router)
    app.include_router(router)
    app.include_router(chat_routes.router)
    for places_router in (locations, info, reminders):
        app.include_router(places_router)

    pid = os.getpid()

    @app.get("/healthz")
    async def healthz() -> dict[str, object]:
        """The process is up (no dependency checked); ``pid`` tells replicas on one port apart."""
        gateway = app.state.gateway
        clients = len(gateway.hub)
        return {
            "status": "ok",
            "mode": gateway.channels,
            "clients": clients,
            "pid": pid,
        }

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        """Redis, PostgreSQL and the pipeline transport all answer: 200, else 503."""
        api: ScanApi = request.app.state.scan
        checks: dict[str, bool] = {}
        for name, probe in (
            ("redis", _redis_ok(gateway_redis)),
            ("postgres", _postgres_ok(api)),
            ("pipeline", api.publisher.ready()),
        ):
            try:
                async with asyncio.timeout(READY_TIMEOUT_S):
                    checks[name] = bool(await probe)
            except Exception:
                checks[name] = False
        ready = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "unavailable", "checks": checks},
            status_code=200 if ready else 503,
        )

    # The gateway's SSE stream and /metrics; its /healthz and docs routes stay its own.
    app.router.routes.extend(
        route for route in gateway_app.router.routes if getattr(route, "path", "") in SHARED
    )
    identity.document_auth(app, frozenset({"/api/v1/{service}/{job_id}/events"}))
    mount_web(app, settings.api_web_dist)  # last: its fallback must not shadow an API route
    return app


async def _redis_ok(redis: aioredis.Redis) -> bool:
    return bool(await redis.ping())


async def _postgres_ok(api: ScanApi) -> bool:
    async with api.sessions() as session:
        return (await session.scalar(text("SELECT 1"))) == 1
