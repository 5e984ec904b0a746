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
#   client-env print the admin client's settings (GRIEVANCE_KAFKA_SECURITY_PROTOCOL, _SASL_USERNAME,
#              _SASL_PASSWORD, _SSL_CAFILE) as NAME=value lines; env.sh exports them
#   credentials print the path of the credentials file (0600: the admin's password, and the
#              service and department passwords that kafka-acl.sh adds)
#
# Security: clients authenticate with SASL/SCRAM-SHA-512 on 127.0.0.1:$KAFKA_PORT (SASL_SSL with
# a local CA when KAFKA_TLS=1), the KRaft StandardAuthorizer denies what no ACL allows, and the
# super user "admin" gets its random password at storage format time.
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
KAFKA_TLS="${KAFKA_TLS:-0}"
SASL_MECHANISM=SCRAM-SHA-512
ADMIN_USER=admin
CONTROLLER_USER=controller

CONF_FILE="$KAFKA_STATE_DIR/server.properties"
DATA_DIR="$KAFKA_STATE_DIR/data"
LOG_DIR="$KAFKA_STATE_DIR/logs"
PID_FILE="$KAFKA_STATE_DIR/kafka.pid"
CLUSTER_ID_FILE="$KAFKA_STATE_DIR/cluster.id"
OUT_FILE="$LOG_DIR/kafka.out"
SERVER_LOG="$LOG_DIR/server.log"
CREDENTIALS_FILE="$KAFKA_STATE_DIR/credentials.env"
TLS_DIR="$KAFKA_STATE_DIR/tls"
# Written after a format that bootstrapped the admin's SCRAM credential: a hash of that password.
SCRAM_MARKER="$DATA_DIR/.grievance-admin-scram"

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

# --- credentials and TLS ---------------------------------------------------------

random_secret() {
    if command -v openssl >/dev/null 2>&1; then
        openssl rand -hex 24
    else
        od -An -N24 -tx1 /dev/urandom | tr -d ' \n'
    fi
}

# credential NAME: a value of the credentials file (empty when absent).
credential() {
    [[ -f "$CREDENTIALS_FILE" ]] || return 0
    sed -n "s/^$1=//p" "$CREDENTIALS_FILE" | tail -n 1
}

# The admin's and the controller listener's passwords, generated on first start (or taken from
# KAFKA_ADMIN_PASSWORD, so that a private test broker can share the caller's admin password).
ensure_credentials() {
    mkdir -p "$KAFKA_STATE_DIR"
    local admin_pw controller_pw
    admin_pw="$(credential GRIEVANCE_KAFKA_SASL_PASSWORD)"
    controller_pw="$(credential KAFKA_CONTROLLER_PASSWORD)"
    [[ -n "$admin_pw" && -n "$controller_pw" ]] && return 0
    [[ -n "$admin_pw" ]] || admin_pw="${KAFKA_ADMIN_PASSWORD:-$(random_secret)}"
    [[ -n "$controller_pw" ]] || controller_pw="$(random_secret)"
    (
        umask 077
        {
            grep -v -E '^(GRIEVANCE_KAFKA_SASL_(USERNAME|PASSWORD)|KAFKA_CONTROLLER_PASSWORD)=' \
                "$CREDENTIALS_FILE" 2>/dev/null || true
            printf 'GRIEVANCE_KAFKA_SASL_USERNAME=%s\n' "$ADMIN_USER"
            printf 'GRIEVANCE_KAFKA_SASL_PASSWORD=%s\n' "$admin_pw"
            printf 'KAFKA_CONTROLLER_PASSWORD=%s\n' "$controller_pw"
        } >"$CREDENTIALS_FILE.tmp"
        mv "$CREDENTIALS_FILE.tmp" "$CREDENTIALS_FILE"
    )
    chmod 600 "$CREDENTIALS_FILE"
    log "generated Kafka credentials in $CREDENTIALS_FILE (mode 0600)"
}

# A local CA and a broker certificate for 127.0.0.1/localhost, made once (KAFKA_TLS=1).
ensure_tls() {
    [[ -s "$TLS_DIR/broker.pem" && -s "$TLS_DIR/ca.crt" ]] && return 0
    require_cmd openssl
    mkdir -p "$TLS_DIR"
    (
        umask 077
        cd "$TLS_DIR"
        openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 825 -subj "/CN=grievance-local-ca" \
            -keyout ca.key -out ca.crt 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=localhost" \
            -keyout broker.key -out broker.csr 2>/dev/null
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' >broker.ext
        openssl x509 -req -in broker.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 -sha256 \
            -extfile broker.ext -out broker.crt 2>/dev/null
        # Kafka's PEM key store: an unencrypted PKCS#8 key followed by the certificate chain.
        openssl pkcs8 -topk8 -nocrypt -in broker.key -out broker.pk8
        cat broker.pk8 broker.crt ca.crt >broker.pem
        rm -f broker.csr broker.ext broker.pk8
    )
    chmod 644 "$TLS_DIR/ca.crt"
    log "made a local CA and broker certificate in $TLS_DIR (clients trust $TLS_DIR/ca.crt)"
}

client_protocol() {
    if [[ "$KAFKA_TLS" == 1 ]]; then echo SASL_SSL; else echo SASL_PLAINTEXT; fi
}

write_config() {
    mkdir -p "$DATA_DIR" "$LOG_DIR"
    local tmp="$CONF_FILE.tmp" protocol admin_pw controller_pw
    protocol="$(client_protocol)"
    admin_pw="$(credential GRIEVANCE_KAFKA_SASL_PASSWORD)"
    controller_pw="$(credential KAFKA_CONTROLLER_PASSWORD)"
    # The file holds passwords: owner only.
    (umask 077 && : >"$tmp")
    cat >"$tmp" <<EOF
# Written by deploy/local/kafka.sh on every start; edits here are overwritten.
# Single-node KRaft: this JVM is both broker and the only controller voter.
process.roles=broker,controller
node.id=$KAFKA_NODE_ID
controller.quorum.voters=$KAFKA_NODE_ID@$LOCAL_HOST:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=CLIENT://$LOCAL_HOST:$KAFKA_PORT,CONTROLLER://$LOCAL_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=CLIENT://$LOCAL_HOST:$KAFKA_PORT
inter.broker.listener.name=CLIENT
listener.security.protocol.map=CLIENT:$protocol,CONTROLLER:SASL_PLAINTEXT

# Clients (and this broker talking to itself) authenticate with SCRAM; the admin's credential is
# bootstrapped into the metadata log by "kafka-storage format --add-scram".
sasl.enabled.mechanisms=$SASL_MECHANISM
sasl.mechanism.inter.broker.protocol=$SASL_MECHANISM
listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$ADMIN_USER" password="$admin_pw";
# The controller listener is internal: PLAIN with a static user, since SCRAM credentials live in
# the metadata log the controller serves. No unauthenticated listener is left.
listener.name.controller.sasl.enabled.mechanisms=PLAIN
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="$CONTROLLER_USER" password="$controller_pw" user_$CONTROLLER_USER="$controller_pw";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:$ADMIN_USER;User:$CONTROLLER_USER
EOF
    if [[ "$KAFKA_TLS" == 1 ]]; then
        cat >>"$tmp" <<EOF
ssl.keystore.type=PEM
ssl.keystore.location=$TLS_DIR/broker.pem
ssl.truststore.type=PEM
ssl.truststore.location=$TLS_DIR/ca.crt
ssl.endpoint.identification.algorithm=https
EOF
    fi
    cat >>"$tmp" <<EOF

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
num.recovery.threads.per.data.dir=2
# Test runs create and delete hundreds of topics. Kafka keeps a deleted partition's files for a
# minute by default; stopped within that minute, the broker removed them at its next start, and
# thousands of them kept it from answering within the start timeout (seen after long test runs).
file.delete.delay.ms=1000
log.retention.hours=168
log.segment.bytes=104857600
EOF
    mv "$tmp" "$CONF_FILE"
}

admin_password_hash() {
    credential GRIEVANCE_KAFKA_SASL_PASSWORD | sha256sum | cut -d' ' -f1
}

format_storage_if_needed() {
    if [[ -f "$DATA_DIR/meta.properties" ]] &&
        [[ "$(cat "$SCRAM_MARKER" 2>/dev/null)" != "$(admin_password_hash)" ]]; then
        # A state dir from before SASL (or whose admin password was lost) has no usable admin
        # credential, and one cannot be added without an admin: start over with a fresh log.
        log "KRaft storage in $DATA_DIR was formatted without the current admin SCRAM credential (a pre-SASL state dir?); re-formatting it: this dev broker's topics and data are dropped, topics.sh and kafka-acl.sh recreate topics and users"
        rm -rf "$DATA_DIR"
        mkdir -p "$DATA_DIR"
    fi
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
        --cluster-id "$cluster_id" --config "$CONF_FILE" \
        --add-scram "$SASL_MECHANISM=[name=$ADMIN_USER,password=$(credential GRIEVANCE_KAFKA_SASL_PASSWORD)]" \
        >"$LOG_DIR/format.log" 2>&1; then
        cat "$LOG_DIR/format.log" >&2
        die "formatting KRaft storage failed"
    fi
    admin_password_hash >"$SCRAM_MARKER"
}

# api_probe: a real Kafka API round trip (ApiVersions, SCRAM authentication as the admin, then
# Metadata v4 that must list this broker, i.e. the broker is registered and unfenced).
# Exit 0 ready, 1 not ready, 2 python3 unavailable.
api_probe() {
    command -v python3 >/dev/null 2>&1 || return 2
    local cafile=""
    [[ "$KAFKA_TLS" == 1 ]] && cafile="$TLS_DIR/ca.crt"
    GRIEVANCE_PROBE_PASSWORD="$(credential GRIEVANCE_KAFKA_SASL_PASSWORD)" \
        python3 - "$LOCAL_HOST" "$KAFKA_PORT" "$KAFKA_NODE_ID" "$ADMIN_USER" "$cafile" <<'PY' 2>/dev/null
import base64
import hashlib
import hmac
import os
import secrets
import socket
import ssl
import struct
import sys

host, port, node_id, user, cafile = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
password = os.environ["GRIEVANCE_PROBE_PASSWORD"]
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


def authenticate(sock, corr):
    """SCRAM-SHA-512 (RFC 5802) over SaslHandshake v1 + SaslAuthenticate v0."""
    mech = b"SCRAM-SHA-512"
    if struct.unpack_from(">h", call(sock, 17, 1, corr, struct.pack(">h", len(mech)) + mech), 0)[0] != 0:
        sys.exit(1)

    def step(payload, n):
        data = call(sock, 36, 0, corr + n, struct.pack(">i", len(payload)) + payload)
        if struct.unpack_from(">h", data, 0)[0] != 0:
            sys.exit(1)
        (mlen,) = struct.unpack_from(">h", data, 2)
        off = 4 + max(mlen, 0)
        (blen,) = struct.unpack_from(">i", data, off)
        return data[off + 4 : off + 4 + blen]

    nonce = secrets.token_hex(16)
    first_bare = f"n={user},r={nonce}"
    server_first = step(f"n,,{first_bare}".encode(), 1).decode()
    attrs = dict(item.split("=", 1) for item in server_first.split(","))
    salted = hashlib.pbkdf2_hmac("sha512", password.encode(), base64.b64decode(attrs["s"]), int(attrs["i"]))
    client_key = hmac.new(salted, b"Client Key", "sha512").digest()
    final_bare = f"c=biws,r={attrs['r']}"
    auth_message = f"{first_bare},{server_first},{final_bare}".encode()
    signature = hmac.new(hashlib.sha512(client_key).digest(), auth_message, "sha512").digest()
    proof = base64.b64encode(bytes(a ^ b for a, b in zip(client_key, signature))).decode()
    step(f"{final_bare},p={proof}".encode(), 2)


with socket.create_connection((host, port), timeout=5) as raw:
    raw.settimeout(5)
    s = ssl.create_default_context(cafile=cafile).wrap_socket(raw, server_hostname=host) if cafile else raw
    # ApiVersions v0: body empty; response starts with error_code int16
    if struct.unpack_from(">h", call(s, 18, 0, 1, b""), 0)[0] != 0:
        sys.exit(1)
    authenticate(s, 10)
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
        current="$(sed -n 's#^advertised\.listeners=[A-Z_]*://##p' "$CONF_FILE")"
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

    ensure_credentials
    if [[ "$KAFKA_TLS" == 1 ]]; then ensure_tls; fi
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

# What an admin client needs for this broker. A broker still running with a configuration from
# before SASL (PLAINTEXT listener) gets PLAINTEXT, until it is restarted.
client_env() {
    if [[ -f "$CONF_FILE" ]] && grep -q '^advertised\.listeners=PLAINTEXT://' "$CONF_FILE"; then
        echo "GRIEVANCE_KAFKA_SECURITY_PROTOCOL=PLAINTEXT"
        return 0
    fi
    local protocol
    protocol="$(client_protocol)"
    [[ -f "$CONF_FILE" ]] && grep -q '^listener\.security\.protocol\.map=CLIENT:SASL_SSL' "$CONF_FILE" && protocol=SASL_SSL
    echo "GRIEVANCE_KAFKA_SECURITY_PROTOCOL=$protocol"
    echo "GRIEVANCE_KAFKA_SASL_MECHANISM=$SASL_MECHANISM"
    echo "GRIEVANCE_KAFKA_SASL_USERNAME=$ADMIN_USER"
    echo "GRIEVANCE_KAFKA_SASL_PASSWORD=$(credential GRIEVANCE_KAFKA_SASL_PASSWORD)"
    if [[ "$protocol" == SASL_SSL ]]; then
        echo "GRIEVANCE_KAFKA_SSL_CAFILE=$TLS_DIR/ca.crt"
    fi
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
    client-env) client_env ;;
    credentials) printf '%s\n' "$CREDENTIALS_FILE" ;;
    -h | --help | help) usage ;;
    *) usage ;;
esac
