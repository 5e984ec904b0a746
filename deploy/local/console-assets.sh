#!/usr/bin/env bash
# The console's browser libraries, htmx and Apache ECharts, from the npm registry at install time
# (versions pinned by services/console/frontend/package-lock.json), copied into
# services/console/web/static/vendor/ and served by the console itself: no CDN at run time.
# Idempotent: nothing is done while the copies match the lock file. deploy/Dockerfile does the same.
set -euo pipefail

LOG_TAG=console-assets
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

FRONTEND="$REPO_ROOT/services/console/frontend"
VENDOR="$REPO_ROOT/services/console/web/static/vendor"
ASSETS=(htmx.org/dist/htmx.min.js echarts/dist/echarts.min.js)

stamp="$VENDOR/.installed-$(sha256sum <"$FRONTEND/package-lock.json" | cut -c1-16)"
if [[ -f "$stamp" ]]; then
    exit 0
fi

if ! command -v npm >/dev/null; then
    if is_root && command -v apt-get >/dev/null; then
        log "installing Node.js and npm (Debian packages)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >/dev/null
        apt-get install -y -q --no-install-recommends nodejs npm >/dev/null
    else
        die "npm is missing: install Node.js and npm (the console's browser libraries come from the npm registry)"
    fi
fi

log "installing the console's browser libraries (npm ci)"
(cd "$FRONTEND" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
mkdir -p "$VENDOR"
rm -f "$VENDOR"/.installed-*
for asset in "${ASSETS[@]}"; do
    cp "$FRONTEND/node_modules/$asset" "$VENDOR/"
done
touch "$stamp"
