#pragma once

#include "nodeagent/runtime/runtime.h"

#include <string>
#include <string_view>

/// The files every container of a pod shares: /etc/hosts, /etc/resolv.conf, /etc/hostname, in
/// kubelet's formats.
namespace pilot::agent::runc {

/// kubelet's managed hosts file: localhost entries, the pod IP with the hostname, then the
/// hostAliases. With hostNetwork (empty podIp) the host's file content is used as the base.
[[nodiscard]] std::string hostsFileContent(const SandboxConfig& config, std::string_view podIp,
                                           std::string_view hostHosts);

/// resolv.conf from the pod's DNS settings, or the host's when none are given. A host file
/// that points at a loopback resolver (systemd-resolved's 127.0.0.53) is unusable from a pod
/// network namespace: `upstream` (the resolver's real upstream file) replaces it when given.
[[nodiscard]] std::string resolvConfContent(const SandboxConfig& config,
                                            std::string_view hostResolv, std::string_view upstream);

} // namespace pilot::agent::runc
