#!/usr/bin/env bash
# The README's test command: installs what is missing, builds everything (benchmarks
# included, so they keep compiling) and runs the whole test suite with CTest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"

bash "$root/scripts/build.sh"
cd "$build_dir"
ctest --output-on-failure --timeout 600 -j "${TEST_JOBS:-2}"
