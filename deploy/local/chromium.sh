#!/usr/bin/env bash
# Debian's Chromium for the console's browser tests (Playwright drives it; no browser download).
#   chromium.sh install   install the chromium package when it is missing (apt)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
say() { echo "chromium: $*" >&2; }

case "${1:-}" in
  install) apt_install chromium chromium ;;
  *) echo "usage: $0 install" >&2; exit 2 ;;
esac
