"""The auth endpoints: sign-up, login, refresh, logout, the dev login, and the ext-authz check.

Login, refresh and the dev login answer the token pair in the body and also set it as HttpOnly,
SameSite=Lax cookies (``eco2_access`` for every path, ``eco2_refresh`` for the auth paths only),
Secure when ``ECO2_AUTH__COOKIE_SECURE`` (off for a plain http://127.0.0.1 page).

``/ext-authz/...`` speaks Envoy's HTTP ext_authz contract: the mesh forwards each request's
method, path and headers there (``path_prefix: /ext-authz``); 200 with ``x-user-id`` lets it
through with that header, 401 means no or a bad token, 403 a revoked one.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field

from domains.auth import USER_HEADER
from domains.auth.exceptions import InvalidToken, TokenRevoked
from domains.auth.tokens import Claims, TokenPair
from domains.users.schemas import LoginIn, SignupIn, UserView
from eco2.api.errors import error_response
from eco2.api.identity import (
    ACCESS_COOKIE,
    REFRESH_COOKIE,
    NotAuthenticated,
    access_cookie,
    auth_api,
    bearer,
    token_of,
)
from eco2.api.schemas import ErrorOut

AUTH = "/api/v1/auth"
EXT_AUTHZ = "/ext-authz"
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut} for status in (401, 404, 409, 422)
}

router = APIRouter(prefix=AUTH, tags=["auth"], responses=ERRORS)
ext_authz = APIRouter(tags=["auth"])


class RefreshIn(BaseModel):
    """The refresh token; a web page leaves the body out and sends its cookie instead."""

    model_config = ConfigDict(extra="forbid")

    refresh_token: str | None = Field(None, max_length=4096)


class DevLoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nickname: str = Field(min_length=1, max_length=64)


def token_response(request: Request, pair: TokenPair) -> JSONResponse:
    """The pair as the body and as the two cookies: every sign-in answers this way (an OAuth
    callback too, after ``AuthService.issue_tokens``)."""
    settings = auth_api(request).settings
    response = JSONResponse(pair.model_dump())
    for name, value, ttl, path in (
        (ACCESS_COOKIE, pair.access_token, pair.expires_in, "/"),
        (REFRESH_COOKIE, pair.refresh_token, pair.refresh_expires_in, AUTH),
    ):
        response.set_cookie(
            name,
            value,
            max_age=ttl,
            path=path,
            httponly=True,
            samesite="lax",
            secure=settings.cookie_secure,
        )
    return response


@router.post("/signup", status_code=201, response_model=UserView)
async def signup(body: SignupIn, request: Request) -> UserView:
    """A new account with email and password; 409 when the email has one."""
    return await auth_api(request).service.signup(body.email, body.password, body.nickname)


@router.post("/login", response_model=TokenPair, responses={401: {"model": ErrorOut}})
async def login(body: LoginIn, request: Request) -> JSONResponse:
    """Email and password for an access and a refresh token (body and cookies)."""
    return token_response(request, await auth_api(request).service.login(body.email, body.password))


@router.post("/refresh", response_model=TokenPair)
async def refresh(
    request: Request, body: Annotated[RefreshIn | None, Body()] = None
) -> JSONResponse:
    """Spend a refresh token for a new pair; a spent one sent again revokes its whole family."""
    token = (body.refresh_token if body else None) or request.cookies.get(REFRESH_COOKIE)
    if not token:
        raise NotAuthenticated("send the refresh token (body or eco2_refresh cookie)")
    return token_response(request, await auth_api(request).service.refresh(token))


@router.post("/logout", status_code=204)
async def logout(
    request: Request,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    _cookie: Annotated[str | None, Depends(access_cookie)],
    body: Annotated[RefreshIn | None, Body()] = None,
) -> Response:
    """Revoke the access token and its refresh family, and clear the cookies."""
    service = auth_api(request).service
    token = token_of(request)
    claims: Claims | None = None
    if token:
        try:
            claims = service.codec.decode(token, "access")
        except InvalidToken:
            claims = None  # an expired token may still log out its refresh family below
    refresh_token = (body.refresh_token if body else None) or request.cookies.get(REFRESH_COOKIE)
    await service.logout(claims, refresh_token)
    response = Response(status_code=204)
    response.delete_cookie(ACCESS_COOKIE, path="/")
    response.delete_cookie(REFRESH_COOKIE, path=AUTH)
    return response


@router.post("/dev-login", response_model=TokenPair, include_in_schema=True)
async def dev_login(body: DevLoginIn, request: Request) -> JSONResponse:
    """A nickname, no password (the demo, the local web page); 404 unless
    ``ECO2_AUTH__DEV_LOGIN=true``."""
    api = auth_api(request)
    if not api.settings.dev_login:
        return error_response(404, "not_found", "no such route")
    return token_response(request, await api.service.dev_login(body.nickname))


@ext_authz.api_route(
    EXT_AUTHZ + "/{path:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
    include_in_schema=False,
)
async def check(request: Request) -> Response:
    """Envoy ext_authz (HTTP): 200 + ``x-user-id``, 401 no/bad token, 403 revoked."""
    service = auth_api(request).service
    token = token_of(request)
    if not token:
        return _denied(401, "not_authenticated", "no token")
    try:
        claims = await service.authenticate(token)
    except TokenRevoked as exc:
        return _denied(403, "token_revoked", str(exc))
    except InvalidToken as exc:
        return _denied(401, "invalid_token", str(exc))
    return Response(status_code=200, headers={USER_HEADER: claims.sub})


def _denied(status: int, code: str, message: str) -> JSONResponse:
    response = error_response(status, code, message)
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    return response
