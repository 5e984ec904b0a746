#!/usr/bin/env bash
# Logical backup of the platform database, every service schema, with pg_dump.
#
# usage: backup.sh [--url URL] [--dir DIR] [--keep N]
#
#   --url   the database (postgresql:// or postgresql+asyncpg://); default
#           $GRIEVANCE_DATABASE_URL, else the local cluster (postgres.sh url)
#   --dir   where the dumps go; default $GRIEVANCE_BACKUP_DIR, else
#           $STATE_DIR/backups
#   --keep  keep the newest N dumps of this database and delete older ones;
#           default $GRIEVANCE_BACKUP_KEEP, else 14; 0 keeps all
#
# For database DB at time T (UTC, YYYYmmddTHHMMSSZ) it writes
#   DB-T.dump            pg_dump custom format: schemas, data, sequences
#   DB-T.dump.sha256     its checksum (sha256sum -c format)
#   DB-T.manifest.json   schemas, Alembic revision per schema, rows per table
# and prints the dump's path. The dump and the manifest's counts are read in
# one exported snapshot, so they agree while the services keep writing.
# restore.sh FILE checks the checksum and the counts.
set -euo pipefail

LOG_TAG=backup
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=pgclient.sh
source "$LOCAL_DIR/pgclient.sh"

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
    exit 2
}

url="${GRIEVANCE_DATABASE_URL:-}"
dir="${GRIEVANCE_BACKUP_DIR:-$STATE_DIR/backups}"
keep="${GRIEVANCE_BACKUP_KEEP:-14}"
while [[ $# -gt 0 ]]; do
    case "$1" in
        --url) url="${2:?--url needs a value}" && shift 2 ;;
        --dir) dir="${2:?--dir needs a value}" && shift 2 ;;
        --keep) keep="${2:?--keep needs a value}" && shift 2 ;;
        *) usage ;;
    esac
done
[[ "$keep" =~ ^[0-9]+$ ]] || die "--keep must be a number, got '$keep'"
[[ -n "$url" ]] || url="$("$LOCAL_DIR/postgres.sh" url)"

pg_target "$url"
psql="$(pg_tool psql)"
pg_dump="$(pg_tool pg_dump)"
require_cmd sha256sum

dir="$(abspath "$dir")"
mkdir -p "$dir"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
base="$PG_DBNAME-$stamp"
dump="$dir/$base.dump"
manifest="$dir/$base.manifest.json"
[[ ! -e "$dump" ]] || die "$dump already exists"

# Partial files never carry the final names: a failed run leaves nothing that
# looks like a backup.
work="$(mktemp -d "$dir/.backup-XXXXXX")"
snapshot_pid=""
cleanup() {
    [[ -z "$snapshot_pid" ]] || kill "$snapshot_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# A psql session holds a repeatable-read transaction open: its snapshot is
# exported to pg_dump and the manifest is read in it.
coproc SNAPSHOT { exec "$psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$PG_CONNINFO" 2>"$work/psql.err"; }
snapshot_pid=$SNAPSHOT_PID
printf '%s\n' "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;" "SELECT pg_export_snapshot();" >&"${SNAPSHOT[1]}"
if ! read -r -t 60 snapshot <&"${SNAPSHOT[0]}" || [[ -z "$snapshot" ]]; then
    cat "$work/psql.err" >&2 || true
    die "could not open a snapshot on $PG_CONNINFO"
fi

log "dumping $PG_DBNAME (snapshot $snapshot) to $dump"
"$pg_dump" --format=custom --compress=6 --snapshot="$snapshot" --file="$work/dump" -d "$PG_CONNINFO" ||
    die "pg_dump failed"

{
    printf '\\set dump %s\n' "$base.dump"
    printf '\\o %s\n' "$work/manifest"
    cat <<SQL
WITH counted AS (
$(table_counts_sql)
), revisions AS (
$(revisions_sql)
)
-- JSON laid out by hand: one key per line, tables sorted, for people reading it.
SELECT concat_ws(E'\n',
    '{',
    '  "format": 1,',
    format('  "dump": %s,', to_json(:'dump'::text)),
    format('  "database": %s,', to_json(current_database())),
    format('  "server_version": %s,', to_json(current_setting('server_version'))),
    format('  "taken_at": %s,', to_json(to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))),
    format('  "schemas": %s,',
           (SELECT coalesce(json_agg(DISTINCT schema_name ORDER BY schema_name), '[]') FROM counted)),
    format('  "alembic": %s,',
           (SELECT coalesce(json_object_agg(schema_name, heads ORDER BY schema_name), '{}') FROM revisions)),
    '  "tables": {',
    (SELECT string_agg(format('    %s: %s', to_json(schema_name || '.' || table_name), n), E',\n'
                       ORDER BY schema_name, table_name) FROM counted),
    '  }',
    '}');
SQL
    printf '%s\n' '\o' 'COMMIT;' "\\echo manifest-done"
} >&"${SNAPSHOT[1]}"
if ! read -r -t 600 reply <&"${SNAPSHOT[0]}" || [[ "$reply" != manifest-done ]]; then
    cat "$work/psql.err" >&2 || true
    die "could not write the manifest"
fi
printf '%s\n' '\q' >&"${SNAPSHOT[1]}"
wait "$snapshot_pid" || true
snapshot_pid=""

(cd "$work" && sha256sum dump) | sed "s/ dump\$/ $base.dump/" >"$work/sha256"
mv "$work/dump" "$dump"
mv "$work/sha256" "$dump.sha256"
mv "$work/manifest" "$manifest"
log "wrote $dump ($(du -h "$dump" | cut -f1)), $(basename -- "$dump").sha256 and $(basename -- "$manifest")"

# Retention: the names sort by time, so the oldest come first.
if ((keep > 0)); then
    mapfile -t dumps < <(find "$dir" -maxdepth 1 -type f -name "$PG_DBNAME-*.dump" -printf '%f\n' | sort)
    excess=$((${#dumps[@]} - keep))
    for ((i = 0; i < excess; i++)); do
        old="${dumps[i]%.dump}"
        log "retention ($keep kept): removing $old"
        rm -f "$dir/$old.dump" "$dir/$old.dump.sha256" "$dir/$old.manifest.json"
    done
fi

printf '%s\n' "$dump"
