#!/usr/bin/env bash
# Create the platform's Kafka users (one SCRAM principal per service and per department) and
# apply the least-privilege ACLs computed from the topic catalogue (shared/kafka/acls.py), as the
# super user. Idempotent: re-run it after adding a department or changing the catalogue.
# Passwords are generated once into the broker's credentials file (0600, see kafka.sh credentials).
#
# usage: kafka-acl.sh [apply|plan] [--departments a,b] [--no-prune]
#        GRIEVANCE_TOPIC_PREFIX=p. kafka-acl.sh    principals and topics of a prefixed namespace
set -euo pipefail

LOG_TAG=kafka-acl
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=env.sh
source "$LOCAL_DIR/env.sh"

command="${1:-apply}"
[[ $# -gt 0 ]] && shift
cd "$REPO_ROOT"
python -m shared.kafka.principals "$command" --credentials "$("$LOCAL_DIR/kafka.sh" credentials)" "$@"
