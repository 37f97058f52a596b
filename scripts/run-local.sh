#!/usr/bin/env bash
# Builds Pilothouse and starts the bundled local cluster. The console does not exist yet, so this
# starts the engine and prints how to use it with kubectl. Data lives under
# ${XDG_DATA_HOME:-~/.local/share}/pilothouse; Ctrl-C stops the engine.
set -euo pipefail
cd "$(dirname "$0")/.."
"./scripts/build.sh"
data="${XDG_DATA_HOME:-$HOME/.local/share}/pilothouse/engine"
mkdir -p "$data"
coproc ENGINE { exec ./build/bin/pilothouse-engine --data-dir "$data" --listen "${PILOT_LISTEN:-127.0.0.1:6443}"; }
engine_pid=$ENGINE_PID # bash unsets ENGINE_PID once the coprocess exits
trap 'kill -TERM "$engine_pid" 2>/dev/null; wait "$engine_pid" 2>/dev/null || true' EXIT INT TERM
read -r line <&"${ENGINE[0]}"
echo "$line"
kubeconfig="${line##*kubeconfig=}"
cat <<MSG

Pilothouse engine is running. Use it with kubectl:

    export KUBECONFIG=$kubeconfig
    kubectl get namespaces
    kubectl create deployment hello --image=busybox:1.36

Press Ctrl-C to stop it.
MSG
wait "$engine_pid"
