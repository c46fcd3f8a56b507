"""``eco2 gateway``: serve the SSE gateway with uvicorn until SIGINT/SIGTERM (docs/sse.md).

A stream is its job owner's only, as on the API (eco2/api/streams.py): the caller comes from
the access token (or the mesh's ``x-user-id`` when trusted), the owner from PostgreSQL. The
engine and Redis client open on the first stream, not at start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from eco2.settings import Settings
    from eventing.gateway.app import Authorizer


def owner_authorizer(settings: Settings) -> Authorizer:
    """The API's stream authorizer, over this process's own engine and Redis client."""
    from domains.auth.service import AuthService
    from domains.chat.service import ChatService
    from domains.db import engine_from_settings, session_factory
    from domains.scan.service import ScanJobService
    from domains.users.service import UserService
    from eco2.api.streams import stream_authorizer
    from eventing.progress import connect

    sessions = session_factory(engine_from_settings(settings))
    redis = connect(settings.redis_url, client_name="eco2-gateway-auth")
    auth = AuthService(settings.auth, redis, UserService(sessions))
    lookups = {"scans": ScanJobService(sessions).owner, "chat": ChatService(sessions).owner_of_job}
    return stream_authorizer(lambda request: lookups, lambda request: auth)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, type=int, show_default=True)
@click.option(
    "--channels",
    type=click.Choice(["shard", "job"]),
    default="shard",
    hidden=True,  # "job" is the benchmark's per-job-channel baseline, never a deployment's
)
@click.option(
    "--no-auth",
    is_flag=True,
    hidden=True,  # the fan-out benchmark's and its tests' jobs have no owner rows
    help="Serve every known job's stream to anyone.",
)
def gateway(host: str, port: int, channels: str, no_auth: bool) -> None:
    """Serve GET /api/v1/{service}/{job_id}/events, /healthz and /metrics."""
    from eco2 import logs
    from eco2.api import identity
    from eco2.cli.exposure import require_private_key
    from eco2.settings import get_settings
    from eventing import tracing
    from eventing.gateway import create_app
    from eventing.gateway.serve import run

    settings = get_settings()
    logs.configure(settings.log_level)
    if not no_auth:
        require_private_key(host, settings.auth)
    authorize = None if no_auth else owner_authorizer(settings)
    app = create_app(
        settings, channels="job" if channels == "job" else "shard", authorize=authorize
    )
    identity.install(app)  # the authorizer's 401s
    provider = tracing.configure(settings.tracing, "eco2-gateway")
    try:
        run(app, host, port)
    finally:
        if provider is not None:
            provider.shutdown()  # sends the spans still buffered
