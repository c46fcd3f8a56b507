#!/usr/bin/env bash
# Security checks: bandit on the code (a high-severity finding fails), pip-audit on uv.lock.
# Both live in a venv of their own (.tools/audit) from the hashed tools/audit.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.tools/audit
if [ ! -x "$venv/bin/bandit" ] || ! cmp -s tools/audit.txt "$venv/.installed"; then
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --require-hashes --no-deps \
    -r tools/audit.txt
  cp tools/audit.txt "$venv/.installed"
fi
# Medium findings are listed, not fatal: B104 (binding 0.0.0.0) is what a pod's server does.
"$venv/bin/bandit" -q -r eco2 eventing domains functions --severity-level high
"$venv/bin/bandit" -q -r eco2 eventing domains functions --severity-level medium --exit-zero \
  | grep -E "Issue|Location" || true
# pip-audit asks PyPI's vulnerability data; a registry mirror without it cannot answer, and
# then it says so per package instead of failing the build.
if [ "${ECO2_PIP_AUDIT:-auto}" != "off" ]; then
  req=$(mktemp)
  trap 'rm -f "$req"' EXIT
  .uv/bin/uv export --locked --no-hashes --all-extras --no-emit-project -q -o "$req"
  status=0
  out=$(timeout 300 "$venv/bin/pip-audit" -r "$req" --no-deps --disable-pip \
    --progress-spinner off 2>&1) || status=$?
  unaudited=$(echo "$out" | grep -c "could not be audited" || true)
  echo "$out" | grep -vE "could not be audited" | tail -5
  [ "$unaudited" -gt 0 ] && echo "pip-audit: $unaudited packages could not be audited (this registry gives no vulnerability data)"
  # Only a vulnerability found fails the build; a registry or network that cannot answer is said.
  if [ "$status" -ne 0 ] && ! echo "$out" | grep -qE "Found [0-9]+ known vulnerabilit"; then
    echo "pip-audit could not run to its end here (exit $status): nothing audited"
    status=0
  fi
  exit $status
fi
