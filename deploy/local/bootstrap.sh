#!/usr/bin/env bash
# Prepare a fresh Debian machine for the platform (idempotent, safe to re-run):
#   - Debian packages: PostgreSQL server (via postgres.sh install), kcat (a plain Kafka client
#     departments use), chromium (browser tests), docker-compose (validates docker-compose.yml
#     without an engine), a CJK font (documents and screenshots), wrk (the HTTP benchmarks);
#   - a Python virtualenv in .venv with the pinned dependencies of pyproject.toml, and .venv/bin/kcat
#     (deploy/local/kcat.sh: kcat with a librdkafka that can do SASL/SCRAM with Kafka 4);
#   - the Apache Kafka broker jars, resolved with Maven into the cache;
#   - the console's browser libraries (htmx, ECharts) from npm (console-assets.sh).
set -euo pipefail

LOG_TAG=bootstrap
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

APT_PACKAGES=(kcat chromium docker-compose fonts-wqy-zenhei prometheus wrk)

missing_packages() {
    local pkg
    for pkg in "${APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || printf '%s\n' "$pkg"
    done
}

install_debian_packages() {
    local missing
    mapfile -t missing < <(missing_packages)
    if ((${#missing[@]} > 0)); then
        if is_root && command -v apt-get >/dev/null; then
            log "installing Debian packages: ${missing[*]}"
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -q >/dev/null
            apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
        else
            warn "missing Debian packages (install them as root): ${missing[*]}"
        fi
    fi
    "$LOCAL_DIR/postgres.sh" install >/dev/null
}

install_python() {
    local venv="$REPO_ROOT/.venv" stamp want
    want="$(sha256sum <"$REPO_ROOT/pyproject.toml" | cut -d' ' -f1)"
    stamp="$venv/.installed-$want"
    if [[ -f "$stamp" ]]; then
        return 0
    fi
    if [[ ! -x "$venv/bin/python" ]]; then
        log "creating virtualenv .venv"
        "${PYTHON:-python3}" -m venv "$venv"
    fi
    log "installing Python dependencies (pinned in pyproject.toml)"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade "pip==25.3"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check -e "${REPO_ROOT}[dev]"
    rm -f "$venv"/.installed-*
    touch "$stamp"
}

# kcat as .venv/bin/kcat: Debian's kcat with a librdkafka that does SCRAM with Kafka 4 (kcat.sh).
link_kcat() {
    ln -sfn ../../deploy/local/kcat.sh "$REPO_ROOT/.venv/bin/kcat"
}

install_debian_packages
install_python
link_kcat
"$LOCAL_DIR/console-assets.sh"
"$LOCAL_DIR/kafka.sh" fetch >/dev/null
log "ready"
