#!/usr/bin/env bash
# What `make test` needs to check the deployment files offline:
#   promtool   from Debian's prometheus package (rules and their unit tests)
#   kustomize  `kubectl kustomize` when kubectl is on the machine, else the kustomize binary
#              built from the Go module proxy into .local/tools/bin
#   manifest-tools.sh install            install what is missing
#   manifest-tools.sh kustomize DIR      render a kustomization with whichever is there
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$here/lib.sh"
say() { echo "manifest-tools: $*" >&2; }
KUSTOMIZE_VERSION=v5.5.0
tools="$root/.local/tools/bin"

install_kustomize() {
  command -v kubectl >/dev/null && return
  [[ -x "$tools/kustomize" ]] && return
  command -v go >/dev/null || { say "neither kubectl nor go: install kubectl"; exit 1; }
  say "building kustomize $KUSTOMIZE_VERSION (Go module proxy)"
  GOBIN="$tools" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
}

case "${1:-}" in
  install)
    apt_install promtool prometheus
    install_kustomize
    ;;
  kustomize)
    if command -v kubectl >/dev/null; then exec kubectl kustomize "$2"; fi
    exec "$tools/kustomize" build "$2"
    ;;
  *) echo "usage: $0 install | kustomize DIR" >&2; exit 2 ;;
esac
