#!/usr/bin/env bash
# Build the web app (web/ -> web/dist) with the machine's Node (>= 18; 20 is what CI uses) and
# npm, from web/package-lock.json exactly (npm ci). Without npm the build is skipped with a
# warning and every other target still works: the API then answers / with a note on how to
# build the page, and the browser tests skip saying why.
set -euo pipefail
cd "$(dirname "$0")/../web"
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "make web: npm/node not found - the web page is NOT built (install Node 20 and npm, then 'make web')" >&2
  exit 0
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
  echo "make web: Node $(node --version) is too old (Vite needs 18+; CI uses 20) - the web page is NOT built" >&2
  exit 0
fi
# npm ci wipes node_modules: only when the lock changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build
