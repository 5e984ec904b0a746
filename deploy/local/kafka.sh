#!/usr/bin/env bash
# Single-node Apache Kafka broker (KRaft, broker+controller in one JVM) on
# 127.0.0.1 for development and CI, run from the official jars that Maven
# resolves from Maven Central (no Docker, no tarball download).
#
# usage: kafka.sh {fetch|start|stop|restart|status|bootstrap|libs|topics ...|tool CLASS ...}
#
#   fetch      resolve the broker jars into $CACHE_DIR/kafka-$KAFKA_VERSION/libs (once)
#   start      fetch if needed, format storage on first start, start and wait
#              until the broker answers; prints the bootstrap address
#   stop       SIGTERM and wait for a clean shutdown (SIGKILL after a timeout)
#   restart    stop then start
#   status     exit 0 when running, 1 when not
#   bootstrap  print the bootstrap address (127.0.0.1:$KAFKA_PORT)
#   libs       print the directory holding the jars (classpath: "<libs>/*")
#   topics ... org.apache.kafka.tools.TopicCommand against this broker, e.g.
#              kafka.sh topics --create --topic t --partitions 3 --replication-factor 1
#   tool CLASS ...  run any Kafka tool main class with the cached classpath
#
# See deploy/local/README.md for the environment overrides.
set -euo pipefail

LOG_TAG=kafka
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
KAFKA_STATE_DIR="$(abspath "${KAFKA_STATE_DIR:-$STATE_DIR/kafka}")"
KAFKA_HOME="$CACHE_DIR/kafka-$KAFKA_VERSION"
KAFKA_LIBS="$KAFKA_HOME/libs"
KAFKA_MARKER="$KAFKA_HOME/.fetched"
KAFKA_POM="$LOCAL_DIR/kafka/pom.xml"
KAFKA_LOG4J="$LOCAL_DIR/kafka/log4j2.yaml"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms1g -Xmx2g}"
KAFKA_JVM_PERFORMANCE_OPTS="${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true}"
KAFKA_OPTS="${KAFKA_OPTS:-}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-60}"
KAFKA_NODE_ID=1

CONF_FILE="$KAFKA_STATE_DIR/server.properties"
DATA_DIR="$KAFKA_STATE_DIR/data"
LOG_DIR="$KAFKA_STATE_DIR/logs"
PID_FILE="$KAFKA_STATE_DIR/kafka.pid"
CLUSTER_ID_FILE="$KAFKA_STATE_DIR/cluster.id"
OUT_FILE="$LOG_DIR/kafka.out"
SERVER_LOG="$LOG_DIR/server.log"

check_port_number KAFKA_PORT "$KAFKA_PORT"
check_port_number KAFKA_CONTROLLER_PORT "$KAFKA_CONTROLLER_PORT"
[[ "$KAFKA_PORT" != "$KAFKA_CONTROLLER_PORT" ]] ||
    die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ (both $KAFKA_PORT)"

bootstrap_address() {
    printf '%s:%s\n' "$LOCAL_HOST" "$KAFKA_PORT"
}

# --- jars ----------------------------------------------------------------------

# The marker records a checksum of pom.xml + version: editing the pom (e.g. a
# log4j bump) triggers a new fetch, otherwise fetch is a no-op.
fetch_key() {
    { printf 'kafka.version=%s\n' "$KAFKA_VERSION"; cat "$KAFKA_POM"; } | sha256sum | cut -d' ' -f1
}

is_fetched() {
    [[ -f "$KAFKA_MARKER" && -f "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" ]] &&
        [[ "$(cat "$KAFKA_MARKER")" == "$(fetch_key)" ]]
}

do_fetch() {
    if is_fetched; then
        log "Kafka $KAFKA_VERSION jars already in $KAFKA_LIBS"
        return 0
    fi
    require_cmd java mvn flock sha256sum
    mkdir -p "$KAFKA_HOME"
    # A subshell holds the lock so that the fd is not inherited by the broker.
    (
        flock -w 900 9 || die "timed out waiting for another fetch (lock $KAFKA_HOME/.lock)"
        if is_fetched; then
            exit 0
        fi
        log "resolving Apache Kafka $KAFKA_VERSION jars from Maven Central (first use only)..."
        local_tmp="$(mktemp -d "$KAFKA_HOME/libs.tmp.XXXXXX")"
        trap 'rm -rf "$local_tmp"' EXIT
        started=$SECONDS
        # MAVEN_ARGS is honoured by mvn itself; GRIEVANCE_MVN_OPTS adds more flags.
        read -r -a extra_mvn <<<"${GRIEVANCE_MVN_OPTS:-}"
        mvn_log="$KAFKA_HOME/mvn-fetch.log"
        if ! mvn -B -Dstyle.color=never --no-transfer-progress -f "$KAFKA_POM" \
            "${extra_mvn[@]}" \
            dependency:copy-dependencies \
            -DincludeScope=runtime \
            -Dkafka.version="$KAFKA_VERSION" \
            -DoutputDirectory="$local_tmp" >"$mvn_log" 2>&1; then
            grep -E 'ERROR|BUILD' "$mvn_log" | head -n 30 >&2 || tail -n 30 "$mvn_log" >&2
            die "mvn could not resolve Kafka $KAFKA_VERSION (is Maven Central reachable? is the version right?); full output in $mvn_log"
        fi
        [[ -f "$local_tmp/kafka_2.13-$KAFKA_VERSION.jar" ]] ||
            die "mvn finished but kafka_2.13-$KAFKA_VERSION.jar is missing from the result"
        rm -rf "$KAFKA_LIBS"
        mv "$local_tmp" "$KAFKA_LIBS"
        fetch_key >"$KAFKA_MARKER"
        log "fetched $(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars into $KAFKA_LIBS in $((SECONDS - started)) s"
    ) 9>"$KAFKA_HOME/.lock"
}

# run_tool MAIN_CLASS ARGS...: a Kafka command-line tool with the cached jars.
run_tool() {
    local main=$1
    shift
    is_fetched || do_fetch
    # Tools log WARN+ to the console only (log4j2 default configuration).
    java -Xmx256m -Dorg.apache.logging.log4j.level=WARN -Dlog4j2.statusLoggerLevel=ERROR \
        -cp "$KAFKA_LIBS/*" "$main" "$@"
}

# --- process -----------------------------------------------------------------

# Prints the broker pid and returns 0 when the pid file names a live broker
# process started from this state dir.
running_pid() {
    local pid
    [[ -f "$PID_FILE" ]] || return 1
    pid="$(tr -dc '0-9' <"$PID_FILE")"
    pid_alive "$pid" || return 1
    [[ "$(pid_cmdline "$pid")" == *"kafka.Kafka $CONF_FILE"* ]] || return 1
    printf '%s\n' "$pid"
}

remove_stale_pid() {
    if [[ -f "$PID_FILE" ]] && ! running_pid >/dev/null; then
        log "removing stale pid file $PID_FILE"
        rm -f "$PID_FILE"
    fi
}

write_config() {
    mkdir -p "$DATA_DIR" "$LOG_DIR"
    local tmp="$CONF_FILE.tmp"
    cat >"$tmp" <<EOF
# Written by deploy/local/kafka.sh on every start; edits here are overwritten.
# Single-node KRaft: this JVM is both broker and the only controller voter.
process.roles=broker,controller
node.id=$KAFKA_NODE_ID
controller.quorum.voters=$KAFKA_NODE_ID@$LOCAL_HOST:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://$LOCAL_HOST:$KAFKA_PORT,CONTROLLER://$LOCAL_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$LOCAL_HOST:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT

log.dirs=$DATA_DIR
num.partitions=3
default.replication.factor=1
auto.create.topics.enable=false
delete.topic.enable=true

offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0

# small dev footprint
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=168
log.segment.bytes=104857600
EOF
    mv "$tmp" "$CONF_FILE"
}

format_storage_if_needed() {
    if [[ -f "$DATA_DIR/meta.properties" ]]; then
        # Already formatted; keep cluster.id in sync for operators.
        if [[ ! -s "$CLUSTER_ID_FILE" ]]; then
            sed -n 's/^cluster\.id=//p' "$DATA_DIR/meta.properties" >"$CLUSTER_ID_FILE"
        fi
        return 0
    fi
    local cluster_id
    if [[ -s "$CLUSTER_ID_FILE" ]]; then
        cluster_id="$(tr -d '[:space:]' <"$CLUSTER_ID_FILE")"
    else
        cluster_id="$(run_tool kafka.tools.StorageTool random-uuid | tail -n 1 | tr -d '[:space:]')"
        [[ -n "$cluster_id" ]] || die "could not generate a cluster id"
        printf '%s\n' "$cluster_id" >"$CLUSTER_ID_FILE"
    fi
    log "formatting KRaft storage in $DATA_DIR (cluster id $cluster_id)"
    if ! run_tool kafka.tools.StorageTool format --ignore-formatted \
        --cluster-id "$cluster_id" --config "$CONF_FILE" >"$LOG_DIR/format.log" 2>&1; then
        cat "$LOG_DIR/format.log" >&2
        die "formatting KRaft storage failed"
    fi
}

# api_probe: a real Kafka API round trip (ApiVersions, then Metadata v4 that
# must list this broker, i.e. the broker is registered and unfenced).
# Exit 0 ready, 1 not ready, 2 python3 unavailable.
api_probe() {
    command -v python3 >/dev/null 2>&1 || return 2
    python3 - "$LOCAL_HOST" "$KAFKA_PORT" "$KAFKA_NODE_ID" <<'PY' 2>/dev/null
import socket
import struct
import sys

host, port, node_id = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
CLIENT = b"grievance-local-probe"


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("connection closed")
        buf += chunk
    return buf


def call(sock, api_key, version, corr, body):
    header = struct.pack(">hhih", api_key, version, corr, len(CLIENT)) + CLIENT
    msg = header + body
    sock.sendall(struct.pack(">i", len(msg)) + msg)
    size = struct.unpack(">i", recv_exact(sock, 4))[0]
    data = recv_exact(sock, size)
    if struct.unpack_from(">i", data, 0)[0] != corr:
        raise ValueError("correlation id mismatch")
    return data[4:]


with socket.create_connection((host, port), timeout=5) as s:
    s.settimeout(5)
    # ApiVersions v0: body empty; response starts with error_code int16
    if struct.unpack_from(">h", call(s, 18, 0, 1, b""), 0)[0] != 0:
        sys.exit(1)
    # Metadata v4: topics = [] (none), allow_auto_topic_creation = false
    data = call(s, 3, 4, 2, struct.pack(">ib", 0, 0))
    off = 4  # throttle_time_ms
    (count,) = struct.unpack_from(">i", data, off)
    off += 4
    nodes = []
    for _ in range(count):
        (nid,) = struct.unpack_from(">i", data, off)
        off += 4
        (hlen,) = struct.unpack_from(">h", data, off)
        off += 2 + hlen + 4  # host, port
        (rlen,) = struct.unpack_from(">h", data, off)
        off += 2 + max(rlen, 0)  # rack (nullable)
        nodes.append(nid)
sys.exit(0 if node_id in nodes else 1)
PY
}

# started_since OFFSET: the "Kafka Server started" line was logged after byte
# OFFSET of server.log (older lines come from earlier runs).
started_since() {
    [[ -f "$SERVER_LOG" ]] || return 1
    tail -c "+$(($1 + 1))" "$SERVER_LOG" 2>/dev/null | grep -q 'Kafka Server started'
}

show_logs_and_die() {
    local msg=$1
    if [[ -f "$OUT_FILE" ]]; then
        log "last lines of $OUT_FILE:"
        tail -n 30 "$OUT_FILE" >&2 || true
    fi
    if [[ -f "$SERVER_LOG" ]]; then
        log "last lines of $SERVER_LOG:"
        tail -n 30 "$SERVER_LOG" >&2 || true
    fi
    die "$msg"
}

do_start() {
    local pid
    if pid="$(running_pid)"; then
        local current
        current="$(sed -n 's#^advertised\.listeners=PLAINTEXT://##p' "$CONF_FILE")"
        if [[ -n "$current" && "$current" != "$(bootstrap_address)" ]]; then
            die "already running (pid $pid) on $current, not $(bootstrap_address); use 'kafka.sh restart' to move it"
        fi
        log "already running (pid $pid), bootstrap $(bootstrap_address)"
        bootstrap_address
        return 0
    fi
    remove_stale_pid
    require_cmd java
    do_fetch

    local port
    for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
        if port_open "$LOCAL_HOST" "$port"; then
            die "port $LOCAL_HOST:$port is already in use by another process (not the broker of $KAFKA_STATE_DIR); stop it or choose other KAFKA_PORT/KAFKA_CONTROLLER_PORT"
        fi
    done

    write_config
    format_storage_if_needed

    local log_offset=0
    [[ -f "$SERVER_LOG" ]] && log_offset="$(stat -c %s "$SERVER_LOG")"

    local -a heap_opts perf_opts extra_opts detach=()
    read -r -a heap_opts <<<"$KAFKA_HEAP_OPTS"
    read -r -a perf_opts <<<"$KAFKA_JVM_PERFORMANCE_OPTS"
    read -r -a extra_opts <<<"$KAFKA_OPTS"
    # Own session: Ctrl-C in the terminal that ran "start" must not stop the broker.
    command -v setsid >/dev/null 2>&1 && detach=(setsid)

    log "starting Kafka $KAFKA_VERSION (state $KAFKA_STATE_DIR)"
    {
        printf '\n===== %s kafka.sh start =====\n' "$(date '+%Y-%m-%d %H:%M:%S')"
    } >>"$OUT_FILE"
    (
        cd "$KAFKA_STATE_DIR"
        exec "${detach[@]}" nohup java \
            "${heap_opts[@]}" "${perf_opts[@]}" "${extra_opts[@]}" \
            -Dkafka.logs.dir="$LOG_DIR" \
            -Dlog4j2.configurationFile="$KAFKA_LOG4J" \
            -Dlog4j2.shutdownHookEnabled=false \
            -cp "$KAFKA_LIBS/*" \
            kafka.Kafka "$CONF_FILE"
    ) >>"$OUT_FILE" 2>&1 </dev/null &
    pid=$!
    printf '%s\n' "$pid" >"$PID_FILE"

    local deadline=$((SECONDS + KAFKA_START_TIMEOUT)) probe
    while :; do
        if ! pid_alive "$pid"; then
            rm -f "$PID_FILE"
            show_logs_and_die "the broker exited during startup"
        fi
        if port_open "$LOCAL_HOST" "$KAFKA_PORT" && started_since "$log_offset"; then
            probe=0
            api_probe || probe=$?
            if [[ $probe -eq 0 || $probe -eq 2 ]]; then
                break
            fi
        fi
        if ((SECONDS >= deadline)); then
            show_logs_and_die "the broker did not become ready within ${KAFKA_START_TIMEOUT}s (pid $pid still running; see logs above, or 'kafka.sh stop')"
        fi
        sleep 0.5
    done
    log "ready (pid $pid), bootstrap $(bootstrap_address); logs in $LOG_DIR"
    bootstrap_address
}

do_stop() {
    local pid
    if ! pid="$(running_pid)"; then
        remove_stale_pid
        log "not running"
        return 0
    fi
    log "stopping (pid $pid)..."
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_pid_exit "$pid" "$KAFKA_STOP_TIMEOUT"; then
        warn "no clean shutdown after ${KAFKA_STOP_TIMEOUT}s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        wait_pid_exit "$pid" 15 || die "pid $pid survived SIGKILL"
    fi
    rm -f "$PID_FILE"
    log "stopped"
}

do_status() {
    local pid
    if pid="$(running_pid)"; then
        log "running (pid $pid), bootstrap $(bootstrap_address), state $KAFKA_STATE_DIR"
        return 0
    fi
    log "not running (state $KAFKA_STATE_DIR)"
    return 1
}

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
    exit 2
}

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
case "$cmd" in
    fetch) do_fetch ;;
    start) do_start ;;
    stop) do_stop ;;
    restart)
        do_stop
        do_start
        ;;
    status) do_status ;;
    bootstrap) bootstrap_address ;;
    libs)
        is_fetched || do_fetch
        printf '%s\n' "$KAFKA_LIBS"
        ;;
    topics) run_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$(bootstrap_address)" "$@" ;;
    tool)
        [[ $# -ge 1 ]] || die "usage: kafka.sh tool MAIN_CLASS [ARGS...]"
        run_tool "$@"
        ;;
    -h | --help | help) usage ;;
    *) usage ;;
esac
