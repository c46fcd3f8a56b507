"""The closed-loop load client: virtual users that scan, follow the scan over SSE, and repeat.

Each virtual user (VU) loops until the level's duration ends: ``POST /api/v1/scans`` with one
of a few pre-rendered photos and a hint, then ``GET events_url`` (SSE) until the terminal event
(``done``, ``failed`` or ``needs_input``), then at once the next scan — no think time, so the
offered load is exactly the VU count (closed loop). VUs start spread over a ramp, so the first
second is not a thundering herd of uploads. A scan started before the end is followed to its
end (bounded by ``cycle_timeout_s``); none starts after.

Every wait is bounded. The client is aiohttp: it shares the machine's two cores with the
system under test, and httpx cost 12–14 ms of CPU per scan (a sixth of the machine at
saturation), aiohttp's C parser about a third of that (bench/RESULTS.md).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field

import aiohttp
from pydantic import BaseModel

from domains.vision.render import render_photo_without_mark

TERMINAL = {"done", "failed", "needs_input"}
# Photos without a mark, each with the user's word for it: the hint is what identifies the item
# (the simulated vision model reports the hint; nothing here depends on OCR).
HINTS = ("다 마신 삼다수 병", "우유팩", "참치캔", "다 쓴 건전지", "택배 상자", "유리 소주병")


def images(count: int = len(HINTS)) -> list[tuple[bytes, str]]:
    """``count`` pre-rendered (photo, hint) pairs, rendered once and reused by every VU."""
    return [
        (render_photo_without_mark(seed=n, size=320), HINTS[n % len(HINTS)]) for n in range(count)
    ]


class Cycle(BaseModel):
    """One scan as a VU saw it; times in seconds from the cycle's start."""

    started: float  # monotonic, to place the cycle in the level
    submit_s: float | None = None
    first_event_s: float | None = None
    end_s: float | None = None
    events: int = 0
    outcome: str = "incomplete"  # done | failed | needs_input | an error kind
    # The rule stage as the client saw it: its "started" event to its "completed" one (the
    # classification, its progress writes and the gateway's hop; no LLM wait in it).
    rule_started_s: float | None = None
    rule_s: float | None = None


@dataclass
class LoadResult:
    """Every cycle of one level, and the level's bounds."""

    vus: int
    duration_s: float
    cycles: list[Cycle] = field(default_factory=list)
    wall_s: float = 0.0  # from the first start to the last cycle's end

    def outcomes(self) -> Counter[str]:
        return Counter(cycle.outcome for cycle in self.cycles)


def _sse_events(lines: list[str]) -> tuple[str | None, dict | None]:
    """The (event, data) of one SSE block; comments (``: ping``) and ids are skipped."""
    name, data = None, []
    for line in lines:
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())
    if name is None and not data:
        return None, None
    try:
        body = json.loads("\n".join(data)) if data else None
    except json.JSONDecodeError:
        body = None
    return name, body


def _terminal(name: str | None, body: dict | None) -> str | None:
    if name in TERMINAL:
        return name
    status = (body or {}).get("status")
    return status if status in ("failed", "needs_input") else None


async def follow(
    session: aiohttp.ClientSession, url: str, cycle: Cycle, t0: float, auth: dict[str, str]
) -> None:
    """Read the SSE stream until its terminal event; set the cycle's outcome and times."""
    async with session.get(url, headers={"Accept": "text/event-stream", **auth}) as response:
        if response.status != 200:
            cycle.outcome = f"sse_http_{response.status}"
            return
        block: list[str] = []
        async for raw in response.content:
            line = raw.decode().rstrip("\r\n")
            if line:
                block.append(line)
                continue
            name, body = _sse_events(block)
            block = []
            if name is None and body is None:
                continue
            cycle.events += 1
            if cycle.first_event_s is None:
                cycle.first_event_s = time.monotonic() - t0
            if isinstance(body, dict) and body.get("stage") == "rule":
                now = time.monotonic() - t0
                if body.get("status") == "started":
                    cycle.rule_started_s = now
                elif body.get("status") == "completed" and cycle.rule_started_s is not None:
                    cycle.rule_s = now - cycle.rule_started_s
            if end := _terminal(name, body):
                cycle.outcome = end
                cycle.end_s = time.monotonic() - t0
                return
    cycle.outcome = "sse_dropped"  # the stream closed before a terminal event


def _form(photo: tuple[bytes, str], model: str) -> aiohttp.FormData:
    data, hint = photo
    form = aiohttp.FormData()
    form.add_field("image", data, filename="photo.jpg", content_type="image/jpeg")
    form.add_field("hint", hint)
    form.add_field("model", model)
    return form


async def sign_in(session: aiohttp.ClientSession, nickname: str) -> dict[str, str]:
    """The dev login (the benchmarked system runs with ECO2_AUTH__DEV_LOGIN=true): the headers
    carrying the VU's access token."""
    async with session.post("/api/v1/auth/dev-login", json={"nickname": nickname}) as response:
        if response.status != 200:
            raise RuntimeError(f"sign-in of {nickname} refused: {response.status}")
        token = (await response.json())["access_token"]
    return {"Authorization": f"Bearer {token}"}


async def sign_in_all(
    session: aiohttp.ClientSession, vus: int, concurrency: int = 16
) -> list[dict[str, str]]:
    """Every VU signs in once, ``concurrency`` at a time, before the load starts: a login is
    an account write, not what the benchmark measures, and a thousand at once would be a
    stampede no real service sees. Each request afterwards only has its token verified."""
    gate = asyncio.Semaphore(concurrency)

    async def one(n: int) -> dict[str, str]:
        async with gate:
            return await sign_in(session, f"bench-{n}")

    return await asyncio.gather(*(one(n) for n in range(vus)))


async def sign_in_vus(base_url: str, vus: int) -> list[dict[str, str]]:
    """``sign_in_all`` on a session of its own, so a caller can sign every VU in before it
    starts counting CPU (bench/run.py): the logins' cost is not a scan's."""
    async with aiohttp.ClientSession(
        base_url=base_url, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:
        return await sign_in_all(session, vus)


async def one_scan(
    session: aiohttp.ClientSession,
    photo: tuple[bytes, str],
    auth: dict[str, str],
    model: str,
    timeout_s: float,
) -> Cycle:
    """Submit one scan (as the VU ``auth`` signs in) and follow it to its end; never raises."""
    t0 = time.monotonic()
    cycle = Cycle(started=t0)
    try:
        async with asyncio.timeout(timeout_s):
            async with session.post(
                "/api/v1/scans", data=_form(photo, model), headers=auth
            ) as response:
                cycle.submit_s = time.monotonic() - t0
                if response.status != 202:
                    cycle.outcome = f"http_{response.status}"
                    return cycle
                events_url = (await response.json())["events_url"]
            await follow(session, events_url, cycle, t0, auth)
    except TimeoutError:
        cycle.outcome = "submit_timeout" if cycle.submit_s is None else "sse_timeout"
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError):
        cycle.outcome = "sse_dropped" if cycle.submit_s is not None else "connection_dropped"
    except aiohttp.ClientError as exc:
        cycle.outcome = type(exc).__name__
    return cycle


async def run_level(
    base_url: str,
    vus: int,
    duration_s: float,
    *,
    model: str = "sim",
    ramp_s: float | None = None,
    cycle_timeout_s: float = 120.0,
    photos: list[tuple[bytes, str]] | None = None,
    auths: list[dict[str, str]] | None = None,
) -> LoadResult:
    """Drive ``vus`` closed-loop VUs for ``duration_s`` (starts stop then; scans in flight end).
    ``auths``: each VU's headers when signed in already (``sign_in_vus``); else they sign in
    here first."""
    photos = photos or images()
    ramp_s = min(duration_s / 4, 10.0) if ramp_s is None else ramp_s
    result = LoadResult(vus=vus, duration_s=duration_s)
    # One connection per VU (an SSE stream holds its connection for the whole scan), plus
    # room for the uploads of VUs whose previous stream is still closing.
    connector = aiohttp.TCPConnector(limit=vus + 16, limit_per_host=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=None, connect=10.0, sock_read=cycle_timeout_s)
    # No cookie jar: the login's cookies would ride on every request; the header is enough.
    session = aiohttp.ClientSession(
        base_url=base_url, connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
    )
    try:
        auths = auths if auths is not None else await sign_in_all(session, vus)
    except BaseException:
        await session.close()
        raise
    start = time.monotonic()
    stop_at = start + duration_s

    async def vu(n: int) -> None:
        rng = random.Random(n)
        await asyncio.sleep(ramp_s * n / max(1, vus))
        while time.monotonic() < stop_at:
            cycle = await one_scan(session, rng.choice(photos), auths[n], model, cycle_timeout_s)
            result.cycles.append(cycle)
            if cycle.outcome not in TERMINAL:
                await asyncio.sleep(0.5)  # an error: back off a little, as a real client would

    try:
        async with asyncio.timeout(duration_s + cycle_timeout_s + 30):
            await asyncio.gather(*(vu(n) for n in range(vus)))
    finally:
        await session.close()
    result.wall_s = time.monotonic() - start
    return result
