"""OAuth login through the API: the browser's round trip against each provider's local server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from redis import asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from eco2.api import create_app
from eco2.settings import Settings
from tests.oauth_fakes import FakeProvider, FakeUser, fake_servers, providers

__all__ = ["fake_servers", "providers"]

OAUTH = "/api/v1/auth/oauth"
KINDS = ["kakao", "google", "naver"]


def with_providers(settings: Settings, fakes: dict[str, FakeProvider], **only: bool) -> Settings:
    oauth = settings.oauth.model_dump() | {"public_url": "http://api", "timeout_s": 5.0}
    for kind, fake in fakes.items():
        if only.get(kind, True):
            oauth[kind] = fake.urls()
    return settings.model_copy(update={"oauth": type(settings.oauth).model_validate(oauth)})


@pytest.fixture
def oauth_app(
    redis: aioredis.Redis,
    sessions: async_sessionmaker[AsyncSession],
    api_settings: Settings,
    providers: dict[str, FakeProvider],
) -> FastAPI:
    return create_app(with_providers(api_settings, providers), redis=redis, sessions=sessions)


@pytest.fixture
async def browser(oauth_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A signed-out browser on the API (it keeps cookies)."""
    async with oauth_app.router.lifespan_context(oauth_app):
        transport = httpx.ASGITransport(app=oauth_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
            yield http


async def to_provider_and_back(browser: httpx.AsyncClient, kind: str) -> str:
    """Start the login, pass the provider's consent page; the callback URL it sends us to."""
    start = await browser.get(f"{OAUTH}/{kind}/authorize")
    assert start.status_code == 302, start.text
    async with httpx.AsyncClient() as web:  # the provider is a real server on loopback
        consent = await web.get(start.headers["location"])
    assert consent.status_code == 302
    back = consent.headers["location"]
    assert back.startswith(f"http://api{OAUTH}/{kind}/callback?")
    return back


@pytest.mark.parametrize("kind", KINDS)
async def test_a_login_sets_the_cookies_and_goes_to_the_web_app(
    kind: str, browser: httpx.AsyncClient, providers: dict[str, FakeProvider]
) -> None:
    providers[kind].user = FakeUser("90210", f"{kind}@example.com", f"{kind} 사용자")
    callback = await to_provider_and_back(browser, kind)
    landed = await browser.get(callback)
    assert landed.status_code == 302, landed.text
    assert landed.headers["location"] == "/"
    cookies = landed.headers.get_list("set-cookie")
    access = next(c for c in cookies if c.startswith("eco2_access="))
    assert "HttpOnly" in access and "SameSite=lax" in access and "Path=/" in access
    assert any(c.startswith("eco2_refresh=") and "Path=/api/v1/auth" in c for c in cookies)
    me = await browser.get("/api/v1/users/me")  # signed in by the cookie alone
    assert me.status_code == 200, me.text
    assert me.json()["nickname"] == f"{kind} 사용자"
    first = me.json()["user_id"]

    # The same person logging in again is the same account.
    browser.cookies.clear()
    again = await browser.get(await to_provider_and_back(browser, kind))
    assert again.status_code == 302
    assert (await browser.get("/api/v1/users/me")).json()["user_id"] == first


async def test_a_replayed_callback_is_400(browser: httpx.AsyncClient) -> None:
    callback = await to_provider_and_back(browser, "google")
    assert (await browser.get(callback)).status_code == 302
    replay = await browser.get(callback)
    assert replay.status_code == 400
    assert replay.json()["error"]["code"] == "invalid_state"


async def test_a_callback_from_another_browser_is_400(
    oauth_app: FastAPI, browser: httpx.AsyncClient
) -> None:
    callback = await to_provider_and_back(browser, "kakao")
    transport = httpx.ASGITransport(app=oauth_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as victim:
        forced = await victim.get(callback)  # no state cookie: someone else's login link
    assert forced.status_code == 400
    assert forced.json()["error"]["code"] == "invalid_state"
    assert (await browser.get(callback)).status_code == 400  # and the state is burnt


async def test_a_forged_state_is_400(browser: httpx.AsyncClient) -> None:
    response = await browser.get(f"{OAUTH}/naver/callback", params={"code": "c", "state": "x"})
    assert response.status_code == 400


@pytest.mark.parametrize("path", ["authorize", "callback?code=c&state=s"])
async def test_an_unknown_provider_is_404(browser: httpx.AsyncClient, path: str) -> None:
    response = await browser.get(f"{OAUTH}/github/{path}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_provider"


async def test_a_provider_without_a_client_id_is_not_offered(
    redis: aioredis.Redis,
    sessions: async_sessionmaker[AsyncSession],
    api_settings: Settings,
    providers: dict[str, FakeProvider],
) -> None:
    settings = with_providers(api_settings, providers, naver=False)
    app = create_app(settings, redis=redis, sessions=sessions)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as http:
            listed = await http.get("/api/v1/auth/providers")
            assert listed.status_code == 200
            assert listed.json() == {
                "providers": [
                    {"name": "kakao", "authorize_url": f"{OAUTH}/kakao/authorize"},
                    {"name": "google", "authorize_url": f"{OAUTH}/google/authorize"},
                ]
            }
            assert (await http.get(f"{OAUTH}/naver/authorize")).status_code == 404


async def test_a_provider_error_is_502_with_a_sentence(
    browser: httpx.AsyncClient, providers: dict[str, FakeProvider]
) -> None:
    callback = await to_provider_and_back(browser, "kakao")
    providers["kakao"].token_outage = 500
    response = await browser.get(callback)
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["code"] == "provider_error"
    assert error["message"] == "kakao's token endpoint failed (HTTP 500)"
    assert "eco2_access" not in response.headers.get("set-cookie", "")


async def test_a_refused_code_is_502_in_the_providers_words(browser: httpx.AsyncClient) -> None:
    callback = await to_provider_and_back(browser, "naver")
    tampered = callback.replace("code=", "code=x")
    response = await browser.get(tampered)
    assert response.status_code == 502
    assert "no valid data in session" in response.json()["error"]["message"]


async def test_a_declined_consent_is_400(
    browser: httpx.AsyncClient, providers: dict[str, FakeProvider]
) -> None:
    providers["google"].deny = True
    response = await browser.get(await to_provider_and_back(browser, "google"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "login_declined"


async def test_the_authorize_redirect_binds_the_state_to_the_browser(
    browser: httpx.AsyncClient,
) -> None:
    start = await browser.get(f"{OAUTH}/kakao/authorize")
    state = dict(
        part.split("=", 1) for part in urlsplit(start.headers["location"]).query.split("&")
    )["state"]
    cookie = next(
        c for c in start.headers.get_list("set-cookie") if c.startswith("eco2_oauth_state=")
    )
    assert cookie.startswith(f"eco2_oauth_state={state};")
    assert "HttpOnly" in cookie and f"Path={OAUTH}" in cookie and "Max-Age=600" in cookie
