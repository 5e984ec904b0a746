# shellcheck shell=bash
# Client-side helpers for backup.sh and restore.sh: database URLs and the
# PostgreSQL client tools. Sourced, not run; needs lib.sh (log/die) first.
# Only bash, coreutils and the PostgreSQL client tools are used, so the same
# scripts run in the postgres image of docker-compose.yml.

# Variables set here are read by the scripts that source this file.
# shellcheck disable=SC2034

# pg_tool NAME: the path of a client tool (pg_dump, pg_restore, psql). PG_BINDIR
# wins, then PATH, then the newest /usr/lib/postgresql/N/bin. A pg_dump older
# than the server refuses to dump it, so keep the tools at least as new.
pg_tool() {
    local name=$1 dir
    if [[ -n "${PG_BINDIR:-}" ]]; then
        [[ -x "$PG_BINDIR/$name" ]] || die "PG_BINDIR=$PG_BINDIR has no $name"
        printf '%s\n' "$PG_BINDIR/$name"
        return 0
    fi
    if command -v "$name" >/dev/null 2>&1; then
        command -v "$name"
        return 0
    fi
    dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -rV | head -n 1)"
    [[ -n "$dir" && -x "$dir/$name" ]] || die "'$name' (PostgreSQL client tools) not found; install postgresql-client or set PG_BINDIR"
    printf '%s\n' "$dir/$name"
}

# Decode %XX escapes of a URL component ("+" stays "+": this is no query string).
urldecode() {
    printf '%b' "${1//%/\\x}"
}

# pg_target URL: split a postgresql:// or postgresql+asyncpg:// URL into
#   PG_CONNINFO  the libpq URL without the password (safe on a command line)
#   PG_DBNAME    the database name
#   PG_SERVER    the libpq URL of the server's "postgres" database (for CREATE DATABASE)
# and export the password as PGPASSWORD, so it never shows in the process list.
pg_target() {
    local url=$1 scheme rest userinfo hostpart path query user password
    case "$url" in
        postgresql+asyncpg://* | postgresql://* | postgres://*) ;;
        *) die "not a PostgreSQL URL: ${url%%://*}://…" ;;
    esac
    scheme=postgresql
    rest="${url#*://}"
    query=""
    if [[ "$rest" == *\?* ]]; then
        query="?${rest#*\?}"
        rest="${rest%%\?*}"
    fi
    # asyncpg's ssl=… is sslmode=… for libpq
    query="${query/ssl=/sslmode=}"
    userinfo=""
    if [[ "$rest" == *@* ]]; then
        userinfo="${rest%@*}"
        rest="${rest##*@}"
    fi
    hostpart="${rest%%/*}"
    path=""
    [[ "$rest" == */* ]] && path="${rest#*/}"
    [[ -n "$path" ]] || die "the URL names no database"
    user="${userinfo%%:*}"
    if [[ "$userinfo" == *:* ]]; then
        password="${userinfo#*:}"
        PGPASSWORD="$(urldecode "$password")"
        export PGPASSWORD
    fi
    PG_DBNAME="$(urldecode "$path")"
    PG_CONNINFO="$scheme://${user:+$user@}$hostpart/$path$query"
    PG_SERVER="$scheme://${user:+$user@}$hostpart/postgres$query"
}

# SQL: one row (schema, table, rows) per table of every non-system schema.
# query_to_xml runs each count inside the one statement, so all of them come
# from the statement's (or the transaction's) snapshot.
table_counts_sql() {
    cat <<'SQL'
SELECT n.nspname AS schema_name, c.relname AS table_name,
       (xpath('/row/n/text()',
              query_to_xml(format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname),
                           false, true, '')))[1]::text::bigint AS n
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND n.nspname <> 'information_schema'
   AND n.nspname NOT LIKE 'pg\_%'
SQL
}

# SQL: one row (schema, heads as a JSON array) per schema with an Alembic version table.
revisions_sql() {
    cat <<'SQL'
SELECT n.nspname AS schema_name,
       (SELECT coalesce(json_agg(v::text ORDER BY v::text), '[]'::json)
          FROM unnest(xpath('/table/row/v/text()',
                            query_to_xml(format('SELECT version_num AS v FROM %I.alembic_version', n.nspname),
                                         false, false, ''))) AS v) AS heads
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relname = 'alembic_version' AND c.relkind = 'r'
   AND n.nspname <> 'information_schema'
   AND n.nspname NOT LIKE 'pg\_%'
SQL
}
