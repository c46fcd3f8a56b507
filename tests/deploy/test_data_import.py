"""The Job eco2-data-import (deploy/components/data-import), its two scripts run here as the
pod would run them: the init container downloads each URL the ConfigMap names, the main
container imports each file with ``eco2 data import`` into the real PostgreSQL."""

from __future__ import annotations

import asyncio
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from domains.location.importers import SAMPLES
from eco2.cli.data import KINDS
from tests.deploy.manifests import ROOT
from tests.domains.conftest import DATABASE_URL, drop_schema

COMPONENT = ROOT / "deploy" / "components" / "data-import"
(JOB,) = yaml.safe_load_all((COMPONENT / "data-import.yaml").read_text())
POD = JOB["spec"]["template"]["spec"]
(FETCH,) = POD["initContainers"]
(IMPORT,) = POD["containers"]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """A loopback HTTP server over a folder holding one sample file; yields its base URL."""
    folder = tmp_path / "site"
    folder.mkdir()
    shutil.copy(SAMPLES["lamp-battery-boxes"], folder / "boxes.csv")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_the_job_mounts_what_its_scripts_read() -> None:
    volumes = {v["name"]: v for v in POD["volumes"]}
    assert volumes["urls"]["configMap"]["name"] == "eco2-public-data"
    fetch = {m["mountPath"]: m["name"] for m in FETCH["volumeMounts"]}
    imports = {m["mountPath"]: m["name"] for m in IMPORT["volumeMounts"]}
    assert fetch["/urls"] == "urls" and fetch["/data"] == imports["/data"] == "data"
    assert "emptyDir" in volumes["data"]


def test_the_documented_keys_are_the_importer_s_kinds() -> None:
    comment = (COMPONENT / "public-data.yaml").read_text().split("apiVersion")[0]
    listed = [k for k in KINDS if k in comment]
    assert listed == list(KINDS)


def test_fetch_then_import_as_the_pod_does(served: str, tmp_path: Path, unique: str) -> None:
    urls, data = tmp_path / "urls", tmp_path / "data"
    urls.mkdir()
    data.mkdir()
    # A ConfigMap volume: one file per key, plus its own dot-links the script must pass over.
    (urls / "lamp-battery-boxes").write_text(f"{served}/boxes.csv\n")
    (urls / "..data").mkdir()
    script = FETCH["args"][0].replace('"/urls"', f'"{urls}"').replace('"/data"', f'"{data}"')
    fetched = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert fetched.returncode == 0, fetched.stderr
    assert sorted(p.name for p in data.iterdir()) == ["lamp-battery-boxes.csv"]
    assert (data / "lamp-battery-boxes.csv").read_bytes() == Path(
        SAMPLES["lamp-battery-boxes"]
    ).read_bytes()

    schema = f"m_{unique}"
    loop = IMPORT["args"][0].replace("/data/", f"{data}/")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "ECO2_DATABASE_URL": DATABASE_URL,
        "ECO2_DATABASE_SCHEMA": schema,
    }
    try:
        imported = subprocess.run(
            ["sh", "-c", loop], capture_output=True, text=True, timeout=120, env=env, check=False
        )
        assert imported.returncode == 0, imported.stdout + imported.stderr
        assert "7 taken (7 new" in imported.stdout
    finally:
        asyncio.run(drop_schema(schema))
