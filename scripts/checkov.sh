#!/usr/bin/env bash
# checkov on the Containerfile, the manifests and terraform/, offline. checkov pins its own
# dependencies tighter than the project's, so it lives in a venv of its own (.tools/checkov),
# installed from tools/checkov.txt (hashes; `uv pip compile tools/checkov.in --generate-hashes`).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.tools/checkov
if [ ! -x "$venv/bin/checkov" ] || ! cmp -s tools/checkov.txt "$venv/.installed"; then
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --require-hashes --no-deps \
    -r tools/checkov.txt
  cp tools/checkov.txt "$venv/.installed"
fi
# --skip-download: no guidelines from the vendor's API (no network here, none needed).
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp Containerfile "$scratch/Dockerfile"  # checkov knows the file by its Docker name
status=0
"$venv/bin/checkov" --skip-download --compact --quiet -f "$scratch/Dockerfile" || status=1
for dir in knative keda terraform; do
  "$venv/bin/checkov" --skip-download --compact --quiet -d "$dir" || status=1
done
exit $status
