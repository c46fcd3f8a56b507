"""A per-user token bucket in Redis: one Lua call takes a token or says how long to wait."""

from __future__ import annotations

import math
import time

from redis import asyncio as aioredis

from domains.auth.exceptions import RateLimited
from domains.auth.settings import RateSettings

# KEYS[1] the bucket (a hash: tokens, at); ARGV: capacity, refill per second, now (s, float).
# Returns {1, 0} when a token was taken, else {0, seconds until one is back}. The clock is the
# caller's, passed in, so a Lua script stays deterministic for replication.
TAKE = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local ttl = math.ceil(capacity / rate) + 1
if tokens < 1 then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
  redis.call('EXPIRE', KEYS[1], ttl)
  return {0, tostring((1 - tokens) / rate)}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], ttl)
return {1, '0'}
"""


class RateLimiter:
    """``take(kind, user)``: spend one of the user's tokens or raise ``RateLimited``."""

    def __init__(self, redis: aioredis.Redis, prefix: str, limits: dict[str, RateSettings]) -> None:
        self.prefix = prefix
        self.limits = limits
        self._take = redis.register_script(TAKE)

    async def take(self, kind: str, user_id: str) -> None:
        limit = self.limits[kind]
        rate = limit.per_minute / 60.0
        key = f"{self.prefix}rate:{kind}:{user_id}"
        taken, wait = await self._take(keys=[key], args=[limit.burst, rate, time.time()])
        if not int(taken):
            raise RateLimited(kind, max(1, math.ceil(float(wait))))
