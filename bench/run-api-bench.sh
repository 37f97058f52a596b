#!/bin/sh
# Builds the engine and the API load driver, then runs the driver with the budgets.md defaults
# and prints its report. Extra arguments go to pilot-apibench (see --help), e.g.
#   bench/run-api-bench.sh --json api-bench.json
# BUILD_DIR selects the build tree (default: build, configured if missing); JOBS limits build jobs.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}

if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
cmake --build "$build" --target pilot-apibench pilothouse-engine ${JOBS:+-j "$JOBS"}

exec "$build/bench/pilot-apibench" --engine "$build/bin/pilothouse-engine" "$@"
