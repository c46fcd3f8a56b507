"""The kept one-stage benchmark runs a real stage worker on Redis, queued or paced; no key left."""

from __future__ import annotations

import argparse

import pytest
from redis import asyncio as aioredis

from bench import stage
from eco2.settings import get_settings

ENV = ("ECO2_LLM__MODEL", "ECO2_LLM__SIM_SCALE", "ECO2_PROGRESS__KEY_PREFIX")


@pytest.fixture(autouse=True)
def restored_env(monkeypatch: pytest.MonkeyPatch):
    # bench/stage.py sets its settings through the environment: undo that after each test.
    for name in (*ENV, "ECO2_PIPELINE__TOPIC_PREFIX"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize("rate", [0.0, 200.0], ids=["queued", "paced"])
async def test_a_rule_run_handles_every_event_and_leaves_no_key(rate: float) -> None:
    args = argparse.Namespace(stage="rule", events=30, sim_scale=0.0, rate=rate)
    result = await stage._run_once(args, None)
    assert result["events"] == 30 and result["cpu_ms_per_event"] > 0
    redis = aioredis.from_url("redis://127.0.0.1:6379/0")
    try:
        assert [key async for key in redis.scan_iter("stagebench*", count=1000)] == []
    finally:
        await redis.aclose()
