"""OAuth login against local servers speaking Kakao's, Google's and Naver's wire formats."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import SecretStr
from redis import asyncio as aioredis

from domains.auth.exceptions import InvalidState, LoginDeclined, ProviderError, UnknownProvider
from domains.auth.oauth import OAuthLogin, OAuthSettings
from tests.oauth_fakes import FakeProvider, FakeUser
from tests.s3server import free_port

KINDS = ["kakao", "google", "naver"]


def oauth_settings(fakes: dict[str, FakeProvider], prefix: str, **extra: object) -> OAuthSettings:
    return OAuthSettings(
        **{kind: fake.urls() for kind, fake in fakes.items()},  # type: ignore[arg-type]
        public_url="http://testserver",
        redis_prefix=f"{prefix}oauth:",
        timeout_s=5.0,
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def login(providers: dict[str, FakeProvider], redis: aioredis.Redis, unique: str) -> OAuthLogin:
    return OAuthLogin(oauth_settings(providers, f"{unique}:"), redis)


async def consent(url: str) -> dict[str, str]:
    """What the browser brings back from the provider's consent page: the callback's query."""
    async with httpx.AsyncClient() as browser:
        response = await browser.get(url)
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}".startswith("http://testserver")
    return {k: v[0] for k, v in parse_qs(location.query).items()}


@pytest.mark.parametrize("kind", KINDS)
async def test_a_full_login_names_the_user(
    kind: str, login: OAuthLogin, providers: dict[str, FakeProvider]
) -> None:
    providers[kind].user = FakeUser("4242", "kim@example.com", "김분리")
    url, state = await login.authorize_url(kind)
    back = await consent(url)
    assert back["state"] == state
    who = await login.identify(kind, back["code"], back["state"])
    assert (who.provider, who.subject, who.email, who.nickname) == (
        kind,
        "4242",
        "kim@example.com",
        "김분리",
    )
    form = providers[kind].token_requests[0]
    assert form["client_secret"] == "test-secret"  # client_secret_post
    assert form["redirect_uri"] == f"http://testserver/api/v1/auth/oauth/{kind}/callback"


@pytest.mark.parametrize("kind", KINDS)
async def test_the_authorize_url_carries_client_state_and_redirect(
    kind: str, login: OAuthLogin, providers: dict[str, FakeProvider]
) -> None:
    url, state = await login.authorize_url(kind)
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert url.startswith(providers[kind].urls()["authorize_url"] + "?")
    assert query["client_id"] == "test-client" and query["response_type"] == "code"
    assert query["state"] == state and len(state) >= 32
    assert query["redirect_uri"] == f"http://testserver/api/v1/auth/oauth/{kind}/callback"
    if kind == "google":
        assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
        assert query["scope"] == "openid email profile"
    else:
        assert "code_challenge" not in query


@pytest.mark.parametrize("kind", KINDS)
async def test_a_state_works_once(kind: str, login: OAuthLogin) -> None:
    url, _ = await login.authorize_url(kind)
    back = await consent(url)
    await login.identify(kind, back["code"], back["state"])
    with pytest.raises(InvalidState):
        await login.identify(kind, back["code"], back["state"])


@pytest.mark.parametrize("state", [None, "", "forged-state"])
async def test_an_unknown_state_is_refused_before_the_provider_is_asked(
    state: str | None, login: OAuthLogin, providers: dict[str, FakeProvider]
) -> None:
    with pytest.raises(InvalidState):
        await login.identify("kakao", "some-code", state)
    assert providers["kakao"].token_requests == []


async def test_a_state_issued_for_one_provider_is_refused_by_another(login: OAuthLogin) -> None:
    url, state = await login.authorize_url("kakao")
    back = await consent(url)
    with pytest.raises(InvalidState, match="issued for kakao"):
        await login.identify("naver", back["code"], state)
    with pytest.raises(InvalidState):  # spent by the attempt
        await login.identify("kakao", back["code"], state)


async def test_an_expired_state_is_refused(login: OAuthLogin, redis: aioredis.Redis) -> None:
    _, state = await login.authorize_url("google")
    assert 590 <= await redis.ttl(login._key(state)) <= 600
    await redis.delete(login._key(state))  # what the TTL does after 10 minutes
    with pytest.raises(InvalidState):
        await login.identify("google", "code", state)


@pytest.mark.parametrize("kind", KINDS)
async def test_a_declined_consent_is_reported(
    kind: str, login: OAuthLogin, providers: dict[str, FakeProvider]
) -> None:
    providers[kind].deny = True
    url, _ = await login.authorize_url(kind)
    back = await consent(url)
    with pytest.raises(LoginDeclined, match="access_denied"):
        await login.identify(kind, back.get("code"), back["state"], back["error"])


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("kakao", "invalid_grant: authorization code not found"),
        ("google", "invalid_grant: Bad Request|invalid_grant"),
        ("naver", "invalid_request: no valid data in session"),  # an error with HTTP 200
    ],
)
async def test_a_bad_code_is_the_providers_error_in_its_words(
    kind: str, said: str, login: OAuthLogin
) -> None:
    url, _ = await login.authorize_url(kind)
    back = await consent(url)
    with pytest.raises(ProviderError, match=f"{kind} refused the login code") as caught:
        await login.identify(kind, "not-the-code", back["state"])
    assert any(part in str(caught.value) for part in said.split("|"))


async def test_google_refuses_a_wrong_pkce_verifier(
    login: OAuthLogin, redis: aioredis.Redis
) -> None:
    url, state = await login.authorize_url("google")
    back = await consent(url)
    key = login._key(state)
    pending = json.loads(await redis.get(key) or "{}")
    pending["verifier"] = "an-attacker-s-own-verifier-" + "x" * 30
    await redis.set(key, json.dumps(pending))
    with pytest.raises(ProviderError, match="Invalid code verifier"):
        await login.identify("google", back["code"], state)


async def test_a_wrong_client_secret_is_reported(
    providers: dict[str, FakeProvider], redis: aioredis.Redis, unique: str
) -> None:
    settings = oauth_settings(providers, f"{unique}:")
    settings.kakao.client_secret = SecretStr("wrong")
    login = OAuthLogin(settings, redis)
    url, _ = await login.authorize_url("kakao")
    back = await consent(url)
    with pytest.raises(ProviderError, match="invalid_client"):
        await login.identify("kakao", back["code"], back["state"])


@pytest.mark.parametrize("kind", KINDS)
async def test_a_token_endpoint_outage_is_a_provider_error(
    kind: str, login: OAuthLogin, providers: dict[str, FakeProvider]
) -> None:
    url, _ = await login.authorize_url(kind)
    back = await consent(url)
    providers[kind].token_outage = 503
    with pytest.raises(ProviderError, match="HTTP 503"):
        await login.identify(kind, back["code"], back["state"])


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("kakao", "this access token does not exist (code -401)"),
        ("google", "invalid_token"),
        ("naver", "Authentication failed / 인증에 실패했습니다. (resultcode 024)"),
    ],
)
async def test_a_refused_user_info_request_is_reported_in_the_providers_words(
    kind: str, said: str, login: OAuthLogin, providers: dict[str, FakeProvider]
) -> None:
    url, _ = await login.authorize_url(kind)
    back = await consent(url)
    providers[kind].revoke_tokens = True
    with pytest.raises(ProviderError, match="HTTP 401") as caught:
        await login.identify(kind, back["code"], back["state"])
    assert said in str(caught.value)


async def test_a_user_info_outage_is_a_provider_error(
    login: OAuthLogin, providers: dict[str, FakeProvider]
) -> None:
    url, _ = await login.authorize_url("google")
    back = await consent(url)
    providers["google"].userinfo_outage = True
    with pytest.raises(ProviderError, match="HTTP 502"):
        await login.identify("google", back["code"], back["state"])


async def test_a_provider_that_does_not_answer_is_a_provider_error(
    providers: dict[str, FakeProvider], redis: aioredis.Redis, unique: str
) -> None:
    settings = oauth_settings(providers, f"{unique}:")
    settings.naver.token_url = f"http://127.0.0.1:{free_port()}/oauth2.0/token"  # nothing there
    login = OAuthLogin(settings, redis)
    url, _ = await login.authorize_url("naver")
    back = await consent(url)
    with pytest.raises(ProviderError, match="did not answer"):
        await login.identify("naver", back["code"], back["state"])


async def test_an_unverified_email_is_not_taken(
    login: OAuthLogin, providers: dict[str, FakeProvider]
) -> None:
    for kind in ("kakao", "google"):
        providers[kind].user = FakeUser("7", "someone@example.com", "Bo", email_verified=False)
        url, _ = await login.authorize_url(kind)
        back = await consent(url)
        who = await login.identify(kind, back["code"], back["state"])
        assert who.email is None and who.nickname == "Bo"


async def test_a_user_without_email_or_nickname_gets_a_fallback_nickname(
    login: OAuthLogin, providers: dict[str, FakeProvider]
) -> None:
    providers["naver"].user = FakeUser("naver-sub-123456", None, "")
    url, _ = await login.authorize_url("naver")
    back = await consent(url)
    who = await login.identify("naver", back["code"], back["state"])
    assert who.email is None and who.nickname == "naver-123456"


async def test_only_providers_with_a_client_id_are_offered(
    providers: dict[str, FakeProvider], redis: aioredis.Redis, unique: str
) -> None:
    settings = oauth_settings(providers, f"{unique}:")
    settings.naver.client_id = None
    login = OAuthLogin(settings, redis)
    assert login.providers() == ["kakao", "google"]
    for name in ("naver", "github", "__class__"):
        with pytest.raises(UnknownProvider):
            await login.authorize_url(name)
    assert OAuthLogin(OAuthSettings(), redis).providers() == []
