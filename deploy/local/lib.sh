# shellcheck shell=bash
# Common helpers for the local (Docker-less) infrastructure scripts in
# deploy/local/. Sourced by kafka.sh and postgres.sh; not meant to be run.
#
# Everything here can be overridden from the environment, see README.md.

# Variables defined here are used by the scripts that source this file.
# shellcheck disable=SC2034

if [[ -n "${_GRIEVANCE_LOCAL_LIB:-}" ]]; then
    return 0
fi
_GRIEVANCE_LOCAL_LIB=1

# --- locations ---------------------------------------------------------------

# Directory of this file (deploy/local), with symlinks resolved, and the repo
# root two levels up. Never assume where the clone lives.
LOCAL_DIR="$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd -P -- "$LOCAL_DIR/../.." && pwd)"

# Make a path absolute (relative paths are taken from the caller's cwd).
abspath() {
    case "$1" in
        /*) printf '%s\n' "$1" ;;
        *) printf '%s\n' "$PWD/$1" ;;
    esac
}

if [[ -z "${HOME:-}" ]]; then
    HOME="$(getent passwd "$(id -u)" | cut -d: -f6)"
    export HOME
fi

STATE_DIR="$(abspath "${GRIEVANCE_STATE_DIR:-$REPO_ROOT/.local}")"
CACHE_DIR="$(abspath "${GRIEVANCE_CACHE_DIR:-$HOME/.cache/grievance-platform}")"

# --- ports and credentials -----------------------------------------------------

KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
PG_PORT="${PG_PORT:-15432}"
PG_USER="${PG_USER:-grievance}"
PG_PASSWORD="${PG_PASSWORD:-grievance}"
PG_DB="${PG_DB:-grievance}"

# Everything binds to loopback only.
LOCAL_HOST=127.0.0.1

# --- messages ----------------------------------------------------------------

# Messages go to stderr so that stdout stays machine-readable (addresses, URLs).
log() {
    printf '[%s] %s\n' "${LOG_TAG:-local}" "$*" >&2
}

warn() {
    printf '[%s] WARNING: %s\n' "${LOG_TAG:-local}" "$*" >&2
}

die() {
    printf '[%s] ERROR: %s\n' "${LOG_TAG:-local}" "$*" >&2
    exit 1
}

# --- small utilities -----------------------------------------------------------

is_root() {
    [[ "$(id -u)" -eq 0 ]]
}

require_cmd() {
    local cmd
    for cmd in "$@"; do
        command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is required but not on PATH"
    done
}

check_port_number() {
    local name=$1 value=$2
    if ! [[ "$value" =~ ^[0-9]+$ ]] || ((value < 1 || value > 65535)); then
        die "$name must be a TCP port number, got '$value'"
    fi
}

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() {
    # shellcheck disable=SC2016 # $0/$1 are expanded by the inner bash
    timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
}

# wait_for_port HOST PORT TIMEOUT_SECONDS: wait until the port accepts
# connections; returns 1 on timeout.
wait_for_port() {
    local host=$1 port=$2 timeout_s=${3:-30}
    local deadline=$((SECONDS + timeout_s))
    until port_open "$host" "$port"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.5
    done
}

# pid_alive PID: the process exists and is not a zombie (a zombie still
# answers kill -0 when nobody reaps it, e.g. under a minimal container init).
pid_alive() {
    local pid=$1 state
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    if [[ -r "/proc/$pid/stat" ]]; then
        # field 3 of /proc/PID/stat, after the ")" that closes the command name
        state="$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null || true)"
        [[ "$state" != Z && "$state" != X ]] || return 1
    fi
    return 0
}

# pid_cmdline PID: the command line of PID with arguments separated by spaces.
pid_cmdline() {
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true
}

# wait_pid_exit PID TIMEOUT_SECONDS: returns 1 if still alive after timeout.
wait_pid_exit() {
    local pid=$1 timeout_s=$2
    local deadline=$((SECONDS + timeout_s))
    while pid_alive "$pid"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.5
    done
}
