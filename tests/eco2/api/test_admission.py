"""Load shedding: new scans are refused while too many wait, and never because of a bad probe."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI

from eco2.api.admission import REFUSED, Admission
from eco2.settings import Settings
from tests.eco2.api.conftest import png


def probe_of(values: list[int | Exception]):
    async def probe() -> int:
        value = values[0] if len(values) == 1 else values.pop(0)
        if isinstance(value, Exception):
            raise value
        return value

    return probe


async def test_admits_below_the_limit_and_refuses_at_it() -> None:
    admission = Admission(probe_of([2, 3]), limit=3)
    await admission.measure()
    assert admission.admits()
    await admission.measure()
    refused = REFUSED._value.get()
    assert not admission.admits()
    assert REFUSED._value.get() == refused + 1


async def test_a_failing_probe_admits_and_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    admission = Admission(probe_of([5, OSError("redis gone"), OSError("still"), 1]), limit=3)
    await admission.measure()
    assert not admission.admits()
    with caplog.at_level(logging.WARNING, logger="eco2.api"):
        await admission.measure()
        await admission.measure()
    assert admission.admits() and admission.waiting is None
    assert [r.message for r in caplog.records].count(
        "cannot read the scan backlog (redis gone); admitting every scan"
    ) == 1
    assert len(caplog.records) == 1
    await admission.measure()
    assert admission.waiting == 1


async def test_limit_zero_never_measures_nor_refuses() -> None:
    async def probe() -> int:
        raise AssertionError("measured")

    admission = Admission(probe, limit=0)
    async with admission.running():
        assert admission.admits()


async def test_running_measures_on_its_interval_until_the_block_ends() -> None:
    calls = 0

    async def probe() -> int:
        nonlocal calls
        calls += 1
        return calls

    admission = Admission(probe, limit=100, interval_s=0.02)
    async with admission.running():
        assert admission.waiting == 1  # measured before the block starts
        await asyncio.sleep(0.15)
        assert admission.waiting is not None and admission.waiting >= 3
    seen = calls
    await asyncio.sleep(0.05)
    assert calls == seen  # stopped with the block


async def test_the_api_refuses_new_scans_while_the_vision_backlog_is_full(
    make_app: Callable[[Settings], FastAPI],
    api_settings: Settings,
    stored: list[bytes],
    auth_headers: dict[str, str],
) -> None:
    # No vision worker runs here: every accepted scan waits in the vision topic.
    settings = api_settings.model_copy(
        update={"api_max_waiting_scans": 2, "api_admission_interval_s": 0.02}
    )
    app = make_app(settings)

    async def submit(client: httpx.AsyncClient) -> httpx.Response:
        data = png()
        stored.append(data)
        return await client.post(
            "/api/v1/scans",
            files={"image": ("p.png", data, "image/png")},
            headers=auth_headers,
        )

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            assert (await submit(client)).status_code == 202
            assert (await submit(client)).status_code == 202
            await asyncio.sleep(0.1)  # a measurement sees both waiting
            refused = await submit(client)
            assert app.state.scan.admission.waiting == 2
            metrics = (await client.get("/metrics")).text
    assert refused.status_code == 503, refused.text
    assert refused.headers["retry-after"] == "5"
    error = refused.json()["error"]
    assert error["code"] == "overloaded" and "2 scans are waiting" in error["message"]
    assert "eco2_api_waiting_scans 2.0" in metrics


async def test_a_probe_that_hangs_admits_instead_of_holding_the_start() -> None:
    async def probe() -> int:
        await asyncio.sleep(3600)
        return 0

    admission = Admission(probe, limit=1, interval_s=0.01)
    async with asyncio.timeout(5):
        await admission.measure()  # bounded by max(interval, 1 s)
    assert admission.waiting is None and admission.admits()
