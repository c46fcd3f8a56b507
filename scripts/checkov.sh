#!/usr/bin/env bash
# checkov on the Containerfile, the manifests and terraform/, offline. checkov pins its own
# dependencies tighter than the project's, so it lives in a venv of its own (.tools/checkov),
# installed from tools/checkov.txt (hashes; `uv pip compile tools/checkov.in --generate-hashes`).
#
# The manifests are checked twice: as deployed (the dev and prod overlays, rendered with
# `kubectl kustomize` the way Argo CD renders them), and as the component folders a person may
# apply alone (knative/, keda/, istio/). Skips, each with its reason:
# - in the component folders, CKV_K8S_14 (image tag latest) and CKV_K8S_43 (image by digest):
#   ghcr.io/eco2/eco2:latest there is a placeholder the overlays' `images:` (and terraform's
#   manifests module) replace; the rendered prod overlay passes both.
# - in the component folders, CKV2_K8S_6 (pods without a NetworkPolicy): the policies live in
#   deploy/base/network and come with every overlay, where this check passes.
# - in the dev overlay, CKV_K8S_43 (image by digest): dev follows its moving `dev` tag on
#   purpose (CI pushes it from main); prod is pinned by digest and passes.
# - istio/api-behind-mesh.yaml is not scanned alone: it is a kustomize patch (a partial
#   Deployment that only adds the sidecar label and one variable); the API it patches is scanned
#   whole in keda/, and patched in the rendered overlays.
# Checks skipped for one object carry the skip and its reason in that object's annotations
# (checkov.io/skipN), next to the manifest they excuse.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.tools/checkov
if [ ! -x "$venv/bin/checkov" ] || ! cmp -s tools/checkov.txt "$venv/.installed"; then
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check --require-hashes --no-deps \
    -r tools/checkov.txt
  cp tools/checkov.txt "$venv/.installed"
fi
if ! command -v kubectl >/dev/null; then
  echo "checkov.sh: kubectl is needed to render the overlays (kubectl kustomize)" >&2
  exit 1
fi
# --skip-download: no guidelines from the vendor's API (no network here, none needed).
checkov=("$venv/bin/checkov" --skip-download --compact --quiet)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp Containerfile "$scratch/Dockerfile"  # checkov knows the file by its Docker name
status=0
run() {
  echo "== checkov $*"
  "${checkov[@]}" "$@" || status=1
}
run -f "$scratch/Dockerfile"
for overlay in dev prod; do
  kubectl kustomize "deploy/overlays/$overlay" >"$scratch/$overlay.yaml"
done
kubectl kustomize deploy/argocd/apps >"$scratch/argocd.yaml"
run --framework kubernetes secrets -f "$scratch/prod.yaml" -f "$scratch/argocd.yaml"
run --framework kubernetes secrets -f "$scratch/dev.yaml" --skip-check CKV_K8S_43
for dir in knative keda istio; do
  run --framework kubernetes secrets -d "$dir" --skip-check CKV_K8S_14,CKV_K8S_43,CKV2_K8S_6 \
    --skip-path istio/api-behind-mesh.yaml
done
# terraform/: the AWS modules and the manifests module (skips justified in the .tf files).
run --framework terraform secrets -d terraform
exit $status
