#!/usr/bin/env bash
# Builds Pilothouse and runs the whole test suite (unit, integration and compat tests against
# the real kubectl and Python client). Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
"./scripts/build.sh"
ctest --test-dir build --output-on-failure -j "${PILOT_JOBS:-2}" --timeout 600 "$@"
