"""The Lua script that routes a batch of progress events atomically.

Atomic because the effects must agree: an event is in the replay log if and only if it was
published, and the state hash never moves backwards. Dedupe is by seq in the replay log, so a
redelivered entry (a claimed one whose first router published before dying) publishes nothing.
Events may arrive out of seq order (several routers, claims); they are still logged and
published, and the gateway restores the order (eventing/gateway/sequencer.py).

One call routes a whole batch and publishes ONE message per channel: the batch's new events for
it, in stream order, one line each with the fields the gateway routes on before the event's
JSON (``eventing.gateway.frame``: the gateway forwards the JSON without parsing it); a traced
batch's lines also carry the router's span for each step, for the gateway's span of its send.
A job's events share a shard, so its order holds.
Per event, a call and a Pub/Sub message cost Redis, the router and every gateway more than the
event itself does. The keys of many jobs in one script bind it to one Redis
server (no Cluster), as the stage streams and seq counters already are.
"""

from __future__ import annotations

# KEYS: per event, its state hash and replay zset.
# ARGV: ttl, then per event: seq, event json, stage, status, progress, emitted ts, channel, job_id
# (and, in ROUTE_TRACED, the traceparent the gateway's span is to be a child of, or "").
# Returns per event {1, previous updated_at or ''} when new ({1, ''} when the state was ahead),
# {0, ''} if its seq was routed before.
_TEMPLATE = """
local ttl = ARGV[1]
local routed = {}
local by_channel = {}
local channels = {}
for i = 1, #KEYS / 2 do
  local state, replay = KEYS[2 * i - 1], KEYS[2 * i]
  local a = 2 + (i - 1) * @STRIDE@
  local seq = tonumber(ARGV[a])
  if redis.call('ZCOUNT', replay, seq, seq) > 0 then
    routed[i] = {0, ''}
  else
    redis.call('ZADD', replay, seq, ARGV[a + 1])
    redis.call('EXPIRE', replay, ttl)
    local previous = ''
    local current = tonumber(redis.call('HGET', state, 'seq') or '-1')
    if seq > current then
      previous = redis.call('HGET', state, 'updated_at') or ''
      redis.call('HSET', state, 'job_id', ARGV[a + 7], 'seq', seq, 'stage', ARGV[a + 2],
        'status', ARGV[a + 3], 'progress', ARGV[a + 4], 'event', ARGV[a + 1],
        'updated_at', ARGV[a + 5])
    end
    redis.call('EXPIRE', state, ttl)
    local channel = ARGV[a + 6]
    local events = by_channel[channel]
    if events == nil then
      events = {}
      by_channel[channel] = events
      channels[#channels + 1] = channel
    end
    events[#events + 1] = ARGV[a] .. '\\t' .. ARGV[a + 2] .. '\\t' .. ARGV[a + 3] .. '\\t' ..
      ARGV[a + 7] .. '\\t' .. @TRACE@ARGV[a + 1]
    routed[i] = {1, previous}
  end
end
for _, channel in ipairs(channels) do
  redis.call('PUBLISH', channel, '@HEADER@\\n' .. table.concat(by_channel[channel], '\\n'))
end
return routed
"""

# A batch none of whose steps is traced (always, when tracing is off): the v2 message.
ROUTE = _TEMPLATE.replace("@STRIDE@", "8").replace("@TRACE@", "").replace("@HEADER@", "v2")
# A batch holding a traced step: a v3 message, each line with the traceparent (maybe empty)
# before the event's JSON (eventing.gateway.frame).
ROUTE_TRACED = (
    _TEMPLATE.replace("@STRIDE@", "9")
    .replace("@TRACE@", "ARGV[a + 8] .. '\\t' .. ")
    .replace("@HEADER@", "v3")
)
