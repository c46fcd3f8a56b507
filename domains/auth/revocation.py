"""Revoked tokens and refresh families in Redis.

Keys (under the settings' prefix): ``jti:<jti>`` a revoked token, kept until it would expire
anyway; ``fam:<family>`` the one refresh jti of the family that may still be used;
``famx:<family>`` a revoked family; ``user:<id>`` the time before which every token of a deleted
account is void. Checking an access token reads three keys in one MGET: one round trip.
"""

from __future__ import annotations

import time

from redis import asyncio as aioredis

from domains.auth.tokens import Claims

# Rotate the family from the presented jti to the new one, atomically. Returns 1 when rotated,
# 0 when the family is already revoked, -1 when the presented token is not the family's current
# one: a reuse (a stolen copy, or a replayed old token), which revokes the family.
ROTATE = """
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
redis.call('SET', KEYS[2], '1', 'EX', ARGV[3])
redis.call('DEL', KEYS[1])
return -1
"""


class Revocations:
    """The revocation list and the refresh families."""

    def __init__(self, redis: aioredis.Redis, prefix: str, family_ttl_s: int) -> None:
        self.redis = redis
        self.prefix = prefix
        self.family_ttl_s = family_ttl_s
        self._rotate = redis.register_script(ROTATE)

    def _jti(self, jti: str) -> str:
        return f"{self.prefix}jti:{jti}"

    def _family(self, family: str) -> str:
        return f"{self.prefix}fam:{family}"

    def _revoked_family(self, family: str) -> str:
        return f"{self.prefix}famx:{family}"

    def _user(self, user_id: str) -> str:
        return f"{self.prefix}user:{user_id}"

    async def start_family(self, family: str, refresh_jti: str) -> None:
        await self.redis.set(self._family(family), refresh_jti, ex=self.family_ttl_s)

    async def rotate(self, family: str, old_jti: str, new_jti: str) -> int:
        """1 rotated, 0 family already revoked, -1 reuse detected (family now revoked)."""
        keys = [self._family(family), self._revoked_family(family)]
        return int(await self._rotate(keys=keys, args=[old_jti, new_jti, self.family_ttl_s]))

    async def is_revoked(self, claims: Claims) -> bool:
        """The token, its family or its whole account was revoked."""
        keys = [self._jti(claims.jti), self._revoked_family(claims.fam), self._user(claims.sub)]
        jti, family, user = await self.redis.mget(keys)
        voided = user is not None and claims.iat <= float(user)
        return jti is not None or family is not None or voided

    async def revoke(self, claims: Claims) -> None:
        """Revoke one token until it would have expired."""
        ttl = max(1, claims.exp - int(time.time()))
        await self.redis.set(self._jti(claims.jti), "1", ex=ttl)

    async def revoke_family(self, family: str) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self._revoked_family(family), "1", ex=self.family_ttl_s)
            pipe.delete(self._family(family))
            await pipe.execute()

    async def revoke_user(self, user_id: str) -> None:
        """Void every token issued to ``user_id`` up to now (a deleted account)."""
        await self.redis.set(self._user(user_id), str(int(time.time())), ex=self.family_ttl_s)
