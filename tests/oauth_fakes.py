"""Local servers speaking Kakao's, Google's and Naver's OAuth wire formats, for login tests.

Each fake is a Starlette app served by uvicorn on a free loopback port (a thread of its own,
for the whole test session); a ``FakeProvider`` object holds what it issued and is reset per
test. What each checks and answers follows the providers' documentation:

- authorize: ``response_type=code``, the client id, a redirect URI and a state; Google also
  ``code_challenge`` with ``code_challenge_method=S256``. 302 back with ``code`` and ``state``
  (or ``error=access_denied`` when the user declines).
- token: a form-encoded POST with ``client_secret_post`` credentials; a code works once, for
  its redirect URI; Google verifies ``code_verifier`` against the challenge (S256), Naver wants
  the state again. Errors in each one's shape: Kakao ``{error, error_description,
  error_code: "KOE..."}`` with 400/401, Google ``{error, error_description}``, Naver
  ``{error, error_description}`` with HTTP 200. Naver's ``expires_in`` is a string.
- user info: Kakao ``/v2/user/me`` (``id``, ``properties.nickname``, ``kakao_account.email``),
  Google's OpenID ``/v1/userinfo`` (``sub``, ``email``, ``email_verified``, ``name``), Naver
  ``/v1/nid/me`` (``resultcode``, ``message``, ``response``), and their 401 shapes.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.s3server import free_port

PATHS = {
    "kakao": ("/oauth/authorize", "/oauth/token", "/v2/user/me"),
    "google": ("/o/oauth2/v2/auth", "/token", "/v1/userinfo"),
    "naver": ("/oauth2.0/authorize", "/oauth2.0/token", "/v1/nid/me"),
}


@dataclass
class FakeUser:
    subject: str
    email: str | None
    nickname: str
    email_verified: bool = True


@dataclass
class Grant:
    user: FakeUser
    redirect_uri: str
    state: str
    challenge: str | None


@dataclass
class FakeProvider:
    kind: str
    base_url: str = ""
    client_id: str = "test-client"
    client_secret: str = "test-secret"
    user: FakeUser = field(default_factory=lambda: FakeUser("1001", "a@example.com", "Alice"))
    deny: bool = False  # the user presses "cancel" on the consent page
    token_outage: int | None = None  # the token endpoint answers this 5xx with an HTML page
    userinfo_outage: bool = False
    revoke_tokens: bool = False  # an issued access token is revoked before it is used
    codes: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, FakeUser] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def reset(self) -> None:
        fresh = FakeProvider(self.kind, self.base_url)
        self.__dict__.update(fresh.__dict__)

    def urls(self) -> dict[str, str]:
        authorize, token, userinfo = PATHS[self.kind]
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "authorize_url": self.base_url + authorize,
            "token_url": self.base_url + token,
            "userinfo_url": self.base_url + userinfo,
        }

    # The three endpoints.
    async def authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != self.client_id:
            return PlainTextResponse("unknown client", status_code=400)
        if q.get("response_type") != "code" or not q.get("redirect_uri") or not q.get("state"):
            return PlainTextResponse("response_type, redirect_uri and state", status_code=400)
        challenge = q.get("code_challenge")
        if self.kind == "google" and (not challenge or q.get("code_challenge_method") != "S256"):
            return PlainTextResponse("PKCE S256 is required", status_code=400)
        back = {"state": q["state"]}
        if self.deny:
            back |= {"error": "access_denied", "error_description": "User denied access"}
        else:
            code = secrets.token_urlsafe(16)
            self.codes[code] = Grant(self.user, q["redirect_uri"], q["state"], challenge)
            back["code"] = code
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode(back)}", status_code=302)

    def _token_error(self, error: str, description: str, status: int, koe: str) -> Response:
        body: dict[str, Any] = {"error": error, "error_description": description}
        if self.kind == "kakao":
            return JSONResponse(body | {"error_code": koe}, status_code=status)
        if self.kind == "naver":
            return JSONResponse(body)  # Naver reports errors with HTTP 200
        return JSONResponse(body, status_code=status)

    async def token(self, request: Request) -> Response:
        if self.token_outage:
            return Response("<html>unavailable</html>", self.token_outage, media_type="text/html")
        if request.headers.get("content-type", "").split(";")[0] != (
            "application/x-www-form-urlencoded"
        ):
            return self._token_error("invalid_request", "form body expected", 400, "KOE101")
        form = {k: str(v) for k, v in (await request.form()).items()}
        self.token_requests.append(form)
        if form.get("grant_type") != "authorization_code":
            return self._token_error("unsupported_grant_type", "grant_type", 400, "KOE004")
        if (form.get("client_id"), form.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return self._token_error("invalid_client", "Bad client credentials", 401, "KOE010")
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None:
            if self.kind == "naver":
                return self._token_error("invalid_request", "no valid data in session", 200, "")
            text = f"authorization code not found for code={form.get('code')}"
            return self._token_error("invalid_grant", text, 400, "KOE320")
        if self.kind != "naver" and form.get("redirect_uri") != grant.redirect_uri:
            return self._token_error("invalid_grant", "Redirect URI mismatch.", 400, "KOE303")
        if self.kind == "naver" and form.get("state") != grant.state:
            return self._token_error("invalid_request", "state mismatch", 200, "")
        if self.kind == "google":
            verifier = form.get("code_verifier")
            if not verifier:
                return self._token_error("invalid_grant", "Missing code verifier.", 400, "")
            digest = hashlib.sha256(verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.challenge:
                return self._token_error("invalid_grant", "Invalid code verifier.", 400, "")
        access = secrets.token_urlsafe(24)
        if not self.revoke_tokens:
            self.tokens[access] = grant.user
        body: dict[str, Any] = {"access_token": access, "token_type": "bearer"}
        if self.kind == "kakao":
            body |= {"expires_in": 21599, "refresh_token": "r", "refresh_token_expires_in": 5183999}
        elif self.kind == "google":
            body |= {"token_type": "Bearer", "expires_in": 3599, "scope": "openid email profile"}
            body["id_token"] = "header.payload.signature"
        else:
            body |= {"expires_in": "3600", "refresh_token": "r"}  # a string, as Naver sends it
        return JSONResponse(body)

    async def userinfo(self, request: Request) -> Response:
        if self.userinfo_outage:
            return Response("<html>bad gateway</html>", 502, media_type="text/html")
        auth = request.headers.get("authorization", "")
        user = self.tokens.get(auth[7:]) if auth[:7].lower() == "bearer " else None
        if user is None:
            if self.kind == "kakao":
                body = {"msg": "this access token does not exist", "code": -401}
                return JSONResponse(body, status_code=401)
            if self.kind == "naver":
                body = {
                    "resultcode": "024",
                    "message": "Authentication failed / 인증에 실패했습니다.",
                }
                return JSONResponse(body, status_code=401)
            headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            body = {"error": "invalid_token", "error_description": "Invalid Credentials"}
            return JSONResponse(body, status_code=401, headers=headers)
        return JSONResponse(self._document(user))

    def _document(self, user: FakeUser) -> dict[str, Any]:
        if self.kind == "kakao":
            account: dict[str, Any] = {
                "profile_nickname_needs_agreement": False,
                "profile": {"nickname": user.nickname, "is_default_nickname": False},
                "has_email": user.email is not None,
            }
            if user.email is not None:
                account |= {
                    "email_needs_agreement": False,
                    "is_email_valid": True,
                    "is_email_verified": user.email_verified,
                    "email": user.email,
                }
            return {
                "id": int(user.subject),
                "connected_at": "2026-12-06T04:00:00Z",
                "properties": {"nickname": user.nickname},
                "kakao_account": account,
            }
        if self.kind == "google":
            doc: dict[str, Any] = {"sub": user.subject, "name": user.nickname, "picture": "x"}
            if user.email is not None:
                doc |= {"email": user.email, "email_verified": user.email_verified}
            return doc
        response = {"id": user.subject, "nickname": user.nickname, "name": user.nickname}
        if user.email is not None:
            response["email"] = user.email
        return {"resultcode": "00", "message": "success", "response": response}

    def app(self) -> Starlette:
        authorize, token, userinfo = PATHS[self.kind]
        return Starlette(
            routes=[
                Route(authorize, self.authorize),
                Route(token, self.token, methods=["POST"]),
                Route(userinfo, self.userinfo, methods=["GET", "POST"]),
            ]
        )


class ServerThread:
    """A uvicorn server on a free loopback port, in a thread with its own event loop."""

    def __init__(self, app: Starlette) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            loop="asyncio",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the fake provider's server did not start")
            time.sleep(0.01)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def fake_servers() -> Iterator[dict[str, FakeProvider]]:
    """One running fake per provider for the session."""
    fakes = {kind: FakeProvider(kind) for kind in PATHS}
    servers = [ServerThread(fake.app()) for fake in fakes.values()]
    started: list[ServerThread] = []
    try:
        for fake, server in zip(fakes.values(), servers, strict=True):
            fake.base_url = server.__enter__()
            started.append(server)
        yield fakes
    finally:
        for server in started:
            server.__exit__()


@pytest.fixture
def providers(fake_servers: dict[str, FakeProvider]) -> dict[str, FakeProvider]:
    """The fakes, with nothing issued and no failure switched on."""
    for fake in fake_servers.values():
        fake.reset()
    return fake_servers
