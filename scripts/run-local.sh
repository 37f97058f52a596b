#!/usr/bin/env bash
# Builds Pilothouse and starts the console with the bundled local cluster (`pilothouse --local`:
# the engine and one agent as child processes, data under the user's application data folder).
# Without a display it starts the same cluster headless (with its registry) and prints how to use
# it with kubectl and skopeo; Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
"./scripts/build.sh"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ -n "${QT_QPA_PLATFORM:-}" ]; then
    exec ./build/bin/pilothouse --local "$@"
fi

echo "No display found: starting the bundled cluster without the console." >&2
data="${XDG_DATA_HOME:-$HOME/.local/share}/pilothouse/headless"
mkdir -p "$data/engine" "$data/agent"
coproc ENGINE { exec ./build/bin/pilothouse-engine --data-dir "$data/engine" --listen "${PILOT_LISTEN:-127.0.0.1:6443}" \
    --registry-listen "${PILOT_REGISTRY_LISTEN:-127.0.0.1:5443}"; }
engine_pid=$ENGINE_PID # bash unsets ENGINE_PID once the coprocess exits
agent_pid=""
trap 'kill -TERM $agent_pid "$engine_pid" 2>/dev/null; wait 2>/dev/null || true' EXIT INT TERM
read -r line <&"${ENGINE[0]}"
echo "$line"
kubeconfig="${line##*kubeconfig=}"
registry="${line##*registry=https://}"
registry="${registry%% *}"
# skopeo's --cert-dir takes every *.key there for a client key: give it the CA alone.
mkdir -p "$data/registry-certs"
cp "$data/engine/pki/ca.crt" "$data/registry-certs/ca.crt"
# The agent trusts its kubeconfig's CA, which signs the registry: pulls from it are verified TLS.
./build/bin/pilothouse-agent --kubeconfig "$kubeconfig" --node-name "$(hostname -s)" \
    --data-dir "$data/agent" --registry-verify-loopback \
    --eviction-hard 'memory.available<100Mi,nodefs.available<2Gi,nodefs.inodesFree<5%,imagefs.available<2Gi' &
agent_pid=$!
cat <<MSG

Pilothouse is running (engine and one node agent). Use it with kubectl:

    export KUBECONFIG=$kubeconfig
    kubectl get nodes
    kubectl create deployment hello --image=busybox:1.36 -- sleep 3600

The bundled registry serves https://$registry/ (public project "library", Harbor API
under /api/v2.0/; PILOT_REGISTRY_LISTEN=HOST:PORT moves it). Its administrator
(username:password) is in
$data/engine/registry-admin
and its certificate is signed by the engine CA, copied for skopeo's --cert-dir to
$data/registry-certs. Push an image, list its tags and run it:

    skopeo copy --dest-cert-dir $data/registry-certs \\
        --dest-creds "\$(cat $data/engine/registry-admin)" \\
        docker://busybox:1.36 docker://$registry/library/busybox:1.36
    skopeo list-tags --cert-dir $data/registry-certs \\
        --creds "\$(cat $data/engine/registry-admin)" docker://$registry/library/busybox
    kubectl create deployment hello2 --image=$registry/library/busybox:1.36 -- sleep 3600

Press Ctrl-C to stop it.
MSG
wait "$engine_pid"
