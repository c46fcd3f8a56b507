"""The event router: shard streams → job state, replay log and Pub/Sub, exactly once per seq.

One consumer group reads every shard stream (XREADGROUP, batched and blocking; after a partial
batch it lingers ``linger_ms`` so the next one is fuller). A batch is routed in one round trip:
one Lua call for the whole batch (eventing/router/scripts.py: one Pub/Sub message per channel),
then the XACKs, pipelined so the acks run only after the publishes. Several routers share the
group safely; entries a dead router left pending are claimed (XAUTOCLAIM) by a live one and
routed again, the script's seq dedupe suppressing what had already been published.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections import defaultdict
from typing import Literal, cast

from opentelemetry import trace
from pydantic import ValidationError
from redis import asyncio as aioredis
from redis.exceptions import NoScriptError, ResponseError

from eventing import metrics, tracing
from eventing.events import Progress
from eventing.progress import ProgressKeys, progress_from_fields
from eventing.router.scripts import ROUTE, ROUTE_TRACED
from eventing.router.settings import RouterSettings

log = logging.getLogger(__name__)


def default_consumer() -> str:
    """A consumer name no other process uses: host, pid and a random tail."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


Entry = tuple[str, str, dict[str, str]]  # stream, entry id, fields


class Router:
    """Consumes the shard streams with one consumer group and routes every event."""

    def __init__(
        self,
        redis: aioredis.Redis,
        keys: ProgressKeys,
        options: RouterSettings | None = None,
        *,
        consumer: str | None = None,
        ttl_s: int = 3_600,
        channels: Literal["shard", "job"] = "shard",
    ) -> None:
        """``ttl_s`` is the life of each job's state and replay log; ``channels="job"`` (one
        Pub/Sub channel per job) exists only as the benchmark's baseline for the shard fan-out."""
        self.redis = redis
        self.keys = keys
        self.options = options or RouterSettings()
        self.consumer = consumer or default_consumer()
        self.ttl_s = ttl_s
        self.channels = channels
        self._shas: dict[bool, str] = {}  # of ROUTE (False) and ROUTE_TRACED, loaded on use
        self._stopping = asyncio.Event()
        self._last_claim = 0.0

    async def setup(self) -> None:
        """Create the group on every shard (from the stream's start, so nothing is skipped)."""
        for stream in self.keys.streams():
            try:
                await self.redis.xgroup_create(stream, self.options.group, id="0", mkstream=True)
            except ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise

    async def setup_when_reachable(self) -> None:
        """``setup``, waiting for Redis while it does not answer (a router started during a
        Redis restart waits instead of exiting)."""
        while not self._stopping.is_set():
            try:
                await self.setup()
                return
            except (OSError, aioredis.RedisError) as exc:
                log.warning("router %s: waiting for Redis (%s)", self.consumer, exc)
                await asyncio.sleep(0.5)

    def stop(self) -> None:
        """Ask ``run`` to return after the batch in hand (at most one block interval)."""
        self._stopping.set()

    async def run(self) -> None:
        """Route until ``stop``; a Redis error is logged and retried after a short pause, and a
        group Redis lost (restarted empty) is created again."""
        await self.setup_when_reachable()
        linger = self.options.linger_ms / 1000
        while not self._stopping.is_set():
            try:
                handled = await self.step()
                if linger and 0 < handled < self.options.batch:
                    # A partial batch: under load, the next read would return a handful of
                    # entries, and the router's cost is its round trips, not the entries. Let
                    # them gather; a full batch means a backlog, and an empty read already
                    # blocked.
                    await asyncio.sleep(linger)
            except (OSError, aioredis.RedisError) as exc:
                if "NOGROUP" in str(exc):  # Redis came back empty: the group is to make again
                    log.warning("router %s: %s; recreating the group", self.consumer, exc)
                    await self.setup_when_reachable()
                    continue
                log.warning("router %s: %s; retrying", self.consumer, exc)
                await asyncio.sleep(0.5)

    async def step(self) -> int:
        """One poll: new entries, then (when due) claims. Returns how many entries were handled."""
        handled = await self._read_new()
        if time.monotonic() - self._last_claim >= self.options.claim_interval_s:
            self._last_claim = time.monotonic()
            handled += await self.claim()
        return handled

    async def _read_new(self) -> int:
        response = await self.redis.xreadgroup(
            self.options.group,
            self.consumer,
            dict.fromkeys(self.keys.streams(), ">"),
            count=self.options.batch,
            block=self.options.block_ms,
        )
        # RESP2 with decoded responses: a list of [stream name, entries] pairs.
        streams_read = cast(
            "list[tuple[str, list[tuple[str, dict[str, str] | None]]]] | None", response
        )
        entries = [
            (stream, entry_id, fields)
            for stream, messages in streams_read or []
            for entry_id, fields in messages
            if fields is not None
        ]
        await self.route(entries)
        return len(entries)

    async def claim(self) -> int:
        """Take over entries pending in the group longer than ``claim_idle_ms`` and route them."""
        handled = 0
        for shard, stream in enumerate(self.keys.streams()):
            cursor = "0-0"
            while True:
                reply = await self.redis.xautoclaim(
                    stream,
                    self.options.group,
                    self.consumer,
                    min_idle_time=self.options.claim_idle_ms,
                    start_id=cursor,
                    count=self.options.batch,
                )
                cursor, messages = reply[0], reply[1]
                entries = [(stream, eid, fields) for eid, fields in messages if fields]
                if entries:
                    metrics.ROUTER_CLAIMED.inc(len(entries))
                    log.info(
                        "router %s claimed %d entries of %s", self.consumer, len(entries), stream
                    )
                    await self.route(entries)
                    handled += len(entries)
                if cursor == "0-0" or not messages:
                    break
            pending = await self.redis.xpending(stream, self.options.group)
            metrics.ROUTER_PENDING.labels(str(shard)).set(pending["pending"])
        return handled

    async def route(self, entries: list[Entry], *, ack: bool = True) -> list[bool]:
        """Route ``entries`` in one round trip; True per entry that was new (published)."""
        if not entries:
            return []
        try:
            return await self._route_batch(entries, ack)
        except NoScriptError:
            # Redis lost its script cache (restart, SCRIPT FLUSH): nothing of the batch was
            # routed, though its acks may have run. The entries are still in hand, so load the
            # script and route them again; the seq dedupe makes the repeat harmless.
            self._shas.clear()
            return await self._route_batch(entries, ack)

    async def _route_batch(self, entries: list[Entry], ack: bool) -> list[bool]:
        # A step emitted inside a span carries it (eventing.progress): route such a batch with
        # the script that hands the gateway each step's routing span. Off, this is one check.
        traced = tracing.ENABLED and any("traceparent" in f for _, _, f in entries)
        if traced not in self._shas:
            self._shas[traced] = await self.redis.script_load(ROUTE_TRACED if traced else ROUTE)
        spans: list[trace.Span] = []
        parsed: list[tuple[Progress, float] | None] = []
        keys: list[str] = []
        args: list[str | int | float] = [self.ttl_s]
        for _stream, entry_id, fields in entries:
            try:
                event, emitted = progress_from_fields(fields)
            except (KeyError, ValueError, ValidationError) as exc:
                # Unroutable: ack it below so it cannot block the shard, and say so.
                log.error("malformed progress entry %s: %s", entry_id, exc)
                metrics.ROUTER_EVENTS.labels("malformed").inc()
                parsed.append(None)
                continue
            parsed.append((event, emitted))
            keys += (self.keys.state(event.job_id), self.keys.replay(event.job_id))
            args += (
                event.seq,
                event.model_dump_json(),
                event.stage,
                event.status,
                event.progress,
                emitted,
                self.keys.channel(event.job_id, self.channels),
                event.job_id,
            )
            if traced:
                args.append(self._start_span(event, fields, spans))
        # EVALSHA straight away: redis-py's pipelined Script adds a SCRIPT EXISTS round trip
        # to every batch. The acks follow in the same round trip, after the publishes.
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                if keys:
                    pipe.evalsha(self._shas[traced], len(keys), *keys, *args)
                if ack:
                    self._queue_acks(pipe, entries)
                results = await pipe.execute()
        except BaseException as exc:
            for span in spans:
                span.set_status(trace.StatusCode.ERROR, f"{type(exc).__name__}: {exc}")
                span.end()
            raise
        for span in spans:
            span.end()
        return self._account(parsed, results[0] if keys else [])

    def _start_span(self, event: Progress, fields: dict[str, str], spans: list[trace.Span]) -> str:
        """Open the span of routing one step, child of the one it carries; the traceparent for
        its line of the Pub/Sub message ("" for a step that carries none)."""
        if "traceparent" not in fields:
            return ""
        span = tracing.span_of(
            fields,
            "route progress",
            trace.SpanKind.CONSUMER,
            {
                "eco2.job_id": event.job_id,
                "eco2.seq": event.seq,
                "eco2.stage": event.stage,
                "eco2.status": event.status,
            },
        )
        spans.append(span)
        return tracing.carrier(trace.set_span_in_context(span)).get("traceparent", "")

    def _queue_acks(self, pipe: aioredis.client.Pipeline, entries: list[Entry]) -> None:
        by_stream: dict[str, list[str]] = defaultdict(list)
        for stream, entry_id, _fields in entries:
            by_stream[stream].append(entry_id)
        for stream, ids in by_stream.items():
            pipe.xack(stream, self.options.group, *ids)

    async def _ack(self, entries: list[Entry]) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            self._queue_acks(pipe, entries)
            await pipe.execute()

    def _account(self, parsed: list[tuple[Progress, float] | None], results: list) -> list[bool]:
        now = time.time()
        outcomes: list[bool] = []
        results_iter = iter(results)
        for item in parsed:
            if item is None:
                outcomes.append(False)
                continue
            event, emitted = item
            is_new, previous = next(results_iter)
            outcomes.append(bool(is_new))
            if not is_new:
                metrics.ROUTER_EVENTS.labels("duplicate").inc()
                continue
            metrics.ROUTER_EVENTS.labels("routed").inc()
            if emitted:
                metrics.ROUTER_DELAY.observe(max(0.0, now - emitted))
            if previous and emitted:
                latency = max(0.0, emitted - float(previous))
                metrics.STAGE_LATENCY.labels(event.stage).observe(latency)
        return outcomes
