#!/usr/bin/env bash
# The README's run command: installs what is missing, builds, and runs portico on its
# embedded default (RocksDB in ./data plus the embedded Kafka broker, on loopback).
# It passes --demo: an empty data directory is seeded with the demo dataset (a no-op later).
# Extra arguments go to `portico serve`, e.g. scripts/run.sh --http 127.0.0.1:9090
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"

bash "$root/scripts/build.sh" portico
exec "$build_dir/gateway/portico" serve --data-dir "${PORTICO_DATA_DIR:-$root/data}" --demo "$@"
