#!/usr/bin/env bash
# Restore a dump made by backup.sh and prove it complete.
#
# usage: restore.sh FILE.dump TARGET_URL [--create | --verify-only]
#
#   FILE.dump   a dump of backup.sh; FILE.dump.sha256 and FILE.manifest.json
#               must lie next to it
#   TARGET_URL  the database to restore into (postgresql:// or
#               postgresql+asyncpg://), e.g. on a freshly made cluster
#   --create    create the target database first (through the server's
#               "postgres" database; the user needs CREATEDB)
#   --verify-only restore nothing: only compare TARGET_URL with the manifest
#
# Steps: verify the checksum; refuse a target that already holds any of the
# dump's schemas (restoring over live data is never what was meant: drop the
# database or pick another); pg_restore in one transaction, objects owned by the
# target user (--no-owner --no-privileges); ANALYZE; then compare schemas,
# Alembic revisions and the row count of every table with the manifest. Exits 1
# on any difference, listing it.
set -euo pipefail

LOG_TAG=restore
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=pgclient.sh
source "$LOCAL_DIR/pgclient.sh"

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
    exit 2
}

create=0
verify_only=0
positional=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --create) create=1 && shift ;;
        --verify-only) verify_only=1 && shift ;;
        -h | --help) usage ;;
        *) positional+=("$1") && shift ;;
    esac
done
[[ ${#positional[@]} -eq 2 ]] || usage
dump="$(abspath "${positional[0]}")"
target="${positional[1]}"
manifest="${dump%.dump}.manifest.json"
[[ "$dump" == *.dump && -f "$dump" ]] || die "no dump at $dump"
[[ -f "$dump.sha256" ]] || die "no checksum at $dump.sha256"
[[ -f "$manifest" ]] || die "no manifest at $manifest"

require_cmd sha256sum
(cd "$(dirname -- "$dump")" && sha256sum --check --status "$(basename -- "$dump").sha256") ||
    die "checksum mismatch: $dump is damaged or not the file the backup wrote"
log "checksum OK"

pg_target "$target"
psql="$(pg_tool psql)"
pg_restore="$(pg_tool pg_restore)"
manifest_json="$(cat "$manifest")"

run_psql() {
    "$psql" -X -q -A -t -v ON_ERROR_STOP=1 -v manifest="$manifest_json" "$@"
}

((create + verify_only < 2)) || die "--create and --verify-only exclude each other"

if ((create)); then
    log "creating database $PG_DBNAME"
    run_psql -d "$PG_SERVER" -v db="$PG_DBNAME" <<'SQL' || die "could not create database $PG_DBNAME"
SELECT format('CREATE DATABASE %I', :'db')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
fi

# Refuse a target that holds any of the dump's schemas already.
check_target_empty() {
    local taken
    taken="$(run_psql -d "$PG_CONNINFO" <<'SQL'
SELECT coalesce(string_agg(s, ', ' ORDER BY s), '')
  FROM json_array_elements_text(:'manifest'::json -> 'schemas') AS s
 WHERE EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = s);
SQL
    )" || die "cannot connect to $PG_CONNINFO"
    [[ -z "$taken" ]] || die "$PG_DBNAME already has schema(s) $taken; restore into an empty database"
}

if ((!verify_only)); then
    check_target_empty
    log "restoring $(basename -- "$dump") into $PG_CONNINFO"
    "$pg_restore" --no-owner --no-privileges --exit-on-error --single-transaction -d "$PG_CONNINFO" "$dump" ||
        die "pg_restore failed; nothing was restored (one transaction)"
    # Planner statistics are not part of a dump.
    run_psql -d "$PG_CONNINFO" -c 'SET client_min_messages = error' -c 'ANALYZE' ||
        warn "ANALYZE failed; run it before heavy use"
fi

differences="$(run_psql -F $'\t' -d "$PG_CONNINFO" <<SQL
WITH counted AS (
$(table_counts_sql)
), revisions AS (
$(revisions_sql)
), wanted_schemas AS (
    SELECT s FROM json_array_elements_text(:'manifest'::json -> 'schemas') AS s
), expected AS (
    SELECT key AS name, value::bigint AS n FROM json_each_text(:'manifest'::json -> 'tables')
), actual AS (
    SELECT schema_name || '.' || table_name AS name, n FROM counted
     WHERE schema_name IN (SELECT s FROM wanted_schemas)
)
SELECT 'table', coalesce(e.name, a.name), coalesce(e.n::text, 'absent'), coalesce(a.n::text, 'absent')
  FROM expected e FULL JOIN actual a ON a.name = e.name
 WHERE e.n IS DISTINCT FROM a.n
UNION ALL
SELECT 'alembic', m.key, m.value::text, coalesce(r.heads::text, 'absent')
  FROM json_each(:'manifest'::json -> 'alembic') AS m
  LEFT JOIN revisions r ON r.schema_name = m.key
 WHERE r.heads IS NULL OR r.heads::jsonb <> m.value::jsonb
ORDER BY 1, 2;
SQL
)" || die "could not read the restored database"

if [[ -n "$differences" ]]; then
    printf '%s\n' "what	name	manifest	restored" "$differences" >&2
    die "the restored database differs from the manifest"
fi
tables="$(grep -c '^    "' "$manifest" || true)"
log "$( ((verify_only)) && echo verified || echo "restored and verified"): $tables tables with the manifest's row counts, Alembic revisions match"
