#!/usr/bin/env bash
# Set up and run the whole platform on this machine, without Docker:
# Debian packages + virtualenv + Kafka jars (first run only), a real Kafka broker and PostgreSQL
# cluster on 127.0.0.1, migrations, topics, and every service in the background.
# Stop everything with deploy/local/down.sh.
set -euo pipefail

LOG_TAG=up
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

"$LOCAL_DIR/bootstrap.sh"
"$LOCAL_DIR/kafka.sh" start >/dev/null
"$LOCAL_DIR/postgres.sh" start >/dev/null
# shellcheck source=env.sh
source "$LOCAL_DIR/env.sh"

cd "$REPO_ROOT"
python -m services.migrate >/dev/null
"$LOCAL_DIR/topics.sh" >/dev/null
"$LOCAL_DIR/kafka-acl.sh" >/dev/null
"$LOCAL_DIR/services.sh" start
# The console's first admin, once: a one-time password to change at the first sign-in.
first_admin="$(python -m services.console.accounts create-admin)"

cat <<MSG

The platform is running (logs in ${STATE_DIR}/logs):

  Staff console      http://127.0.0.1:8006/          (sign in; accounts under 用户管理)
  Citizen portal     http://127.0.0.1:8005/
  Intake API         http://127.0.0.1:8001/docs
  Router API         http://127.0.0.1:8002/docs     (review queue)
  Casework API       http://127.0.0.1:8003/docs     (departments)
  Mediation API      http://127.0.0.1:8004/docs
  Feedback API       http://127.0.0.1:8005/docs
  Console API        http://127.0.0.1:8006/docs     (annual report: supervisors)
  Kafka              ${GRIEVANCE_KAFKA_BOOTSTRAP_SERVERS}   (SASL/SCRAM; passwords in $("$LOCAL_DIR/kafka.sh" credentials))
  PostgreSQL         $("$LOCAL_DIR/postgres.sh" url --libpq)

  Staff token:  .venv/bin/python -m shared.auth issue --role reviewer
  Stop:         deploy/local/down.sh

${first_admin}
MSG
