"""The progress log: its Redis key layout, and the publisher a service's API and functions call.

Every progress step of a job is one entry of the shard stream ``progress:events:{shard}`` carrying
``job_id``, a per-job ``seq`` that only grows (1, 2, 3, … with no holes), ``stage``, ``status``,
``progress`` and an optional JSON ``payload``. The router turns entries into the job's state
hash, its replay log and Pub/Sub messages; the SSE gateway reads those (docs/sse.md).

Seq and entry are written by one Lua script, so a crash can never leave a seq without its entry:
the gateway relies on seqs being dense to tell a late event from a lost one.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any, Protocol, cast

from redis import asyncio as aioredis
from redis.commands.core import AsyncScript
from redis.typing import EncodableT

from eventing import tracing
from eventing.bus.batch import joined
from eventing.bus.connection import connection_kwargs
from eventing.coalesce import Coalescer
from eventing.events import TERMINAL_STAGES, TERMINAL_STATUSES, Progress
from eventing.sharding import shard_of


class Stepped(Protocol):
    """What tells a job's last step: its stage and status."""

    @property
    def stage(self) -> str: ...

    @property
    def status(self) -> str: ...


def is_terminal(event: Progress | Stepped) -> bool:
    """True for the last event of a job (a ``Progress`` or the gateway's frame of one): the
    stream closes after it."""
    return event.stage in TERMINAL_STAGES or event.status in TERMINAL_STATUSES


@dataclass(frozen=True)
class ProgressKeys:
    """Names of every key and channel of the progress log.

    ``prefix`` goes in front of all of them so tests (and several deployments sharing a Redis)
    never see each other's events.
    """

    shards: int = 4
    prefix: str = ""

    def shard(self, job_id: str) -> int:
        return shard_of(job_id, self.shards)

    def stream(self, shard: int) -> str:
        return f"{self.prefix}progress:events:{shard}"

    def streams(self) -> list[str]:
        return [self.stream(shard) for shard in range(self.shards)]

    def seq(self, job_id: str) -> str:
        return f"{self.prefix}progress:seq:{job_id}"

    def state(self, job_id: str) -> str:
        return f"{self.prefix}progress:state:{job_id}"

    def replay(self, job_id: str) -> str:
        return f"{self.prefix}progress:replay:{job_id}"

    def shard_channel(self, shard: int) -> str:
        return f"{self.prefix}sse:events:{shard}"

    def shard_channels(self) -> list[str]:
        return [self.shard_channel(shard) for shard in range(self.shards)]

    def job_channel(self, job_id: str) -> str:
        return f"{self.prefix}sse:events:{job_id}"

    def channel(self, job_id: str, mode: str) -> str:
        """Where the router publishes ``job_id``'s events: its shard's channel, or its own."""
        return self.job_channel(job_id) if mode == "job" else self.shard_channel(self.shard(job_id))


def connect(
    redis_url: str,
    *,
    max_connections: int | None = 16,
    client_name: str | None = None,
    socket_timeout: float | None = 30.0,
) -> aioredis.Redis:
    """A decoding client for the progress log.

    With ``max_connections`` the pool waits for a free connection instead of raising (redis-py's
    plain pool raises when exhausted); ``None`` gives an unbounded pool, which the per-job Pub/Sub
    baseline needs. ``socket_timeout`` must outlast any XREADGROUP block.
    """
    options: dict[str, Any] = {
        "decode_responses": True,
        "client_name": client_name,
        "socket_timeout": socket_timeout,
        "socket_connect_timeout": 5,
        "health_check_interval": 15,
        **connection_kwargs(redis_url),  # hiredis packing; unix:// and rediss:// keep their own
    }
    if max_connections is None:
        # redis-py's plain pool still caps at 100 by default; the cap here is Redis's maxclients.
        pool: aioredis.ConnectionPool = aioredis.ConnectionPool.from_url(
            redis_url, max_connections=100_000, **options
        )
    else:
        pool = aioredis.BlockingConnectionPool.from_url(
            redis_url, max_connections=max_connections, timeout=30, **options
        )
    return aioredis.Redis(connection_pool=pool)


# KEYS: seq, stream. ARGV: ttl, maxlen, job_id, stage, status, progress, payload, ts, then
# the lost-log epoch (``_LOST_PREFIX``'s, else unused) and, when the step is traced, its W3C
# fields as name/value pairs (eventing.tracing.carrier): written into the entry after the rest.
_EMIT = """
local seq = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*',
  'job_id', ARGV[3], 'seq', seq, 'stage', ARGV[4], 'status', ARGV[5],
  'progress', ARGV[6], 'payload', ARGV[7], 'ts', ARGV[8], unpack(ARGV, 10))
return seq
"""

# The same, written only if KEYS[3] does not exist (else -1): a stage's ``started`` step carries
# its dedupe lookup this way, one round trip instead of two (eventing/runtime/worker.py).
_EMIT_UNLESS = (
    """
if redis.call('EXISTS', KEYS[3]) == 1 then
  return -1
end"""
    + _EMIT
)


@dataclass(frozen=True)
class Guard:
    """Lua run in the same script as a step, just before it is written: what the step may say is
    decided with the step itself, so a crash can never leave one without the other.

    The chat function keeps what a turn streamed beside its log this way (domains/chat/pipeline.py):
    kept in a second call, a worker killed between the two left the record claiming tokens the
    log never got, and the turn's re-run skipped them.

    ``script`` sees its ``keys`` from ``KEYS[3]`` on and its ``args`` at the end of ``ARGV``; it
    must take them off (``table.remove(ARGV)``, last first), because what follows the step's own
    arguments is written into the entry. It may rewrite ``ARGV[7]`` (the payload's JSON) and may
    ``return`` a number below -1 to write nothing, which ``emit`` then returns.
    """

    script: str
    keys: tuple[str, ...] = ()
    args: tuple[EncodableT, ...] = ()


# For a publisher whose jobs are all registered before their first step: the job's state is its
# last key (KEYS[#KEYS]) and ARGV[9] is ``LOST_EPOCH``. A step that finds no state means Redis
# lost the job's log while it ran (restarted empty): its seqs go on from the epoch, as
# ``restart_lost_log`` does, so a client resuming with a seq from before the loss still reads
# the steps after it, the terminal one above all.
_LOST_PREFIX = """
if redis.call('EXISTS', KEYS[#KEYS]) == 0 then
  local before = tonumber(redis.call('GET', KEYS[1]) or '0')
  if before < tonumber(ARGV[9]) then
    redis.call('SET', KEYS[1], ARGV[9])
  end
end"""

# KEYS: state. ARGV: job_id, ttl, ts. Registering twice keeps the first state (idempotent submit).
_REGISTER = """
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'job_id', ARGV[1], 'seq', 0, 'stage', 'queued',
    'status', 'started', 'progress', 0, 'registered_at', ARGV[3], 'updated_at', ARGV[3])
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""


# Where a job's seqs start again when its log was lost (Redis restarted empty) and a step still
# has to reach its clients: past any seq the lost log had, so a client resuming with the
# Last-Event-ID it saw before the loss gets it (the gateway skips the gap to a finished job's
# terminal step at once).
LOST_EPOCH = 1_000_000

# KEYS: state, seq. ARGV: epoch, ttl. Returns 1 when the log was lost (no state) and the seq now
# starts at the epoch, 0 when the job's log is there.
_RESTART_LOST = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local seq = tonumber(redis.call('GET', KEYS[2]) or '0')
if seq < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
end
return 1
"""


class ProgressPublisher:
    """Appends progress steps to the shard streams; a service's API and functions call it."""

    def __init__(
        self,
        redis: aioredis.Redis,
        keys: ProgressKeys | None = None,
        *,
        maxlen: int = 10_000,
        ttl_s: int = 3_600,
        linger_s: float = 0.0,
        registered: bool = False,
    ) -> None:
        self.redis = redis
        self.keys = keys or ProgressKeys()
        self.maxlen = maxlen
        self.ttl_s = ttl_s
        # With ``registered`` (every job registered before its first step, as the API does) a
        # step that finds no state starts a new seq epoch: see ``_LOST_PREFIX``.
        self.registered = registered
        prefix = _LOST_PREFIX if registered else ""
        self._bodies = (prefix + _EMIT, prefix + _EMIT_UNLESS)
        self._emit = redis.register_script(self._bodies[0])
        self._emit_unless = redis.register_script(self._bodies[1])
        self._register = redis.register_script(_REGISTER)
        self._restart_lost = redis.register_script(_RESTART_LOST)
        self._guarded: dict[str, tuple[str, AsyncScript]] = {}  # guard's Lua → body, script
        # Steps emitted with ``linger=True`` wait up to ``linger_s`` to share a round trip.
        self._coalescer = Coalescer(redis, linger_s) if linger_s > 0 else None

    async def aclose(self) -> None:
        """Send the steps still lingering (the client stays open: it is the caller's)."""
        if self._coalescer is not None:
            await self._coalescer.aclose()

    async def register_job(self, job_id: str) -> None:
        """Create the job's state so the gateway can tell "no events yet" from "unknown job"."""
        keys = [self.keys.state(job_id)]
        args: list[EncodableT] = [job_id, self.ttl_s, time.time()]
        if (batch := joined(self.redis)) is not None:
            batch.eval(_REGISTER, len(keys), *keys, *args)  # EVAL in MULTI: see ``emit``
            return
        await self._register(keys=keys, args=args)

    async def restart_lost_log(self, job_id: str) -> bool:
        """Before a job's last step: if Redis lost the job's log (no state), start its seqs at
        ``LOST_EPOCH`` so clients resuming from before the loss still get the step. True when
        the log was lost."""
        keys = [self.keys.state(job_id), self.keys.seq(job_id)]
        return bool(await self._restart_lost(keys=keys, args=[LOST_EPOCH, self.ttl_s]))

    async def emit(
        self,
        job_id: str,
        stage: str,
        status: str,
        progress: int,
        payload: dict[str, Any] | None = None,
        *,
        unless: str | None = None,
        linger: bool = False,
        guard: Guard | None = None,
    ) -> int:
        """Append one step and return its seq; invalid values raise before anything is written.

        With ``linger`` (a step a person reads, such as a token) the step may wait the
        publisher's ``linger_s`` to be sent with others in one round trip (``eventing.coalesce``).
        With ``unless`` (a key on this Redis server) the step is written only if that key does
        not exist, checked in the same script: -1 says it existed and nothing was written.
        With ``guard`` its Lua runs first, in the same script (``Guard``); not with ``unless``.
        Inside a write batch (``eventing.bus.batch``) the step is queued there and 0 returned:
        its seq is known only once the batch is sent.
        """
        if guard is not None and unless is not None:
            raise ValueError("a step takes a guard or an unless key, not both")
        event = Progress(
            job_id=job_id,
            seq=0,
            stage=stage,
            status=status,
            progress=progress,
            payload=payload,
        )
        keys = [self.keys.seq(job_id), self.keys.stream(self.keys.shard(job_id))]
        args: list[EncodableT] = [
            self.ttl_s,
            self.maxlen,
            job_id,
            event.stage,
            event.status,
            event.progress,
            "" if payload is None else json.dumps(payload, ensure_ascii=False),
            time.time(),
        ]
        script, body = self._emit, self._bodies[0]
        if unless is not None:
            keys.append(unless)
            script, body = self._emit_unless, self._bodies[1]
        if guard is not None:
            keys += guard.keys
            body, script = self._guarded_script(guard.script)
        if self.registered:
            keys.append(self.keys.state(job_id))
        if tracing.ENABLED and (context := tracing.carrier()):
            # The step carries the span it was emitted in, so the router's and the gateway's
            # spans for it join the job's trace. Only when this process traces (one check).
            args.append(LOST_EPOCH)
            for name, value in context.items():
                args += (name, value)
        elif self.registered or guard is not None:
            args.append(LOST_EPOCH)  # holds ARGV[9], so a guard's arguments start past it
        if guard is not None:
            args += guard.args
        if (batch := joined(self.redis)) is not None:
            # EVAL, not EVALSHA: inside MULTI a NOSCRIPT would fail this step alone, after the
            # others were applied. Redis still compiles the body only once (its script cache).
            batch.eval(body, len(keys), *keys, *args)
            return 0
        if linger and self._coalescer is not None:
            return int(await self._coalescer.call(script, keys, args))
        return int(await script(keys=keys, args=args))

    def _guarded_script(self, lua: str) -> tuple[str, AsyncScript]:
        if (known := self._guarded.get(lua)) is None:
            prefix = _LOST_PREFIX if self.registered else ""
            body = prefix + lua + _EMIT
            known = self._guarded[lua] = (body, self.redis.register_script(body))
        return known


async def wait_routed(
    publisher: ProgressPublisher, job_id: str, seq: int, timeout_s: float
) -> bool:
    """Wait until a router has routed ``job_id``'s step ``seq`` (its state reached that seq).

    A client that reconnects to a job whose last routed event was terminal is answered with the
    replay and an immediate close; waiting here lets an endpoint that restarts a job (answering a
    question) return only once a reconnect will follow the new run. False after ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    key = publisher.keys.state(job_id)
    while True:
        current = await publisher.redis.hget(key, "seq")
        if current is not None and int(current) >= seq:
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.02)


async def live_step(publisher: ProgressPublisher, job_id: str) -> tuple[str, int] | None:
    """The stage and progress of ``job_id``'s latest routed step; None if it has none (yet).

    While a job runs this is where its progress lives: PostgreSQL records only the job's state
    changes (queued, needs_input, done, failed), not every stage.
    """
    stage, progress = await publisher.redis.hmget(publisher.keys.state(job_id), "stage", "progress")
    if stage is None or progress is None:
        return None
    return cast(str, stage), int(progress)  # the client decodes responses (``connect``)


def progress_from_fields(fields: dict[str, str]) -> tuple[Progress, float]:
    """Read a stream entry written by ``emit``: the event and when it was emitted (epoch s).

    Raises pydantic's ``ValidationError`` (a ``ValueError``) or ``KeyError`` when malformed.
    """
    raw_payload = fields.get("payload") or ""
    event = Progress(
        job_id=fields["job_id"],
        seq=int(fields["seq"]),
        stage=fields["stage"],
        status=fields["status"],
        progress=int(fields["progress"]),
        payload=json.loads(raw_payload) if raw_payload else None,
    )
    return event, float(fields.get("ts") or 0.0)
