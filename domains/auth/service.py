"""Sign-up, login, refresh rotation, logout, and verifying a token on each request.

``issue_tokens`` starts a refresh family for a user whose identity was established elsewhere
(a password here, an OAuth provider's callback, the dev login). Verifying an access token is a
JWT decode plus one Redis MGET (``Revocations.is_revoked``): no database, no hashing.
"""

from __future__ import annotations

import contextlib
import uuid

from redis import asyncio as aioredis

from domains.auth.exceptions import InvalidCredentials, InvalidToken, TokenRevoked
from domains.auth.passwords import Passwords
from domains.auth.ratelimit import RateLimiter
from domains.auth.revocation import Revocations
from domains.auth.settings import AuthSettings
from domains.auth.tokens import Claims, TokenCodec, TokenPair
from domains.users.schemas import UserView
from domains.users.service import UserService

DEV_PROVIDER = "dev"


class AuthService:
    def __init__(
        self,
        settings: AuthSettings,
        redis: aioredis.Redis,
        users: UserService,
        passwords: Passwords | None = None,
    ) -> None:
        self.settings = settings
        self.users = users
        self.passwords = passwords or Passwords()
        self.codec = TokenCodec(settings)
        self.revocations = Revocations(redis, settings.redis_prefix, settings.refresh_ttl_s)
        self.limiter = RateLimiter(redis, settings.redis_prefix, settings.rates())

    async def signup(self, email: str, password: str, nickname: str) -> UserView:
        """A new email account (``EmailTaken`` when one exists)."""
        return await self.users.create(email, await self.passwords.hash(password), nickname)

    async def login(self, email: str, password: str) -> TokenPair:
        found = await self.users.credentials(email)
        hashed = found[1] if found else None
        if not await self.passwords.verify(password, hashed) or found is None:
            raise InvalidCredentials("wrong email or password")
        return await self.issue_tokens(found[0])

    async def dev_login(self, nickname: str) -> TokenPair:
        """The account named ``nickname`` under the dev provider (created on first use)."""
        user = await self.users.find_or_create_external(DEV_PROVIDER, nickname, None, nickname)
        return await self.issue_tokens(user.user_id)

    async def issue_tokens(self, user_id: str) -> TokenPair:
        """A fresh access and refresh token for ``user_id``, in a new refresh family."""
        family = uuid.uuid4().hex
        refresh, claims = self.codec.encode(user_id, "refresh", family)
        await self.revocations.start_family(family, claims.jti)
        return self._pair(user_id, family, refresh)

    def _pair(self, user_id: str, family: str, refresh: str) -> TokenPair:
        access, _ = self.codec.encode(user_id, "access", family)
        return TokenPair(
            access_token=access,
            refresh_token=refresh,
            expires_in=self.settings.access_ttl_s,
            refresh_expires_in=self.settings.refresh_ttl_s,
        )

    async def refresh(self, refresh_token: str) -> TokenPair:
        """Rotate: the presented refresh token is spent and a new pair issued in its family.

        Presenting a spent one again means two parties hold the family (one of them stole it):
        the whole family is revoked, and both must log in again.
        """
        claims = self.codec.decode(refresh_token, "refresh")
        if await self.revocations.is_revoked(claims):
            raise TokenRevoked("this refresh token was revoked")
        new_token, new_claims = self.codec.encode(claims.sub, "refresh", claims.fam)
        outcome = await self.revocations.rotate(claims.fam, claims.jti, new_claims.jti)
        if outcome == -1:
            raise TokenRevoked("this refresh token was already used: its sessions are revoked")
        if outcome == 0:
            raise TokenRevoked("this refresh token was revoked")
        return self._pair(claims.sub, claims.fam, new_token)

    async def authenticate(self, access_token: str) -> Claims:
        """The claims of a valid, unrevoked access token (``InvalidToken``/``TokenRevoked``)."""
        claims = self.codec.decode(access_token, "access")
        if await self.revocations.is_revoked(claims):
            raise TokenRevoked("this token was revoked")
        return claims

    async def logout(self, access: Claims | None, refresh_token: str | None) -> None:
        """Revoke the access token and the refresh family (the one it or the refresh names)."""
        families: set[str] = set()
        if access is not None:
            await self.revocations.revoke(access)
            families.add(access.fam)
        if refresh_token:
            # A bad refresh token on logout revokes nothing more.
            with contextlib.suppress(InvalidToken):
                families.add(self.codec.decode(refresh_token, "refresh").fam)
        for family in families:
            await self.revocations.revoke_family(family)

    async def delete_account(self, user_id: str) -> list[str]:
        """Delete the account and its data, then void every token it was issued."""
        refs = await self.users.delete_account(user_id)
        await self.revocations.revoke_user(user_id)
        return refs
