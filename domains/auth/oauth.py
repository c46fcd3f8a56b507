"""OAuth login with Kakao, Google (PKCE) and Naver over authlib's httpx client.

``authorize_url`` makes a one-time ``state`` (and, for Google, a PKCE verifier), keeps it in
Redis with a TTL and returns the provider's consent page URL. ``identify`` takes the callback's
``code`` and ``state``: the state is consumed atomically (GETDEL), so a replayed or forged
callback is refused before the provider is asked anything; then the code is exchanged (form
POST, the secret in the body as all three expect) and the user info read. Whatever the
provider answers wrong, or not at all within the timeout, becomes one ``ProviderError``.
"""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx2
from redis import asyncio as aioredis

from domains.auth.exceptions import InvalidState, LoginDeclined, ProviderError
from domains.auth.providers import (
    PKCE,
    ExternalIdentity,
    OAuthSettings,
    ProviderSettings,
    identity_of,
    user_info_error,
)

if TYPE_CHECKING:
    from authlib.integrations.httpx_client import AsyncOAuth2Client

CALLBACK_PATH = "/api/v1/auth/oauth/{provider}/callback"


class OAuthLogin:
    """The provider half of an OAuth login: the consent URL, then who came back."""

    def __init__(self, settings: OAuthSettings, redis: aioredis.Redis) -> None:
        self.settings = settings
        self.redis = redis

    def providers(self) -> list[str]:
        return self.settings.configured()

    def redirect_uri(self, provider: str) -> str:
        return self.settings.public_url.rstrip("/") + CALLBACK_PATH.format(provider=provider)

    def _client(self, provider: str, conf: ProviderSettings) -> AsyncOAuth2Client:
        # Imported here: authlib takes a second to import, and only a login needs it.
        from authlib.integrations.httpx_client import AsyncOAuth2Client

        secret = conf.client_secret.get_secret_value() if conf.client_secret else None
        return AsyncOAuth2Client(
            client_id=conf.client_id,
            client_secret=secret,
            scope=conf.scope or None,
            redirect_uri=self.redirect_uri(provider),
            token_endpoint_auth_method="client_secret_post",
            code_challenge_method="S256" if provider in PKCE else None,
            timeout=self.settings.timeout_s,
        )

    def _key(self, state: str) -> str:
        return f"{self.settings.redis_prefix}state:{state}"

    async def authorize_url(self, provider: str) -> tuple[str, str]:
        """The provider's consent URL and its state (the route also binds it to the browser)."""
        conf = self.settings.provider(provider)
        state = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64) if provider in PKCE else None
        async with self._client(provider, conf) as client:
            url, _ = client.create_authorization_url(
                conf.authorize_url, state=state, code_verifier=verifier
            )
        pending = json.dumps({"provider": provider, "verifier": verifier})
        await self.redis.set(self._key(state), pending, ex=self.settings.state_ttl_s)
        return url, state

    async def discard(self, state: str) -> None:
        """Burn a pending state (seen in the wrong browser)."""
        await self.redis.delete(self._key(state))

    async def identify(
        self, provider: str, code: str | None, state: str | None, error: str | None = None
    ) -> ExternalIdentity:
        """Who the provider says logged in; the state is spent whatever happens next."""
        conf = self.settings.provider(provider)
        pending = await self.redis.getdel(self._key(state)) if state else None
        if pending is None:
            raise InvalidState("unknown, expired or already used login state; log in again")
        saved: dict[str, Any] = json.loads(pending)
        if saved.get("provider") != provider:
            raise InvalidState(f"this login state was issued for {saved.get('provider')}")
        if error is not None:
            raise LoginDeclined(f"the login at {provider} was not completed: {error}")
        if not code:
            raise InvalidState("the callback carries no code")
        async with self._client(provider, conf) as client:
            await self._exchange(client, provider, conf, code, saved.get("verifier"), state)
            document = await self._user_info(client, provider, conf)
        try:
            return identity_of(provider, document)
        except ValueError as exc:
            raise ProviderError(f"{provider} sent user info we cannot read: {exc}") from exc

    async def _exchange(
        self,
        client: AsyncOAuth2Client,
        provider: str,
        conf: ProviderSettings,
        code: str,
        verifier: str | None,
        state: str | None,
    ) -> None:
        from authlib.integrations.base_client.errors import OAuthError

        extra: dict[str, Any] = {"code_verifier": verifier} if verifier else {}
        # Naver's token request repeats the state (authlib's own ``state=`` only checks it).
        body = urlencode({"state": state}) if provider == "naver" and state else ""
        try:
            await client.fetch_token(
                conf.token_url, body=body, grant_type="authorization_code", code=code, **extra
            )
        except OAuthError as exc:  # the provider's {"error", "error_description"}
            said = f"{exc.error}: {exc.description}" if exc.description else str(exc.error)
            raise ProviderError(f"{provider} refused the login code ({said})") from exc
        except httpx2.HTTPStatusError as exc:
            status = exc.response.status_code
            raise ProviderError(f"{provider}'s token endpoint failed (HTTP {status})") from exc
        except (httpx2.HTTPError, ValueError) as exc:
            raise ProviderError(f"{provider}'s token endpoint did not answer: {exc!r}") from exc

    async def _user_info(
        self, client: AsyncOAuth2Client, provider: str, conf: ProviderSettings
    ) -> dict[str, Any]:
        try:
            response = await client.get(conf.userinfo_url)
        except httpx2.HTTPError as exc:
            raise ProviderError(f"{provider}'s user-info endpoint did not answer: {exc!r}") from exc
        try:
            document = response.json()
        except ValueError:
            document = None
        if response.status_code != 200 or not isinstance(document, dict):
            message = user_info_error(provider, response.status_code, response.text, document)
            raise ProviderError(message)
        return document
