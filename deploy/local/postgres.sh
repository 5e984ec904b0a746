#!/usr/bin/env bash
# Throwaway PostgreSQL cluster on 127.0.0.1 for development and CI, made with
# the distribution's server binaries (initdb/pg_ctl), no Docker.
#
# usage: postgres.sh {install|start|stop|restart|status|url [--libpq]}
#
#   install  make sure server binaries exist; as root on Debian/Ubuntu this
#            runs apt-get install postgresql, otherwise it says what to install
#   start    install if needed, initdb on first use, start on
#            127.0.0.1:$PG_PORT, create role $PG_USER / database $PG_DB
#            (idempotent); prints the URL
#   stop     fast shutdown (idempotent)
#   restart  stop then start
#   status   exit 0 when running, 1 when not
#   url      postgresql+asyncpg://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB
#            (--libpq: the postgresql:// form for psql/libpq)
#
# PostgreSQL refuses to run as root: as root the server runs as the "postgres"
# system user and the data dir defaults to /var/tmp/grievance-platform/pg-$PG_PORT
# (a clone may sit in a directory that user cannot enter). As a normal user
# the data dir defaults to $STATE_DIR/postgres. See deploy/local/README.md.
set -euo pipefail

LOG_TAG=postgres
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

check_port_number PG_PORT "$PG_PORT"

PG_SUPERUSER=postgres
PG_START_TIMEOUT="${PG_START_TIMEOUT:-60}"
PG_LOCALE="${PG_LOCALE:-C.UTF-8}"

if is_root; then
    PG_OS_USER="${GRIEVANCE_PG_OS_USER:-postgres}"
    PG_DATA="$(abspath "${GRIEVANCE_PG_DATA:-/var/tmp/grievance-platform/pg-$PG_PORT}")"
else
    PG_OS_USER=""
    PG_DATA="$(abspath "${GRIEVANCE_PG_DATA:-$STATE_DIR/postgres}")"
fi
PG_LOGFILE="$PG_DATA/server.log"
PG_CONF_INCLUDE="grievance-local.conf"

# Keep the caller's libpq environment from redirecting our admin connections.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGPASSWORD PGPASSFILE PGSERVICE PGOPTIONS PGDATA

# --- binaries --------------------------------------------------------------------

# A directory with initdb, pg_ctl and postgres; PG_BINDIR wins, then the newest
# Debian/Ubuntu /usr/lib/postgresql/N/bin, then pg_config --bindir (note that
# libpq-dev alone ships a pg_config whose bindir has no server), then PATH.
has_server() {
    [[ -x "$1/initdb" && -x "$1/pg_ctl" && -x "$1/postgres" ]]
}

find_bindir() {
    local dir candidates=()
    if [[ -n "${PG_BINDIR:-}" ]]; then
        has_server "$PG_BINDIR" && printf '%s\n' "$PG_BINDIR" && return 0
        return 1
    fi
    # a data dir made by an older major version needs that version's binaries
    if [[ -f "$PG_DATA/PG_VERSION" ]]; then
        dir="/usr/lib/postgresql/$(cat "$PG_DATA/PG_VERSION")/bin"
        has_server "$dir" && printf '%s\n' "$dir" && return 0
    fi
    while IFS= read -r dir; do
        candidates+=("$dir")
    done < <(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -rV)
    if command -v pg_config >/dev/null 2>&1; then
        candidates+=("$(pg_config --bindir 2>/dev/null || true)")
    fi
    if command -v initdb >/dev/null 2>&1; then
        candidates+=("$(dirname -- "$(readlink -f -- "$(command -v initdb)")")")
    fi
    for dir in "${candidates[@]}"; do
        if [[ -n "$dir" ]] && has_server "$dir"; then
            printf '%s\n' "$dir"
            return 0
        fi
    done
    return 1
}

do_install() {
    local bindir
    if bindir="$(find_bindir)"; then
        log "server binaries: $bindir ($("$bindir/postgres" --version))"
        return 0
    fi
    if [[ -n "${PG_BINDIR:-}" ]]; then
        die "PG_BINDIR=$PG_BINDIR does not contain initdb, pg_ctl and postgres"
    fi
    if is_root && command -v apt-get >/dev/null 2>&1; then
        log "PostgreSQL server binaries not found; installing the 'postgresql' package with apt-get..."
        export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
        apt-get update -qq >&2 || die "apt-get update failed"
        apt-get install -y -qq --no-install-recommends \
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
            postgresql >&2 || die "apt-get install postgresql failed"
        bindir="$(find_bindir)" || die "installed 'postgresql' but still no initdb/pg_ctl/postgres found"
        log "installed: $bindir ($("$bindir/postgres" --version))"
        return 0
    fi
    die "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found.
  Debian/Ubuntu: sudo apt-get install postgresql   (or run this script as root)
  Fedora/RHEL:   sudo dnf install postgresql-server
  macOS:         brew install postgresql
  or point PG_BINDIR at a directory that has them."
}

# --- running as the right user ---------------------------------------------------

ensure_os_user() {
    [[ -n "$PG_OS_USER" ]] || return 0
    if ! getent passwd "$PG_OS_USER" >/dev/null; then
        log "creating system user $PG_OS_USER"
        useradd --system --user-group --no-create-home \
            --home-dir /var/lib/postgresql --shell /usr/sbin/nologin "$PG_OS_USER" ||
            die "could not create system user $PG_OS_USER"
    fi
}

# as_pg CMD...: run as the cluster owner (the postgres user when we are root),
# from / so that an unreadable current directory does not matter.
as_pg() {
    if [[ -n "$PG_OS_USER" ]]; then
        (cd / && runuser -u "$PG_OS_USER" -- "$@")
    else
        "$@"
    fi
}

# The socket lives in the data dir unless that path is too long for a unix
# socket (about 107 bytes); then in a private directory under /tmp.
socket_dir() {
    local sock="$PG_DATA/.s.PGSQL.$PG_PORT"
    if ((${#sock} < 100)); then
        printf '%s\n' "$PG_DATA"
    else
        printf '%s\n' "${TMPDIR:-/tmp}/grievance-pg-$(id -u "${PG_OS_USER:-$(id -un)}")-$PG_PORT"
    fi
}

prepare_dirs() {
    local parent sockdir
    parent="$(dirname -- "$PG_DATA")"
    if [[ -n "$PG_OS_USER" ]]; then
        # the parent must be traversable by the postgres user
        if [[ ! -d "$parent" ]]; then
            mkdir -p "$parent"
            chmod 755 "$parent"
        fi
        [[ -d "$PG_DATA" ]] || mkdir -m 700 "$PG_DATA"
        chown "$PG_OS_USER:" "$PG_DATA"
        as_pg test -w "$PG_DATA" ||
            die "$PG_DATA is not writable by $PG_OS_USER (a parent directory is not traversable?); set GRIEVANCE_PG_DATA"
    else
        mkdir -p "$parent"
        [[ -d "$PG_DATA" ]] || mkdir -m 700 "$PG_DATA"
    fi
    chmod 700 "$PG_DATA"
    sockdir="$(socket_dir)"
    if [[ "$sockdir" != "$PG_DATA" ]]; then
        mkdir -p "$sockdir"
        chmod 700 "$sockdir"
        [[ -z "$PG_OS_USER" ]] || chown "$PG_OS_USER:" "$sockdir"
    fi
}

# --- cluster -------------------------------------------------------------------

is_initialized() {
    [[ -f "$PG_DATA/PG_VERSION" && -f "$PG_DATA/postgresql.conf" ]]
}

init_cluster() {
    local bindir=$1
    if is_initialized; then
        return 0
    fi
    if [[ -n "$(ls -A "$PG_DATA" 2>/dev/null)" ]]; then
        die "$PG_DATA is not empty but holds no PostgreSQL cluster; remove it or set GRIEVANCE_PG_DATA"
    fi
    local locale_opt=("--locale=$PG_LOCALE")
    if command -v locale >/dev/null 2>&1 &&
        ! locale -a 2>/dev/null | tr '[:upper:]' '[:lower:]' | sed 's/utf-8/utf8/' |
        grep -qx "$(printf '%s' "$PG_LOCALE" | tr '[:upper:]' '[:lower:]' | sed 's/utf-8/utf8/')"; then
        warn "locale $PG_LOCALE not available, using --no-locale"
        locale_opt=(--no-locale)
    fi
    log "initdb $PG_DATA"
    as_pg "$bindir/initdb" -D "$PG_DATA" --username="$PG_SUPERUSER" \
        --encoding=UTF8 "${locale_opt[@]}" \
        --auth-local=trust --auth-host=scram-sha-256 >"$PG_DATA.initdb.log" 2>&1 || {
        cat "$PG_DATA.initdb.log" >&2
        die "initdb failed"
    }
    rm -f "$PG_DATA.initdb.log"
    # our settings live in an include file, rewritten on every start
    printf "\n# deploy/local/postgres.sh\ninclude_if_exists = '%s'\n" "$PG_CONF_INCLUDE" |
        as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

write_settings() {
    local sockdir
    sockdir="$(socket_dir)"
    as_pg tee "$PG_DATA/$PG_CONF_INCLUDE" >/dev/null <<EOF
# Written by deploy/local/postgres.sh on every start; edits here are overwritten.
listen_addresses = '$LOCAL_HOST'
port = $PG_PORT
unix_socket_directories = '$sockdir'
unix_socket_permissions = 0700
max_connections = 300
shared_buffers = 128MB
password_encryption = 'scram-sha-256'
fsync = on
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
log_min_duration_statement = -1
EOF
}

# Prints the postmaster pid when the cluster in $PG_DATA is really running.
running_pid() {
    local pid
    [[ -f "$PG_DATA/postmaster.pid" ]] || return 1
    pid="$(head -n 1 "$PG_DATA/postmaster.pid" | tr -dc '0-9')"
    pid_alive "$pid" || return 1
    [[ "$(pid_cmdline "$pid")" == *postgres* ]] || return 1
    printf '%s\n' "$pid"
}

# The port in postmaster.pid (line 4) of a running cluster.
running_port() {
    sed -n '4p' "$PG_DATA/postmaster.pid" 2>/dev/null | tr -dc '0-9'
}

ensure_role_and_db() {
    local bindir=$1 sockdir psql
    sockdir="$(socket_dir)"
    psql="$bindir/psql"
    [[ -x "$psql" ]] || psql="$(command -v psql)" || die "psql not found"
    as_pg "$psql" -X -q -v ON_ERROR_STOP=1 \
        -h "$sockdir" -p "$PG_PORT" -U "$PG_SUPERUSER" -d postgres \
        -v role="$PG_USER" -v pass="$PG_PASSWORD" -v db="$PG_DB" >/dev/null <<'SQL' ||
SET client_min_messages = warning;
SET password_encryption = 'scram-sha-256';
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
-- CREATEDB: the test suite gives every test module a database of its own.
ALTER ROLE :"role" WITH LOGIN CREATEDB PASSWORD :'pass';
-- DROP DATABASE ... WITH (FORCE) of a test database ends the autovacuum worker that may be
-- cleaning it; PostgreSQL 15 lets only pg_signal_backend members end such a process.
GRANT pg_signal_backend TO :"role";
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
ALTER DATABASE :"db" OWNER TO :"role";
SQL
        die "could not create role $PG_USER / database $PG_DB (see $PG_LOGFILE)"
}

# The server was killed (postmaster.pid left behind). PostgreSQL cleans up
# after a crash by itself, but it takes a pid that still answers kill -0 for a
# live postmaster: wait until the dead one has been reaped, and if it lingers
# as a zombie (or the pid was reused by another program) drop the stale lock
# files, which nothing can be holding then.
clear_crashed_postmaster() {
    local old deadline
    old="$(head -n 1 "$PG_DATA/postmaster.pid" | tr -dc '0-9')"
    log "found postmaster.pid of a server that is gone (pid ${old:-?}); PostgreSQL will recover on start"
    [[ -n "$old" ]] || return 0
    deadline=$((SECONDS + 15))
    while kill -0 "$old" 2>/dev/null && ((SECONDS < deadline)); do
        sleep 0.3
    done
    if kill -0 "$old" 2>/dev/null; then
        log "pid $old is not a postmaster any more; removing stale lock files"
        rm -f "$PG_DATA/postmaster.pid" "$(socket_dir)/.s.PGSQL.$PG_PORT.lock"
    fi
}

do_start() {
    local bindir pid
    do_install
    bindir="$(find_bindir)"
    ensure_os_user

    if pid="$(running_pid)"; then
        if [[ "$(running_port)" != "$PG_PORT" ]]; then
            die "the cluster in $PG_DATA is running on port $(running_port), not $PG_PORT; stop it first"
        fi
        log "already running (pid $pid) on $LOCAL_HOST:$PG_PORT, data $PG_DATA"
        ensure_role_and_db "$bindir"
        url asyncpg
        return 0
    fi
    if [[ -f "$PG_DATA/postmaster.pid" ]]; then
        clear_crashed_postmaster
    fi
    if port_open "$LOCAL_HOST" "$PG_PORT"; then
        die "port $LOCAL_HOST:$PG_PORT is already in use by another process (not the cluster in $PG_DATA); stop it or choose another PG_PORT"
    fi

    prepare_dirs
    init_cluster "$bindir"
    write_settings

    log "starting PostgreSQL on $LOCAL_HOST:$PG_PORT (data $PG_DATA)"
    if ! as_pg "$bindir/pg_ctl" -D "$PG_DATA" -l "$PG_LOGFILE" -w -t "$PG_START_TIMEOUT" start >/dev/null; then
        tail -n 30 "$PG_LOGFILE" >&2 || true
        die "PostgreSQL did not start; log: $PG_LOGFILE"
    fi
    wait_for_port "$LOCAL_HOST" "$PG_PORT" 10 || die "PostgreSQL started but $LOCAL_HOST:$PG_PORT does not accept connections"
    ensure_role_and_db "$bindir"
    log "ready: role $PG_USER, database $PG_DB; log $PG_LOGFILE"
    url asyncpg
}

do_stop() {
    local bindir pid
    if ! pid="$(running_pid)"; then
        log "not running (data $PG_DATA)"
        return 0
    fi
    bindir="$(find_bindir)" || die "server binaries not found, cannot stop pid $pid cleanly"
    log "stopping (pid $pid)..."
    if ! as_pg "$bindir/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null; then
        warn "fast shutdown did not finish, trying immediate"
        as_pg "$bindir/pg_ctl" -D "$PG_DATA" -m immediate -w -t 30 stop >/dev/null ||
            die "could not stop PostgreSQL (pid $pid)"
    fi
    log "stopped"
}

do_status() {
    local pid
    if pid="$(running_pid)"; then
        log "running (pid $pid) on $LOCAL_HOST:$(running_port), data $PG_DATA"
        return 0
    fi
    log "not running (data $PG_DATA)"
    return 1
}

# Percent-encode a URL component.
urlencode() {
    # byte-wise, so that UTF-8 characters become their %XX byte sequences
    local LC_ALL=C s=$1 out="" c i hex
    for ((i = 0; i < ${#s}; i++)); do
        c="${s:i:1}"
        case "$c" in
            [a-zA-Z0-9._~-]) out+="$c" ;;
            *)
                printf -v hex '%02X' "'$c"
                out+="%${hex: -2}"
                ;;
        esac
    done
    printf '%s' "$out"
}

url() {
    local scheme=postgresql+asyncpg
    [[ "${1:-}" == libpq ]] && scheme=postgresql
    printf '%s://%s:%s@%s:%s/%s\n' "$scheme" "$(urlencode "$PG_USER")" \
        "$(urlencode "$PG_PASSWORD")" "$LOCAL_HOST" "$PG_PORT" "$(urlencode "$PG_DB")"
}

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
    exit 2
}

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
case "$cmd" in
    install) do_install ;;
    start) do_start ;;
    stop) do_stop ;;
    restart)
        do_stop
        do_start
        ;;
    status) do_status ;;
    url)
        if [[ "${1:-}" == --libpq ]]; then url libpq; else url asyncpg; fi
        ;;
    *) usage ;;
esac
