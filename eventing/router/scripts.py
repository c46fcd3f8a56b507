"""The Lua script that routes one progress event atomically.

Atomic because the three effects must agree: an event is in the replay log if and only if it was
published, and the state hash never moves backwards. Dedupe is by seq in the replay log, so a
redelivered entry (a claimed one whose first router published before dying) publishes nothing.
Events may arrive out of seq order (several routers, claims); they are still logged and
published, and the gateway restores the order (eventing/gateway/sequencer.py).
"""

from __future__ import annotations

# KEYS: state hash, replay zset.
# ARGV: seq, event json, stage, status, progress, emitted ts, ttl, channel, job_id.
# Returns {1, previous updated_at or ''} when new ({1, ''} when the state was ahead), {0, ''} if
# the seq was routed before.
ROUTE = """
local seq = tonumber(ARGV[1])
if redis.call('ZCOUNT', KEYS[2], seq, seq) > 0 then
  return {0, ''}
end
redis.call('ZADD', KEYS[2], seq, ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[7])
local previous = ''
local current = tonumber(redis.call('HGET', KEYS[1], 'seq') or '-1')
if seq > current then
  previous = redis.call('HGET', KEYS[1], 'updated_at') or ''
  redis.call('HSET', KEYS[1], 'job_id', ARGV[9], 'seq', seq, 'stage', ARGV[3],
    'status', ARGV[4], 'progress', ARGV[5], 'event', ARGV[2], 'updated_at', ARGV[6])
end
redis.call('EXPIRE', KEYS[1], ARGV[7])
redis.call('PUBLISH', ARGV[8], ARGV[2])
return {1, previous}
"""
