#!/usr/bin/env bash
# Stop what deploy/local/up.sh started: the services, then Kafka and PostgreSQL.
# Data stays in the state directory; remove it (see README.md) for a clean slate.
set -euo pipefail

LOG_TAG=down
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

"$LOCAL_DIR/services.sh" stop
"$LOCAL_DIR/kafka.sh" stop
"$LOCAL_DIR/postgres.sh" stop
