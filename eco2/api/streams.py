"""Who may follow which SSE stream: the gateway's injected authorizer.

The gateway (``eventing.gateway``) knows no users; it asks ``authorize(service, job_id,
request)`` before opening a stream. A stream is its job owner's only: a scan's submitter, or the
user whose chat the turn belongs to. Every service the gateway serves needs its lookup here, or
nobody could follow its streams.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from fastapi import Request

from domains.auth.service import AuthService
from eco2.api.identity import caller_of
from eventing.gateway.app import Authorizer

OwnerLookup = Callable[[str], Awaitable[str | None]]


def stream_authorizer(
    lookups: Callable[[Request], Mapping[str, OwnerLookup]],
    service: Callable[[Request], AuthService | None] = lambda request: None,
) -> Authorizer:
    """An authorizer over per-service owner lookups (resolved per request, since the app's
    services open in its lifespan); the caller comes from ``service`` (default: the app's)."""

    async def authorize(kind: str, job_id: str, request: Request) -> bool:
        user = await caller_of(request, service(request))  # 401 without a valid token
        lookup = lookups(request).get(kind)
        return lookup is not None and await lookup(job_id) == user

    return authorize
