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
# pip-audit on the lock. It asks a vulnerability service: PyPI's JSON API first, then OSV. A
# registry mirror without PyPI's JSON API answers "could not be audited" for every package, and
# OSV may be out of reach; then nothing was audited, and that is said plainly as a SKIP (exit 0,
# or 1 with ECO2_PIP_AUDIT=require, as a CI that must audit sets it). A vulnerability found fails
# unless tools/audit-ignore.txt names it with the reason it does not apply here.
if [ "${ECO2_PIP_AUDIT:-auto}" != "off" ]; then
  req=$(mktemp)
  trap 'rm -f "$req"' EXIT
  .uv/bin/uv export --locked --no-hashes --all-extras --no-emit-project -q -o "$req"
  total=$(grep -cE '^[A-Za-z0-9]' "$req")
  ignores=()
  while read -r id _reason; do
    [ -n "$id" ] && ignores+=(--ignore-vuln "$id")
  done < <(grep -vE '^\s*(#|$)' tools/audit-ignore.txt)
  tried=()
  for service in pypi osv; do
    status=0
    out=$(timeout 300 "$venv/bin/pip-audit" -r "$req" --no-deps --disable-pip \
      --progress-spinner off --vulnerability-service "$service" "${ignores[@]}" 2>&1) || status=$?
    unaudited=$(grep -c "could not be audited" <<<"$out" || true)
    # A service that knows the packages audits nearly all of them (a few come from elsewhere,
    # or do not apply to this platform); one without data for most of them is no audit.
    if grep -qE "Found [0-9]+ known vulnerabilit|No known vulnerabilities found" <<<"$out" \
      && [ $((unaudited * 2)) -lt "$total" ]; then
      grep -vE "^WARNING:pip_audit" <<<"$out" | tail -n 30 || true
      echo "pip-audit ($service): no vulnerability data for $unaudited of $total locked packages"
      exit $status
    fi
    why=$(grep -m1 -oE "NameResolutionError|ConnectionError|could not be audited" <<<"$out" || true)
    tried+=("$service: ${why:-exit $status}")
  done
  printf -v asked '%s; ' "${tried[@]}"
  echo "pip-audit SKIPPED: no vulnerability service answered from here (${asked%; });" \
    "none of the $total locked packages was audited"
  [ "${ECO2_PIP_AUDIT:-auto}" = "require" ] && exit 1
  exit 0
fi
