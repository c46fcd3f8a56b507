"""The auth domain on the real Redis and PostgreSQL: token checks, rotation, revocation, the
token bucket's refill, password hashes, and external identities."""

from __future__ import annotations

import time

import jwt
import pytest
from redis import asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.auth.exceptions import InvalidToken, RateLimited, TokenRevoked
from domains.auth.passwords import Passwords
from domains.auth.ratelimit import RateLimiter
from domains.auth.service import AuthService
from domains.auth.settings import AuthSettings, RateSettings
from domains.users.exceptions import EmailTaken
from domains.users.service import UserService


@pytest.fixture
def settings(unique: str) -> AuthSettings:
    return AuthSettings(redis_prefix=f"{unique}:auth:")


@pytest.fixture
def auth(
    settings: AuthSettings, redis: aioredis.Redis, sessions: async_sessionmaker[AsyncSession]
) -> AuthService:
    return AuthService(settings, redis, UserService(sessions))


async def test_an_expired_or_early_token_is_invalid(
    auth: AuthService, settings: AuthSettings
) -> None:
    key = settings.secret_key.get_secret_value()
    now = int(time.time())
    base = {"sub": "u", "jti": "j", "type": "access", "fam": "f", "iss": "eco2", "aud": "eco2-api"}
    expired = jwt.encode({**base, "iat": now - 100, "nbf": now - 100, "exp": now - 60}, key)
    early = jwt.encode({**base, "iat": now, "nbf": now + 600, "exp": now + 900}, key)
    missing = jwt.encode({**base, "iat": now, "exp": now + 900}, key)  # no nbf
    for token in (expired, early, missing):
        with pytest.raises(InvalidToken):
            await auth.authenticate(token)
    fine = jwt.encode({**base, "iat": now, "nbf": now, "exp": now + 900}, key)
    assert (await auth.authenticate(fine)).sub == "u"


async def test_rotation_spends_each_refresh_token_once(auth: AuthService) -> None:
    pair = await auth.issue_tokens("someone")
    rotated = await auth.refresh(pair.refresh_token)
    with pytest.raises(TokenRevoked, match="already used"):
        await auth.refresh(pair.refresh_token)
    with pytest.raises(TokenRevoked):  # the family went with the reuse
        await auth.refresh(rotated.refresh_token)
    with pytest.raises(TokenRevoked):
        await auth.authenticate(rotated.access_token)
    other = await auth.issue_tokens("someone")  # another login, another family
    assert (await auth.authenticate(other.access_token)).sub == "someone"


async def test_deleted_account_voids_every_token(
    auth: AuthService, sessions: async_sessionmaker[AsyncSession], unique: str
) -> None:
    user = await auth.signup(f"{unique}@example.com", "password-1", "n")
    pairs = [await auth.issue_tokens(user.user_id) for _ in range(2)]
    assert await auth.delete_account(user.user_id) == []
    for pair in pairs:
        with pytest.raises(TokenRevoked):
            await auth.authenticate(pair.access_token)
        with pytest.raises(TokenRevoked):
            await auth.refresh(pair.refresh_token)


async def test_the_bucket_refuses_when_empty_and_refills(
    redis: aioredis.Redis, unique: str
) -> None:
    limiter = RateLimiter(redis, f"{unique}:", {"scan": RateSettings(burst=2, per_minute=600)})
    await limiter.take("scan", "a")
    await limiter.take("scan", "a")
    with pytest.raises(RateLimited) as refused:
        await limiter.take("scan", "a")
    assert refused.value.retry_after_s == 1  # 10 tokens a second: ~0.1 s, rounded up
    await limiter.take("scan", "b")  # another user's bucket is full
    time.sleep(0.15)  # noqa: ASYNC251 - the bucket refills with wall-clock time
    await limiter.take("scan", "a")


async def test_passwords_hash_with_argon2_and_verify() -> None:
    passwords = Passwords()
    hashed = await passwords.hash("correct horse")
    assert hashed.startswith("$argon2id$")
    assert await passwords.verify("correct horse", hashed)
    assert not await passwords.verify("wrong horse", hashed)
    assert not await passwords.verify("anything", None)


async def test_external_identities_are_found_again_and_never_take_an_email(
    sessions: async_sessionmaker[AsyncSession], unique: str
) -> None:
    users = UserService(sessions)
    local = await users.create(f"{unique}@example.com", "hash", "local")
    with pytest.raises(EmailTaken):
        await users.create(f"{unique.upper()}@Example.com", "hash", "again")
    first = await users.find_or_create_external("kakao", unique, f"{unique}@example.com", "카카오")
    assert first.user_id != local.user_id and first.email is None  # not linked to local's
    again = await users.find_or_create_external("kakao", unique, None, "renamed")
    assert again.user_id == first.user_id and again.nickname == "카카오"
    google = await users.find_or_create_external("google", unique, f"g-{unique}@x.kr", "g")
    assert google.user_id != first.user_id and google.email == f"g-{unique}@x.kr"
