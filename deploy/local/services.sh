#!/usr/bin/env bash
# Start, stop or list the platform's service processes (python -m services.<name> all), each in
# the background with its log in $STATE_DIR/logs/<name>.log and its pid in $STATE_DIR/run/.
#
# usage: services.sh {start|stop|status}
set -euo pipefail

LOG_TAG=services
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

# Service name and its HTTP port (each service's default http_port).
# console last: it is ready once the others answer.
SERVICES=(intake:8001 router:8002 casework:8003 mediation:8004 feedback:8005 console:8006)
RUN_DIR="$STATE_DIR/run"
LOG_DIR="$STATE_DIR/logs"

available() {
    local entry
    for entry in "${SERVICES[@]}"; do
        [[ -f "$REPO_ROOT/services/${entry%%:*}/__main__.py" ]] && printf '%s\n' "$entry"
    done
}

# service_credentials NAME: NAME_KAFKA_SASL_USERNAME=... and _PASSWORD=... from the broker's
# credentials file; nothing when the broker has no authentication yet (a pre-SASL state dir).
service_credentials() {
    local file upper
    file="$("$LOCAL_DIR/kafka.sh" credentials)"
    upper="$(printf '%s' "$1" | tr '[:lower:]' '[:upper:]')"
    [[ -f "$file" ]] || return 0
    grep -E "^${upper}_KAFKA_SASL_(USERNAME|PASSWORD)=" "$file" || true
}

start_one() {
    local name=$1 port=$2 pidfile="$RUN_DIR/$1.pid"
    if [[ -f "$pidfile" ]] && pid_alive "$(cat "$pidfile")"; then
        log "$name already running (pid $(cat "$pidfile"))"
        return 0
    fi
    if port_open "$LOCAL_HOST" "$port"; then
        die "port $port for $name is taken by another process"
    fi
    # Its own Kafka principal (kafka-acl.sh made it), not the admin's from env.sh.
    local -a creds=()
    mapfile -t creds < <(service_credentials "$name")
    (cd "$REPO_ROOT" && exec env "${creds[@]}" nohup "$REPO_ROOT/.venv/bin/python" -m "services.$name" all \
        >>"$LOG_DIR/$name.log" 2>&1 </dev/null) &
    echo $! >"$pidfile"
}

wait_ready() {
    local name=$1 port=$2 deadline=$((SECONDS + 90))
    until curl -fsS "http://$LOCAL_HOST:$port/readyz" >/dev/null 2>&1; do
        if ! pid_alive "$(cat "$RUN_DIR/$name.pid")"; then
            tail -n 30 "$LOG_DIR/$name.log" >&2 || true
            die "$name exited; log: $LOG_DIR/$name.log"
        fi
        ((SECONDS < deadline)) || die "$name not ready after 90 s; log: $LOG_DIR/$name.log"
        sleep 0.5
    done
    log "$name ready on http://$LOCAL_HOST:$port"
}

do_start() {
    mkdir -p "$RUN_DIR" "$LOG_DIR"
    local entry
    mapfile -t entries < <(available)
    for entry in "${entries[@]}"; do start_one "${entry%%:*}" "${entry##*:}"; done
    for entry in "${entries[@]}"; do wait_ready "${entry%%:*}" "${entry##*:}"; done
}

do_stop() {
    local pidfile pid
    for pidfile in "$RUN_DIR"/*.pid; do
        [[ -e "$pidfile" ]] || continue
        pid="$(cat "$pidfile")"
        if pid_alive "$pid"; then
            kill -TERM "$pid" 2>/dev/null || true
            wait_pid_exit "$pid" 30 || kill -KILL "$pid" 2>/dev/null || true
            log "stopped $(basename "$pidfile" .pid)"
        fi
        rm -f "$pidfile"
    done
}

do_status() {
    local entry name rc=0
    for entry in $(available); do
        name="${entry%%:*}"
        if [[ -f "$RUN_DIR/$name.pid" ]] && pid_alive "$(cat "$RUN_DIR/$name.pid")"; then
            echo "$name running (pid $(cat "$RUN_DIR/$name.pid"), port ${entry##*:})"
        else
            echo "$name stopped"
            rc=1
        fi
    done
    return $rc
}

case "${1:-}" in
    start) do_start ;;
    stop) do_stop ;;
    status) do_status ;;
    *) echo "usage: $0 {start|stop|status}" >&2; exit 2 ;;
esac
