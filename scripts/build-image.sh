#!/usr/bin/env bash
# Build the Eco² image with whichever builder this machine has: docker, podman or buildah.
set -euo pipefail
cd "$(dirname "$0")/.."
tag=${IMAGE:-eco2:$(git rev-parse --short HEAD 2>/dev/null || echo dev)}
for builder in docker podman buildah; do
  # A client without its engine (docker with no daemon) is no builder.
  if command -v "$builder" >/dev/null 2>&1 && "$builder" info >/dev/null 2>&1; then
    case $builder in
      buildah) exec buildah bud -f Containerfile -t "$tag" . ;;
      *) exec "$builder" build -f Containerfile -t "$tag" . ;;
    esac
  fi
done
echo "make image: no working container builder here (docker, podman or buildah with its engine); nothing built." >&2
echo "The Containerfile is still checked offline: hadolint (make lint) and tests/deploy." >&2
exit 1
