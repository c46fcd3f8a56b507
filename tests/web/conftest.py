"""Browser tests: Debian's chromium driven by Playwright against the real system.

One ``eco2 serve`` (API + SSE gateway, router, a worker per stage, the chat worker) runs on
the real Redis, RabbitMQ-free Redis Streams transport and PostgreSQL for the whole module,
with the sample districts imported, behind a proxy the resume test can cut. Every page is
360 px wide (a phone), Korean, and each test saves a screenshot under
``test-results/web/`` (or ``$ECO2_TEST_OUTPUT``) and runs axe-core on what it shows.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import cleanup
from tests.e2e.support import ROOT, Proc, free_port, isolated_env, serve_argv, spawn
from tests.web.proxy import Proxy

CHROMIUM = Path(os.environ.get("ECO2_TEST_CHROMIUM", "/usr/bin/chromium"))
DIST = ROOT / "web" / "dist" / "index.html"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
OUTPUT = Path(os.environ.get("ECO2_TEST_OUTPUT", ROOT / "test-results" / "web"))
# 역삼동 (서울 강남구), where the sample facilities are.
YEOKSAM = {"latitude": 37.5010, "longitude": 127.0350}


def _why_not() -> str | None:
    if not CHROMIUM.exists():
        return f"no chromium at {CHROMIUM} (make system-deps installs Debian's chromium)"
    if not DIST.exists():
        return "web/dist is not built (make web needs Node 20 and npm)"
    if not AXE.exists():
        return "axe-core is not installed (make web runs npm ci in web/)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (make setup installs the dev extra)"
    return None


REASON = _why_not()
if REASON:
    pytestmark = pytest.mark.skip(reason=REASON)


@dataclass
class System:
    url: str  # as the browser sees it: through the proxy
    proxy: Proxy


@pytest.fixture(scope="session")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    """The running system, behind a proxy a test can cut."""
    unique = f"web{uuid.uuid4().hex[:10]}"
    logs = tmp_path_factory.mktemp("web-system")
    env = isolated_env(unique)
    # The chat worker's first turn loads its classifier: give handlers time (not redelivered).
    env.update(ECO2_RUNTIME__HANDLER_TIMEOUT_S="40", ECO2_RUNTIME__CLAIM_IDLE_MS="60000")
    samples = subprocess.run(
        [sys.executable, "-m", "eco2.cli", "data", "samples"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert samples.returncode == 0, samples.stdout + samples.stderr
    port = free_port()
    serve: Proc = spawn("serve", serve_argv(port), env, logs)
    proxy = Proxy(("127.0.0.1", port))
    try:
        serve.wait_for(r"listening on http://127\.0\.0\.1:\d+", 90)
        # "listening" comes before the workers are ready; the chat worker (Kiwi, its
        # classifier, the checkpointer) takes tens of seconds on a busy machine.
        for stage in ("vision", "rule", "answer", "reward", "chat"):
            serve.wait_for(rf"consuming \S*fn:{stage} ", 240)
        yield System(f"http://127.0.0.1:{proxy.start()}", proxy)
    finally:
        proxy.close()
        serve.stop()
        cleanup(unique)


@pytest.fixture(scope="session")
def browser(system: System) -> Iterator[Any]:
    """Chromium; it closes before the system's cleanup (its asyncio.run cannot run while
    Playwright's loop does), hence the dependency on ``system``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, system: System, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A phone-sized Korean page at the system, allowed to know where it is (역삼동)."""
    context = browser.new_context(
        base_url=system.url,
        viewport={"width": 360, "height": 740},
        locale="ko-KR",
        geolocation=YEOKSAM,
        permissions=["geolocation"],
    )
    context.set_default_timeout(60_000)
    page = context.new_page()
    yield page
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{request.node.name}.png"), full_page=True)
    context.close()


def sign_in(page: Any, nickname: str | None = None) -> str:
    """Sign in with the dev login, as a person would, and land on the scan page."""
    nickname = nickname or f"tester-{uuid.uuid4().hex[:6]}"
    page.goto("/")
    page.get_by_label("닉네임", exact=True).last.fill(nickname)
    page.get_by_role("button", name="닉네임으로 시작").click()
    page.get_by_role("heading", name="분리배출 찾기").wait_for()
    return nickname


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious or critical axe-core violations of what the page shows now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]


def assert_accessible(page: Any) -> None:
    bad = axe_violations(page)
    detail = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in bad]
    assert not bad, detail


def save(page: Any, name: str) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
