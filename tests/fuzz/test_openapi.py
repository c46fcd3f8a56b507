"""schemathesis over the API's own OpenAPI, on a real ``eco2 api`` process and the real servers.

Every route is called with generated valid and invalid input (NUL and control characters,
huge numbers, wrong types, bodies that are not JSON); the checks are that none answers 5xx and
every answer matches its documented schema. Bounded so CI stays short (``FUZZ_EXAMPLES`` per
route raises it for a longer local run); the seed is fixed, so a failure reproduces. Run by
schemathesis's own command line: its pytest plugin does not load under pytest 9.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import cleanup
from tests.e2e.support import Proc, free_port, isolated_env, spawn

EXAMPLES = os.environ.get("FUZZ_EXAMPLES", "40")
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"
ST = Path(sys.executable).with_name("st")


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    unique = f"f{uuid.uuid4().hex[:10]}"
    env = isolated_env(unique)
    env["ECO2_PIPELINE__TRANSPORT"] = "redis"  # nothing runs the scans: they only queue
    # Every user route is fuzzed signed in (a 401 alone would test nothing behind it), and the
    # per-user limits would otherwise turn most scans and chat turns into 429s.
    env |= {f"ECO2_AUTH__{name}": "1000000" for name in ("SCAN_BURST", "SCAN_PER_MINUTE")}
    env |= {f"ECO2_AUTH__{name}": "1000000" for name in ("CHAT_BURST", "CHAT_PER_MINUTE")}
    port = free_port()
    logs: Path = tmp_path_factory.mktemp("fuzz")
    argv = [sys.executable, "-m", "eco2.cli", "api", "--port", str(port)]
    proc: Proc = spawn("api", argv, env, logs)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base, proc, 90)
        yield base
    finally:
        proc.stop(20)
        cleanup(unique)


def _wait_ready(base: str, proc: Proc, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.popen.poll() is None:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"the API did not become ready:\n{proc.text()[-3000:]}")


def _token(base: str) -> str:
    """An access token through the dev login (isolated_env turns it on)."""
    answer = httpx.post(f"{base}/api/v1/auth/dev-login", json={"nickname": "fuzz"}, timeout=20)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


@pytest.mark.timeout(900)
def test_no_route_answers_5xx_or_off_its_schema(api: str, tmp_path: Path) -> None:
    argv = [
        str(ST),
        "--no-color",
        "run",
        f"{api}/openapi.json",
        "--checks",
        CHECKS,
        "--max-examples",
        EXAMPLES,
        "--seed",
        "20261206",
        "--generation-allow-x00",
        "true",
        "--request-timeout",
        "20",
        "--max-failures",
        "100",
        "--header",
        f"Authorization: Bearer {_token(api)}",
    ]
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=840)
    report = done.stdout[-12000:] + done.stderr[-3000:]
    assert done.returncode == 0, report
    assert "Operations:" in report and " 0 selected" not in report, report
