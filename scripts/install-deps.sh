#!/usr/bin/env bash
# Installs the Debian 12 packages Pilothouse builds and tests with. Safe to re-run: only missing
# packages are installed.
set -euo pipefail

packages=(
    build-essential cmake ninja-build ccache pkg-config clang-format
    libboost1.81-dev libboost-json1.81-dev libyaml-cpp-dev libsqlite3-dev libssl-dev
    libarchive-dev libzstd-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev libhowardhinnant-date-dev
    libjemalloc-dev
    python3 python3-kubernetes python3-yaml python3-pytest curl
    etcd-server etcd-client prometheus
    qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-svg-dev qt6-tools-dev qt6-tools-dev-tools
    # Qt6Charts' CMake package needs Qt6OpenGL, which qt6-charts-dev does not pull in.
    libqt6opengl6-dev
    qt6-l10n-tools qt6-translations-l10n qt6-qpa-plugins libgl-dev fonts-wqy-microhei
    libdtl-dev
    skopeo runc containernetworking-plugins docker-registry busybox-static iproute2 iptables
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ! -x /usr/bin/kubectl ]; then
    # Not in Debian's archive: the compat tests need the machine's kubectl 1.32 dispatcher.
    echo "warning: /usr/bin/kubectl is missing; the compat tests (CTest label compat) will fail" >&2
fi

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "Installing: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
