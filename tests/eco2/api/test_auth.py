"""Sign-up, login, refresh rotation and reuse, logout, the dev login, cookies, the mesh header
and the ext-authz contract, through the API app on the real PostgreSQL and Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import jwt
import pytest
from fastapi import FastAPI

from domains.auth import USER_HEADER
from eco2.settings import Settings

SIGNUP = "/api/v1/auth/signup"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
DEV = "/api/v1/auth/dev-login"
ME = "/api/v1/users/me"
CHECK = "/ext-authz/api/v1/scans/some-job"


def with_auth(settings: Settings, **changes: object) -> Settings:
    return settings.model_copy(update={"auth": settings.auth.model_copy(update=changes)})


@pytest.fixture
async def open_client(
    make_app: Callable[[Settings], FastAPI], api_settings: Settings
) -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
    """``async with open_client(**auth_changes) as http``: a signed-out client of a fresh app."""
    import contextlib

    @contextlib.asynccontextmanager
    async def opened(**changes: object) -> AsyncIterator[httpx.AsyncClient]:
        app = make_app(with_auth(api_settings, **changes))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as h:
                yield h

    yield opened  # type: ignore[misc]


@pytest.fixture
async def anon(open_client: Callable[..., httpx.AsyncClient]) -> AsyncIterator[httpx.AsyncClient]:
    async with open_client() as http:  # type: ignore[attr-defined]
        yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def signed_up(http: httpx.AsyncClient, unique: str, password: str = "s3cret-pass") -> dict:
    email = f"{unique}@example.com"
    made = await http.post(SIGNUP, json={"email": email, "password": password, "nickname": "에코"})
    assert made.status_code == 201, made.text
    login = await http.post(LOGIN, json={"email": email, "password": password})
    assert login.status_code == 200, login.text
    http.cookies.clear()  # the tests send what they mean to send
    return {"email": email, "user": made.json(), **login.json()}


async def test_signup_login_and_profile(anon: httpx.AsyncClient, unique: str) -> None:
    account = await signed_up(anon, unique)
    assert account["user"]["email"] == f"{unique}@example.com"
    assert account["token_type"] == "bearer" and account["expires_in"] == 900
    claims = jwt.decode(
        account["access_token"], options={"verify_signature": False}, audience="eco2-api"
    )
    assert claims["sub"] == account["user"]["user_id"] and claims["type"] == "access"
    assert claims["iss"] == "eco2" and claims["aud"] == "eco2-api"
    assert {"jti", "exp", "iat", "nbf", "fam"} <= set(claims)
    refresh = jwt.decode(account["refresh_token"], options={"verify_signature": False})
    assert refresh["type"] == "refresh" and refresh["fam"] == claims["fam"]

    me = await anon.get(ME, headers=bearer(account["access_token"]))
    assert me.status_code == 200 and me.json()["nickname"] == "에코"
    assert "password" not in me.text and "hash" not in me.text
    patched = await anon.patch(
        ME,
        json={"nickname": "재활용왕", "district": "마포구"},
        headers=bearer(account["access_token"]),
    )
    assert patched.json()["nickname"] == "재활용왕" and patched.json()["district"] == "마포구"
    cleared = await anon.patch(ME, json={"district": None}, headers=bearer(account["access_token"]))
    assert cleared.json()["district"] is None and cleared.json()["nickname"] == "재활용왕"
    extra = await anon.patch(ME, json={"email": "x@y.kr"}, headers=bearer(account["access_token"]))
    assert extra.status_code == 422 and "email" in extra.text


async def test_bad_signups_and_logins(anon: httpx.AsyncClient, unique: str) -> None:
    await signed_up(anon, unique)
    again = await anon.post(
        SIGNUP,
        json={"email": f"{unique.upper()}@EXAMPLE.com", "password": "another1", "nickname": "x"},
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "email_taken"
    bad = await anon.post(
        SIGNUP, json={"email": "not-an-email", "password": "short", "nickname": ""}
    )
    assert bad.status_code == 422
    for field in ("email", "password", "nickname"):
        assert f"body.{field}" in bad.json()["error"]["message"]
    wrong = await anon.post(LOGIN, json={"email": f"{unique}@example.com", "password": "wrong-one"})
    nobody = await anon.post(LOGIN, json={"email": f"no-{unique}@example.com", "password": "x"})
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json() == {
        "error": {"code": "invalid_credentials", "message": "wrong email or password"}
    }
    assert wrong.json() == nobody.json()  # the answer does not tell which emails exist


async def test_login_sets_httponly_lax_cookies_that_authenticate(
    anon: httpx.AsyncClient, unique: str
) -> None:
    email = f"{unique}@example.com"
    await anon.post(SIGNUP, json={"email": email, "password": "s3cret-pass", "nickname": "n"})
    login = await anon.post(LOGIN, json={"email": email, "password": "s3cret-pass"})
    cookies = login.headers.get_list("set-cookie")
    access = next(c for c in cookies if c.startswith("eco2_access="))
    refresh = next(c for c in cookies if c.startswith("eco2_refresh="))
    for cookie in (access, refresh):
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert "Path=/api/v1/auth" in refresh
    # The client kept the cookies: no header needed (the web page's EventSource).
    assert (await anon.get(ME)).status_code == 200
    rotated = await anon.post(REFRESH)  # the refresh cookie, no body
    assert (
        rotated.status_code == 200
        and rotated.json()["access_token"] != login.json()["access_token"]
    )
    out = await anon.post(LOGOUT)
    assert out.status_code == 204
    assert not anon.cookies.get("eco2_access")
    assert (await anon.get(ME, headers=bearer(rotated.json()["access_token"]))).status_code == 401


async def test_secure_cookies_when_the_setting_says(
    open_client: Callable[..., httpx.AsyncClient], unique: str
) -> None:
    async with open_client(cookie_secure=True, dev_login=True) as http:  # type: ignore[attr-defined]
        login = await http.post(DEV, json={"nickname": unique})
    assert all("Secure" in c for c in login.headers.get_list("set-cookie"))


async def test_refresh_rotates_and_a_reused_token_revokes_the_family(
    anon: httpx.AsyncClient, unique: str
) -> None:
    account = await signed_up(anon, unique)
    first = await anon.post(REFRESH, json={"refresh_token": account["refresh_token"]})
    assert first.status_code == 200
    second = await anon.post(REFRESH, json={"refresh_token": first.json()["refresh_token"]})
    assert second.status_code == 200
    assert (await anon.get(ME, headers=bearer(second.json()["access_token"]))).status_code == 200

    # The first refresh token again: someone else holds the family. All of it is revoked.
    reused = await anon.post(REFRESH, json={"refresh_token": account["refresh_token"]})
    assert reused.status_code == 401 and reused.json()["error"]["code"] == "token_revoked"
    latest = await anon.post(REFRESH, json={"refresh_token": second.json()["refresh_token"]})
    assert latest.status_code == 401
    for access in (account["access_token"], second.json()["access_token"]):
        assert (await anon.get(ME, headers=bearer(access))).status_code == 401
    # Another login starts a new family, untouched by the revoked one.
    fresh = await anon.post(LOGIN, json={"email": account["email"], "password": "s3cret-pass"})
    assert (await anon.get(ME, headers=bearer(fresh.json()["access_token"]))).status_code == 200


async def test_bad_tokens_are_401(anon: httpx.AsyncClient, unique: str) -> None:
    account = await signed_up(anon, unique)
    claims = jwt.decode(account["access_token"], options={"verify_signature": False})
    forged = jwt.encode(claims, "not-the-key-" * 4, algorithm="HS256")
    other_aud = jwt.encode(
        {**claims, "aud": "someone-else"}, "eco2-development-secret-change-me-0123456789abcdef"
    )
    for token in ("garbage", forged, other_aud, account["refresh_token"]):
        answer = await anon.get(ME, headers=bearer(token))
        assert answer.status_code == 401, token
        assert answer.headers["WWW-Authenticate"] == "Bearer"
    as_access = await anon.post(REFRESH, json={"refresh_token": account["access_token"]})
    assert as_access.status_code == 401
    assert (await anon.post(REFRESH)).status_code == 401  # nothing sent


async def test_logout_revokes_access_and_refresh(anon: httpx.AsyncClient, unique: str) -> None:
    account = await signed_up(anon, unique)
    out = await anon.post(
        LOGOUT,
        json={"refresh_token": account["refresh_token"]},
        headers=bearer(account["access_token"]),
    )
    assert out.status_code == 204
    assert (await anon.get(ME, headers=bearer(account["access_token"]))).status_code == 401
    again = await anon.post(REFRESH, json={"refresh_token": account["refresh_token"]})
    assert again.status_code == 401


async def test_dev_login_only_when_turned_on(
    open_client: Callable[..., httpx.AsyncClient], anon: httpx.AsyncClient, unique: str
) -> None:
    assert (await anon.post(DEV, json={"nickname": unique})).status_code == 404
    async with open_client(dev_login=True) as http:  # type: ignore[attr-defined]
        first = await http.post(DEV, json={"nickname": unique})
        assert first.status_code == 200 and http.cookies.get("eco2_access")
        me = await http.get(ME)
        assert me.json()["nickname"] == unique and me.json()["email"] is None
        second = await http.post(DEV, json={"nickname": unique})
        me_again = await http.get(ME, headers=bearer(second.json()["access_token"]))
        assert me_again.json()["user_id"] == me.json()["user_id"]
        assert (await http.post(DEV, json={"nickname": ""})).status_code == 422


async def test_ext_authz_contract(anon: httpx.AsyncClient, unique: str) -> None:
    account = await signed_up(anon, unique)
    user_id = account["user"]["user_id"]
    for method in ("GET", "POST", "DELETE"):
        ok = await anon.request(method, CHECK, headers=bearer(account["access_token"]))
        assert ok.status_code == 200 and ok.headers[USER_HEADER] == user_id
    anon.cookies.set("eco2_access", account["access_token"])
    by_cookie = await anon.get(CHECK)
    assert by_cookie.status_code == 200 and by_cookie.headers[USER_HEADER] == user_id
    anon.cookies.clear()
    missing = await anon.get(CHECK)
    assert missing.status_code == 401 and USER_HEADER not in missing.headers
    bad = await anon.get(CHECK, headers=bearer("nope"))
    assert bad.status_code == 401 and USER_HEADER not in bad.headers
    await anon.post(LOGOUT, headers=bearer(account["access_token"]))
    revoked = await anon.get(CHECK, headers=bearer(account["access_token"]))
    assert revoked.status_code == 403 and USER_HEADER not in revoked.headers


async def test_the_mesh_header_is_trusted_only_when_the_setting_says(
    open_client: Callable[..., httpx.AsyncClient], anon: httpx.AsyncClient, unique: str
) -> None:
    account = await signed_up(anon, unique)
    user_id = account["user"]["user_id"]
    assert (await anon.get(ME, headers={USER_HEADER: user_id})).status_code == 401
    async with open_client(trust_mesh_header=True) as mesh:  # type: ignore[attr-defined]
        behind = await mesh.get(ME, headers={USER_HEADER: user_id})
        assert behind.status_code == 200 and behind.json()["user_id"] == user_id
        # Spelled differently it is the same header (HTTP header names are case-insensitive).
        assert (await mesh.get(ME, headers={"X-User-Id": user_id})).status_code == 200


async def test_the_openapi_document_shows_each_route_s_auth(anon: httpx.AsyncClient) -> None:
    spec = (await anon.get("/openapi.json")).json()
    schemes = spec["components"]["securitySchemes"]
    assert {"HTTPBearer", "APIKeyCookie", "APIKeyHeader"} <= set(schemes)
    public = {SIGNUP, LOGIN, REFRESH, LOGOUT, DEV, "/api/v1/auth/providers"}
    public_prefixes = ("/api/v1/locations", "/api/v1/info", "/api/v1/auth/oauth/")
    guarded = 0
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/v1/") or path in public or path.startswith(public_prefixes):
            continue
        for method, operation in operations.items():
            assert operation.get("security"), f"{method.upper()} {path} shows no auth"
            guarded += 1
    assert guarded >= 15
