"""Who is calling: the ``CurrentUser`` dependency every user-scoped route takes.

The caller is the subject of an access token sent as ``Authorization: Bearer`` or in the
``eco2_access`` cookie (the web page's EventSource cannot set headers). ``x-user-id`` is believed
only with ``ECO2_AUTH__TRUST_MESH_HEADER=true``: then the mesh's ext-authz (``/ext-authz``) has
checked the token and injected it, and the ingress strips whatever a client sent. The security
schemes declared here put the auth on every route of the OpenAPI document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from domains.auth import USER_HEADER
from domains.auth.exceptions import (
    InvalidCredentials,
    InvalidToken,
    RateLimited,
    TokenRevoked,
)
from domains.auth.service import AuthService
from domains.auth.settings import AuthSettings
from domains.auth.tokens import Claims
from domains.character.exceptions import CharacterNotFound
from domains.image import ImageStore
from domains.image.owners import ImageOwners
from domains.users.exceptions import EmailTaken, UserNotFound
from eco2.api.errors import error_response

ACCESS_COOKIE = "eco2_access"
REFRESH_COOKIE = "eco2_refresh"

bearer = HTTPBearer(auto_error=False, description="An access token from /api/v1/auth/login.")
access_cookie = APIKeyCookie(
    name=ACCESS_COOKIE, auto_error=False, description="The access token login sets as a cookie."
)
mesh_header = APIKeyHeader(
    name=USER_HEADER,
    auto_error=False,
    description="Injected by the mesh's ext-authz; trusted only when ECO2_AUTH__TRUST_MESH_HEADER.",
)


class NotAuthenticated(InvalidToken):
    """No token at all."""


@dataclass
class AuthApi:
    """What the auth and users routes need (``request.app.state.auth``)."""

    settings: AuthSettings
    service: AuthService
    owners: ImageOwners
    images: ImageStore


def auth_api(request: Request) -> AuthApi:
    return request.app.state.auth


def token_of(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(ACCESS_COOKIE)


async def claims_of(request: Request, service: AuthService | None = None) -> Claims:
    """The verified claims of the caller's access token (401 without a valid one)."""
    token = token_of(request)
    if not token:
        raise NotAuthenticated("sign in: send Authorization: Bearer <access token>")
    return await (service or auth_api(request).service).authenticate(token)


async def caller_of(request: Request, service: AuthService | None = None) -> str:
    """The caller's user id: the mesh's header when trusted, else the token's subject.
    ``service`` defaults to the app's (``app.state.auth``)."""
    service = service or auth_api(request).service
    if service.settings.trust_mesh_header and (mesh_user := request.headers.get(USER_HEADER)):
        return mesh_user
    return (await claims_of(request, service)).sub


# The security dependencies are declared (unused) so the OpenAPI document shows each route's
# auth; the reading itself is ``claims_of``/``caller_of``, shared with the SSE authorizer.
async def current_claims(
    request: Request,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    _cookie: Annotated[str | None, Depends(access_cookie)],
) -> Claims:
    return await claims_of(request)


async def current_user(
    request: Request,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    _cookie: Annotated[str | None, Depends(access_cookie)],
    _mesh: Annotated[str | None, Depends(mesh_header)],
) -> str:
    return await caller_of(request)


CurrentUser = Annotated[str, Depends(current_user)]
CurrentClaims = Annotated[Claims, Depends(current_claims)]

AUTH_ERRORS: dict[type[Exception], tuple[int, str]] = {
    NotAuthenticated: (401, "not_authenticated"),
    InvalidToken: (401, "invalid_token"),
    TokenRevoked: (401, "token_revoked"),
    InvalidCredentials: (401, "invalid_credentials"),
    EmailTaken: (409, "email_taken"),
    UserNotFound: (404, "not_found"),
    CharacterNotFound: (404, "not_found"),
}


async def _auth_error(request: Request, exc: Exception) -> JSONResponse:
    status, code = AUTH_ERRORS[type(exc)]
    response = error_response(status, code, str(exc))
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def _rate_limited(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RateLimited)
    response = error_response(429, "rate_limited", str(exc))
    response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


def install(app: FastAPI) -> None:
    for kind in AUTH_ERRORS:
        app.add_exception_handler(kind, _auth_error)
    app.add_exception_handler(RateLimited, _rate_limited)


def document_auth(app: FastAPI, paths: frozenset[str]) -> None:
    """Show the token (header or cookie) on routes whose auth is not a dependency FastAPI sees:
    the gateway's SSE stream, authorized inside the gateway by the app's authorizer."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = build()
            for path in paths:
                for operation in spec.get("paths", {}).get(path, {}).values():
                    operation["security"] = [{"HTTPBearer": []}, {"APIKeyCookie": []}]
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override
