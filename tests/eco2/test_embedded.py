"""The embedded default: the real functions and triggers on the in-process bus, no servers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from domains.vision.render import MarkSpec, render_mark, render_photo_without_mark
from eco2.embedded import EmbeddedPipeline
from eventing.events import Progress

ROOT = Path(__file__).resolve().parents[2]
STAGE_STEPS = [
    ("vision", "started", 0),
    ("vision", "completed", 25),
    ("rule", "started", 25),
    ("rule", "completed", 50),
    ("answer", "started", 50),
    ("answer", "completed", 75),
    ("reward", "started", 75),
    ("reward", "completed", 100),
    ("done", "completed", 100),
]


async def _steps(pipeline: EmbeddedPipeline, job_id: str) -> list[Progress]:
    return [step async for step in pipeline.follow(job_id, timeout_s=30)]


def _shape(steps: list[Progress]) -> list[tuple[str, str, int]]:
    return [(s.stage, s.status, s.progress) for s in steps]


async def test_a_rendered_mark_is_read_classified_answered_and_rewarded_once() -> None:
    image = render_mark(MarkSpec(word="무색페트", rotation=-6, noise=6, seed=11))
    async with EmbeddedPipeline() as pipeline:
        first = await pipeline.submit(image)
        steps = await _steps(pipeline, first)
        second = await pipeline.submit(image)
        again = await _steps(pipeline, second)

    assert _shape(steps) == STAGE_STEPS
    assert [s.seq for s in steps] == list(range(1, len(steps) + 1))
    result = steps[-1].payload
    assert result is not None
    assert "무색페트" in result["vision"]["marks"] and result["vision"]["source"] == "ocr"
    assert result["rule"]["category"] == "clear_pet"
    assert result["answer"]["model"] == "local" and "페트" in result["answer"]["text"]
    assert result["reward"] == {
        "received": True,
        "already_owned": False,
        "character": "투명이",
        "dialog": result["reward"]["dialog"],
    }
    # The same user's second scan of the category: the in-memory service remembers the first.
    assert again[-1].payload["reward"]["already_owned"] is True  # type: ignore[index]


async def test_a_photo_with_a_hint_is_classified_from_the_hint() -> None:
    async with EmbeddedPipeline() as pipeline:
        job_id = await pipeline.submit(render_photo_without_mark(seed=21), "다 마신 삼다수 병")
        steps = await _steps(pipeline, job_id)
    assert _shape(steps) == STAGE_STEPS
    result = steps[-1].payload
    assert result is not None
    assert result["vision"]["source"] == "hint" and result["rule"]["category"] == "clear_pet"
    assert result["reward"]["received"] is True


async def test_no_mark_and_no_hint_asks_then_the_answer_resumes_the_job() -> None:
    async with EmbeddedPipeline() as pipeline:
        job_id = await pipeline.submit(render_photo_without_mark(seed=22))
        asked = await _steps(pipeline, job_id)
        await pipeline.answer(job_id, "다 쓴 건전지")
        resumed = await _steps(pipeline, job_id)

    assert _shape(asked) == [("vision", "started", 0), ("needs_input", "needs_input", 0)]
    assert "어떤 물건" in asked[-1].payload["question"]  # type: ignore[index]
    # The resumed run continues the job's seqs and is followed from after the question.
    assert resumed[0].seq == asked[-1].seq + 1
    assert _shape(resumed) == STAGE_STEPS
    result = resumed[-1].payload
    assert result is not None
    assert result["request"]["hint"] == "다 쓴 건전지"
    assert result["rule"]["category"] == "battery" and result["reward"]["received"] is True


async def test_an_image_vision_cannot_open_fails_the_job_with_the_reason() -> None:
    async with EmbeddedPipeline() as pipeline:
        job_id = await pipeline.submit(b"this is not an image", "페트병")
        steps = await _steps(pipeline, job_id)
    assert steps[-1].stage == "failed"
    assert steps[-1].payload["stage"] == "vision"  # type: ignore[index]
    assert "2 of 2 attempts" in steps[-1].payload["reason"]  # type: ignore[index]


def test_the_demo_runs_with_every_server_unreachable(tmp_path: Path) -> None:
    # Port 1 on loopback is closed: any attempt to reach Redis, RabbitMQ or PostgreSQL fails.
    env = {
        **os.environ,
        "ECO2_REDIS_URL": "redis://127.0.0.1:1/0",
        "ECO2_AMQP_URL": "amqp://guest:guest@127.0.0.1:1/",
        "ECO2_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:1/test",
        "COLUMNS": "120",
    }
    done = subprocess.run(
        [sys.executable, "-m", "eco2.cli", "demo", "--samples", str(tmp_path / "samples")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "demo: 5/5 scans done, 1 answered a question, 5 characters received, 0 unexpected" in (
        done.stdout
    )
    assert "다 쓴 건전지" in done.stdout and "투명이" in done.stdout
    assert sorted(p.name for p in (tmp_path / "samples").iterdir()) == [
        "mark-can.jpg",
        "mark-clear-pet.jpg",
        "mark-vinyl.png",
        "photo-bottle.jpg",
        "photo-unknown.jpg",
    ]
