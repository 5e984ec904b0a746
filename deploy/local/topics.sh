#!/usr/bin/env bash
# Create every topic of the catalogue (shared/events/topics.py + the department catalog) with its
# explicit partition count on the local broker; the broker's auto-create is off. Idempotent.
set -euo pipefail

LOG_TAG=topics
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=env.sh
source "$LOCAL_DIR/env.sh"

cd "$REPO_ROOT"
python -m shared.kafka.admin create
