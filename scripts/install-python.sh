#!/usr/bin/env bash
# The one Python install step of Eco², shared by the Makefile (developers and CI) and the
# Containerfile, so CI proves the image's install: uv at a pinned version in a venv of its own,
# then exactly the versions of uv.lock into the target venv.
#
#   scripts/install-python.sh UV_VENV TARGET_VENV [uv sync options, e.g. --extra ocr]
set -euo pipefail
UV_VERSION=0.13.9
uv_venv=$1
target=$2
shift 2
if ! "$uv_venv/bin/uv" --version 2>/dev/null | grep -q " $UV_VERSION"; then
  "${PYTHON:-python3}" -m venv "$uv_venv"
  "$uv_venv/bin/python" -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
fi
# --locked: install uv.lock as it is, and fail if pyproject.toml changed without it.
# --compile-bytecode: the image runs with PYTHONDONTWRITEBYTECODE and a read-only root
# filesystem, so nothing compiled at install is compiled at every pod start instead, import by
# import; it halved chat's start (bench/RESULTS.md, cold start).
UV_PROJECT_ENVIRONMENT=$(realpath -m "$target") UV_PYTHON_DOWNLOADS=never \
  "$uv_venv/bin/uv" sync --locked --compile-bytecode --python "${PYTHON:-python3}" "$@"
