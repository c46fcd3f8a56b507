"""Each stage served over HTTP by ``eco2 function serve-http`` (functions-framework's app and
server, the function built by its factory), chained the way Knative would chain them: the reply
of one stage is the request of the next."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest
from redis import asyncio as aioredis

from domains.image import RedisImageStore
from domains.scan.events import ScanRequested, ScanState
from domains.vision.render import random_spec, render_mark
from eventing.bindings.http import from_http, to_binary
from eventing.events import make_event, payload_of
from tests.domains.conftest import drop_schema
from tests.eventing.runtime.helpers import BIN, Proc, free_port
from tests.eventing.runtime.test_http_trigger import wait_up

STAGES = ("vision", "rule", "answer", "reward")


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, str]]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    procs: dict[str, tuple[Proc, str]] = {}
    for stage in STAGES:
        port = free_port()
        # functions-framework's app and server, the function built by its factory.
        args = [str(BIN / "eco2"), "function", "serve-http", f"functions/{stage}/main.py"]
        args += ["--host", "127.0.0.1", "--port", str(port)]
        env = {"ECO2_DATABASE_SCHEMA": schema}
        procs[stage] = (Proc(args, env=env), f"http://127.0.0.1:{port}/")
    try:
        for proc, url in procs.values():
            wait_up(url, proc, timeout=60)
        yield {stage: url for stage, (_, url) in procs.items()}
    finally:
        for proc, _ in procs.values():
            proc.kill()
        asyncio.run(drop_schema(schema))


async def _store(image: bytes) -> str:
    client = aioredis.from_url("redis://127.0.0.1:6379/0")
    try:
        return await RedisImageStore(client, ttl_s=300).put(image)
    finally:
        await client.aclose()


def test_stages_chain_over_http_like_knative(servers: dict[str, str]) -> None:
    job = f"job-{uuid.uuid4().hex[:8]}"
    ref = asyncio.run(_store(render_mark(random_spec("무색페트", "PET", seed=11))))
    request = ScanRequested(job_id=job, user_id=f"u-{job}", image_ref=ref)
    event = make_event("kr.eco2.scan.requested", ScanState(request=request), subject=job)
    seen = []
    for stage in STAGES:
        message = to_binary(event)
        response = httpx.post(
            servers[stage], headers=message.headers, content=message.body, timeout=60
        )
        assert response.status_code == 200, f"{stage}: {response.status_code} {response.text}"
        event = from_http(dict(response.headers), response.content)
        seen.append(event["type"])
        assert event["subject"] == job
    assert seen == [
        "kr.eco2.scan.vision.completed",
        "kr.eco2.scan.rule.completed",
        "kr.eco2.scan.answer.completed",
        "kr.eco2.scan.reward.completed",
    ]
    state = payload_of(event, ScanState)
    assert state.rule.category == "clear_pet"
    assert "페트" in state.answer.text
    assert state.reward.received is True and state.reward.character


def test_a_malformed_event_gets_a_400_naming_what_is_missing(servers: dict[str, str]) -> None:
    response = httpx.post(servers["rule"], headers={"ce-id": "1"}, content=b"{}", timeout=10)
    assert response.status_code == 400
    assert "ce-source" in response.json()["error"] and "ce-type" in response.json()["error"]


@pytest.mark.parametrize(
    ("body", "says"),
    [(b"{not json", "ScanState"), (b'{"request": {"job_id": 7}}', "job_id"), (b"[1, 2]", "")],
)
def test_data_that_is_not_json_or_not_its_shape_gets_a_400_with_the_reason(
    servers: dict[str, str], body: bytes, says: str
) -> None:
    headers = {
        "ce-id": "1",
        "ce-specversion": "1.0",
        "ce-source": "/t",
        "ce-type": "kr.eco2.scan.vision.completed",
        "ce-subject": "job-x",
        "content-type": "application/json",
    }
    for stage in ("vision", "rule"):
        response = httpx.post(servers[stage], headers=headers, content=body, timeout=10)
        assert response.status_code == 400, (stage, response.status_code, response.text)
        assert says in response.json()["error"], response.json()
