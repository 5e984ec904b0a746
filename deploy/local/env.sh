# shellcheck shell=bash
# Source this to point the platform's processes at the local Kafka and PostgreSQL:
#   source deploy/local/env.sh
# (the scripts in deploy/local do it for you).

_here="$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
GRIEVANCE_DATABASE_URL="$("$_here/postgres.sh" url)"
GRIEVANCE_KAFKA_BOOTSTRAP_SERVERS="$("$_here/kafka.sh" bootstrap)"
export GRIEVANCE_DATABASE_URL GRIEVANCE_KAFKA_BOOTSTRAP_SERVERS
# The admin principal (SASL/SCRAM) for tools and tests; services.sh gives each service its own.
while IFS= read -r _line; do
    [[ -n "$_line" ]] && export "${_line?}"
done < <("$_here/kafka.sh" client-env)
unset _line
export GRIEVANCE_ENVIRONMENT="${GRIEVANCE_ENVIRONMENT:-development}"
PATH="$(cd "$_here/../.." && pwd)/.venv/bin:$PATH"
export PATH
unset _here
