#!/usr/bin/env bash
# Debian's kcat with a librdkafka that can authenticate to Kafka 4 with SASL/SCRAM.
#
# bookworm's librdkafka (2.0) repeats the client nonce in the SCRAM client-final message; Kafka 4
# checks the nonce strictly and refuses it (fixed in librdkafka 2.6.1). The confluent-kafka wheel
# pinned in pyproject.toml ships a current librdkafka with the same ABI (soname librdkafka.so.1):
# this wrapper puts it first on the library path. bootstrap.sh links it as .venv/bin/kcat, so with
# deploy/local/env.sh sourced, "kcat" is this wrapper. Arguments are passed through unchanged.
set -euo pipefail

here="$(cd -P -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")" && pwd)"
venv="$(cd -- "$here/../.." && pwd)/.venv"
real="${GRIEVANCE_KCAT:-/usr/bin/kcat}"
shopt -s nullglob
libs=("$venv"/lib/python3*/site-packages/confluent_kafka.libs/librdkafka-*.so.1)
if ((${#libs[@]} > 0)); then
    libdir="$venv/lib/librdkafka"
    if [[ "$(readlink -f "$libdir/librdkafka.so.1" 2>/dev/null)" != "$(readlink -f "${libs[0]}")" ]]; then
        mkdir -p "$libdir"
        ln -sfn "${libs[0]}" "$libdir/librdkafka.so.1"
    fi
    export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
exec "$real" "$@"
