"""OAuth login routes: the configured providers, the redirect to one, and its callback.

``/authorize`` sends the browser to the provider with a one-time state (Redis, TTL) and binds
that state to the browser in a short-lived HttpOnly cookie: a callback must carry both, so a
link someone else started (login CSRF) or a replayed callback is refused with 400 before the
provider is asked anything. The callback exchanges the code, finds or creates the user linked
to the provider's subject, issues the token pair as the login cookies and redirects to the web
app. An unknown or unconfigured provider is 404, a provider that errs or does not answer 502.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel

from domains.auth.exceptions import InvalidState, LoginDeclined, ProviderError, UnknownProvider
from domains.auth.oauth import OAuthLogin
from eco2.api.auth import AUTH, token_response
from eco2.api.errors import error_response
from eco2.api.identity import auth_api
from eco2.api.schemas import ErrorOut

OAUTH = AUTH + "/oauth"
STATE_COOKIE = "eco2_oauth_state"
OAUTH_ERRORS: dict[type[Exception], tuple[int, str]] = {
    UnknownProvider: (404, "unknown_provider"),
    InvalidState: (400, "invalid_state"),
    LoginDeclined: (400, "login_declined"),
    ProviderError: (502, "provider_error"),
}
log = logging.getLogger("eco2.api.oauth")

router = APIRouter(prefix=AUTH, tags=["auth"])


class ProviderOut(BaseModel):
    name: str
    authorize_url: str


class ProvidersOut(BaseModel):
    """The login buttons the web app shows."""

    providers: list[ProviderOut]


def _login(request: Request) -> OAuthLogin:
    return request.app.state.oauth


@router.get("/providers", response_model=ProvidersOut)
async def providers(request: Request) -> ProvidersOut:
    """The OAuth providers this deployment offers (those with a client id)."""
    names = _login(request).providers()
    return ProvidersOut(
        providers=[ProviderOut(name=n, authorize_url=f"{OAUTH}/{n}/authorize") for n in names]
    )


@router.get(
    "/oauth/{provider}/authorize",
    status_code=302,
    response_class=RedirectResponse,
    responses={302: {"description": "To the provider's consent page."}, 404: {"model": ErrorOut}},
)
async def authorize(provider: str, request: Request) -> Response:
    """Start a login: 302 to the provider."""
    login = _login(request)
    url, state = await login.authorize_url(provider)
    response = RedirectResponse(url, status_code=302)
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=login.settings.state_ttl_s,
        path=OAUTH,
        httponly=True,
        samesite="lax",  # sent on the provider's top-level redirect back to us
        secure=auth_api(request).settings.cookie_secure,
    )
    return response


@router.get(
    "/oauth/{provider}/callback",
    status_code=302,
    response_class=RedirectResponse,
    responses={
        302: {"description": "Logged in: the cookies are set, on to the web app."},
        **{status: {"model": ErrorOut} for status in (400, 404, 502)},
    },
)
async def callback(
    provider: str,
    request: Request,
    code: Annotated[str | None, Query(max_length=2048)] = None,
    state: Annotated[str | None, Query(max_length=512)] = None,
    error: Annotated[str | None, Query(max_length=256)] = None,
) -> Response:
    """The provider's redirect back: log the user in (creating the account on first login)."""
    login = _login(request)
    login.settings.provider(provider)  # 404 first: an unknown provider has no state to check
    bound = request.cookies.get(STATE_COOKIE)
    if state is not None and bound != state:
        # Spend it anyway: a state seen out of its browser is burnt.
        await login.discard(state)
        raise InvalidState("this login did not start in this browser; log in again")
    who = await login.identify(provider, code, state, error)
    api = auth_api(request)
    user = await api.service.users.find_or_create_external(
        who.provider, who.subject, who.email, who.nickname
    )
    pair = await api.service.issue_tokens(user.user_id)
    log.info("login via %s: user %s", provider, user.user_id)
    response = RedirectResponse(login.settings.web_url, status_code=302)
    # The very cookies every sign-in sets (eco2/api/auth.py), on the redirect instead of a body.
    for cookie in token_response(request, pair).headers.getlist("set-cookie"):
        response.headers.append("set-cookie", cookie)
    response.delete_cookie(STATE_COOKIE, path=OAUTH)
    return response


async def _oauth_error(request: Request, exc: Exception) -> JSONResponse:
    status, code = OAUTH_ERRORS[type(exc)]
    if status == 502:
        log.warning("oauth: %s", exc)
    return error_response(status, code, str(exc))


def install(app: FastAPI) -> None:
    for kind in OAUTH_ERRORS:
        app.add_exception_handler(kind, _oauth_error)
