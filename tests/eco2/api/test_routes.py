"""The scan endpoints against real Redis and PostgreSQL: refusals, submit, status, answer."""

from __future__ import annotations

import asyncio
import io
import threading

import httpx
import pytest
from PIL import Image
from redis import asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domains.scan.events import ScanState
from domains.scan.service import ScanJobService
from eco2.api import routes
from eco2.settings import Settings
from eventing.bus.redis import RedisBus
from eventing.events import payload_of
from eventing.progress import ProgressKeys, ProgressPublisher
from eventing.router import Router, RouterSettings
from tests.eco2.api.conftest import bomb_png, image_key, png

SCANS = "/api/v1/scans"


async def post_scan(
    client: httpx.AsyncClient,
    data: bytes,
    user: str,
    *,
    hint: str | None = None,
    key: str | None = None,
    filename: str = "photo.png",
) -> httpx.Response:
    headers: dict[str, str] = {}
    if key:
        headers["X-Idempotency-Key"] = key
    form = {"hint": hint} if hint else {}
    files = {"image": (filename, data, "application/octet-stream")}
    return await client.post(SCANS, files=files, data=form, headers=headers)


async def submitted(client: httpx.AsyncClient, stored: list[bytes], user: str) -> str:
    """Submit a fresh image (deleted after the test); the new job's id."""
    data = png()
    stored.append(data)
    return (await post_scan(client, data, user)).json()["job_id"]


async def requested_events(settings: Settings, group: str) -> list:
    """Every requested event on the vision topic (a fresh group reads from the start)."""
    bus = RedisBus(settings.redis_url, settings.shards, prefix=settings.pipeline.topic_prefix)
    try:
        await bus.ensure_group("eco2:fn:vision", group)
        deliveries = await bus.consume("eco2:fn:vision", group, "c", count=50, block_ms=200)
    finally:
        await bus.close()
    return [delivery.event for delivery in deliveries]


def tiff() -> bytes:
    return png(fmt="TIFF")


def corrupt() -> bytes:
    data = png()
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("make", "status", "code"),
    [
        (lambda: b"this is a text file, not a photo" * 4, 415, "not_image"),
        (lambda: b"", 400, "empty"),
        (lambda: b"\xff" * (10 * 1024 * 1024 + 1), 413, "too_large"),
        (corrupt, 400, "corrupt"),
        (bomb_png, 413, "decompression_bomb"),
        (tiff, 415, "unsupported_format"),
    ],
    ids=["not_image", "empty", "over_10_mib", "corrupt", "bomb", "tiff"],
)
async def test_bad_upload_is_a_4xx_and_creates_nothing(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    redis: aioredis.Redis,
    api_settings: Settings,
    user: str,
    make,
    status: int,
    code: str,
) -> None:
    data = make()
    response = await post_scan(client, data, user, hint="페트병")
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert await ScanJobService(sessions).list_jobs(user) == []
    assert await redis.exists(image_key(data)) == 0
    assert await requested_events(api_settings, "check") == []


async def test_missing_image_field_is_422(client: httpx.AsyncClient, user: str) -> None:
    response = await client.post(SCANS, data={"hint": "x"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


async def test_good_upload_queues_a_job(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    redis: aioredis.Redis,
    api_settings: Settings,
    stored: list[bytes],
    user: str,
) -> None:
    data = png()
    stored.append(data)
    response = await post_scan(client, data, user, hint="투명 페트병")
    assert response.status_code == 202, response.text
    body = response.json()
    job_id = body["job_id"]
    assert body == {
        "job_id": job_id,
        "status": "queued",
        "events_url": f"/api/v1/scans/{job_id}/events",
        "result_url": f"/api/v1/scans/{job_id}",
    }
    assert response.headers["location"] == f"/api/v1/scans/{job_id}"
    assert "idempotent-replay" not in response.headers

    job = await ScanJobService(sessions).get_job(job_id)
    assert (job.user_id, job.status, job.hint) == (user, "queued", "투명 페트병")
    assert await redis.exists(image_key(data)) == 1
    assert job.image_ref == image_key(data).removeprefix("eco2:image:")

    [event] = await requested_events(api_settings, "check")
    assert event["type"] == "kr.eco2.scan.requested"
    assert event["subject"] == job_id
    request = payload_of(event, ScanState).request
    assert (request.job_id, request.user_id, request.hint) == (job_id, user, "투명 페트병")
    assert request.image_ref == job.image_ref
    assert request.image_bytes == len(data)  # vision budgets memory before fetching it

    keys = ProgressKeys(api_settings.shards, api_settings.progress.key_prefix)
    entries = await redis.xrange(keys.stream(keys.shard(job_id)))
    queued = [fields for _, fields in entries if fields["job_id"] == job_id]
    assert [(f["seq"], f["stage"], f["status"], f["progress"]) for f in queued] == [
        ("1", "queued", "started", "0")
    ]
    assert await redis.hget(keys.state(job_id), "stage") == "queued"


def phone_photo() -> bytes:
    """A JPEG past the inline-check size: noise does not compress."""
    out = io.BytesIO()
    Image.effect_noise((900, 700), 60).convert("RGB").save(out, format="JPEG", quality=92)
    assert len(out.getvalue()) > routes.INLINE_CHECK_BYTES
    return out.getvalue()


async def test_a_big_photo_is_checked_off_the_event_loop(
    client: httpx.AsyncClient,
    redis: aioredis.Redis,
    stored: list[bytes],
    user: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A phone photo takes tens of milliseconds to check: on the loop it would stall every
    # SSE stream of the process. A cut one must still be refused from the thread.
    threads: list[str] = []
    check = routes._checked_digest

    def spy(*args):
        threads.append(threading.current_thread().name)
        return check(*args)

    monkeypatch.setattr(routes, "_checked_digest", spy)
    data, small = phone_photo(), png()
    stored.extend([data, small])
    accepted = await post_scan(client, data, user, filename="photo.jpg")
    cut = await post_scan(client, data[: len(data) * 9 // 10], user, filename="photo.jpg")
    inline = await post_scan(client, small, user)
    assert accepted.status_code == 202, accepted.text
    assert await redis.exists(image_key(data)) == 1
    assert (cut.status_code, cut.json()["error"]["code"]) == (400, "corrupt")
    assert inline.status_code == 202
    main = threading.current_thread().name
    assert len(threads) == 3 and main not in threads[:2]
    assert threads[2] == main  # a small upload is checked inline: the hand-off would cost more


async def test_the_hand_over_rides_in_the_submit_s_multi_exec(
    client: httpx.AsyncClient, redis: aioredis.Redis, stored: list[bytes], user: str
) -> None:
    # Image, registration, the queued step and the requested event: one MULTI/EXEC, so a job
    # is never left queued without its hand-over (and a submit is one Redis round trip).
    data = png()
    stored.append(data)
    async with redis.monitor() as monitor:
        posted = asyncio.create_task(post_scan(client, data, user))

        async def until_the_hand_over() -> list[tuple[str, int]]:
            seen: list[tuple[str, int]] = []
            async for command in monitor.listen():
                seen.append((command["command"], command["client_port"]))
                if command["command"].startswith("XADD") and "eco2:fn:vision:" in seen[-1][0]:
                    break
            return seen

        seen = await asyncio.wait_for(until_the_hand_over(), 10)
        assert (await posted).status_code == 202
    port = seen[-1][1]
    same_client = [text.split(" ")[0] for text, p in seen if p == port]
    begun = len(same_client) - 1 - same_client[::-1].index("MULTI") if "MULTI" in same_client else 0
    assert same_client[begun:] == ["MULTI", "SET", "EVAL", "EVAL", "XADD"], same_client


async def test_idempotent_replay_and_reuse(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    api_settings: Settings,
    stored: list[bytes],
    user: str,
) -> None:
    data = png()
    stored.append(data)
    first = await post_scan(client, data, user, key="k-1")
    again = await post_scan(client, data, user, key="k-1")
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert again.headers["idempotent-replay"] == "true"
    assert len(await ScanJobService(sessions).list_jobs(user)) == 1
    assert len(await requested_events(api_settings, "check")) == 1  # published once

    other = png()
    reused = await post_scan(client, other, user, key="k-1")
    assert reused.status_code == 409
    assert reused.json()["error"]["code"] == "idempotency_key_reused"


async def test_status_of_a_running_job_comes_from_the_progress_log(
    client: httpx.AsyncClient,
    redis: aioredis.Redis,
    api_settings: Settings,
    stored: list[bytes],
    user: str,
) -> None:
    # The job's row records only state changes; its stage while it runs is the routed log's.
    job_id = await submitted(client, stored, user)
    keys = ProgressKeys(api_settings.shards, api_settings.progress.key_prefix)
    await ProgressPublisher(redis, keys).emit(job_id, "rule", "started", 25)
    router = Router(redis, keys, RouterSettings(block_ms=100))
    await router.setup()
    routed = 0
    async with asyncio.timeout(5):
        while routed < 2:  # the submit's queued step, then ours
            routed += await router.step()
    running = await client.get(f"{SCANS}/{job_id}")
    assert running.status_code == 202
    assert running.json() == {
        "job_id": job_id,
        "status": "running",
        "stage": "rule",
        "progress": 25,
    }


async def test_status_follows_the_job(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    stored: list[bytes],
    user: str,
) -> None:
    job_id = await submitted(client, stored, user)
    jobs = ScanJobService(sessions)

    running = await client.get(f"{SCANS}/{job_id}")
    assert running.status_code == 202
    assert running.headers["retry-after"] == "1"
    assert running.json() == {
        "job_id": job_id,
        "status": "queued",
        "stage": "queued",
        "progress": 0,
    }

    await jobs.update_stage(job_id, "rule", 25)
    running = await client.get(f"{SCANS}/{job_id}")
    assert (running.status_code, running.json()["stage"], running.json()["progress"]) == (
        202,
        "rule",
        25,
    )

    result = {"rule": {"category": "투명페트병"}, "answer": {"text": "라벨을 떼세요"}}
    await jobs.complete(job_id, result)
    done = await client.get(f"{SCANS}/{job_id}")
    assert done.status_code == 200
    assert "retry-after" not in done.headers
    assert done.json() == {
        "job_id": job_id,
        "status": "done",
        "stage": "done",
        "progress": 100,
        "result": result,
    }


async def test_failed_job_reports_its_reason(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    stored: list[bytes],
    user: str,
) -> None:
    job_id = await submitted(client, stored, user)
    await ScanJobService(sessions).fail(job_id, "vision", "vision timed out after 20 s")
    failed = await client.get(f"{SCANS}/{job_id}")
    assert failed.status_code == 200
    assert failed.json()["status"] == "failed"
    assert failed.json()["failure_reason"] == "vision timed out after 20 s"


async def test_unknown_job_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{SCANS}/no-such-job")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    answer = await client.post(f"{SCANS}/no-such-job/answer", json={"text": "병"})
    assert answer.status_code == 404


async def test_answer_resumes_a_job_waiting_for_input(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    api_settings: Settings,
    stored: list[bytes],
    user: str,
) -> None:
    job_id = await submitted(client, stored, user)
    jobs = ScanJobService(sessions)

    early = await client.post(f"{SCANS}/{job_id}/answer", json={"text": "유리병"})
    assert early.status_code == 409  # nothing was asked yet
    assert early.json()["error"]["code"] == "invalid_transition"

    await jobs.needs_input(job_id, "무엇을 찍으셨나요?")
    asked = await client.get(f"{SCANS}/{job_id}")
    assert asked.status_code == 200
    assert asked.json()["status"] == "needs_input"
    assert asked.json()["question"] == "무엇을 찍으셨나요?"

    empty = await client.post(f"{SCANS}/{job_id}/answer", json={"text": ""})
    assert empty.status_code == 422

    answered = await client.post(f"{SCANS}/{job_id}/answer", json={"text": "유리병"})
    assert answered.status_code == 202
    assert answered.json()["job_id"] == job_id
    assert answered.json()["status"] == "running"
    job = await jobs.get_job(job_id)
    assert (job.status, job.stage, job.answer) == ("running", "vision", "유리병")
    running = await client.get(f"{SCANS}/{job_id}")
    assert running.status_code == 202

    first, second = await requested_events(api_settings, "check")
    assert first["id"] != second["id"]
    assert first["subject"] == second["subject"] == job_id
    assert payload_of(second, ScanState).request.hint == "유리병"
