#!/usr/bin/env bash
# Configures (once) and builds Pilothouse into build/ with Ninja and ccache.
set -euo pipefail
cd "$(dirname "$0")/.."
"./scripts/install-deps.sh"
if [ ! -f build/build.ninja ]; then
    cmake --preset default >/dev/null
fi
cmake --build build -j "${PILOT_JOBS:-2}"
