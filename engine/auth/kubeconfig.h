#pragma once

#include "core/error.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace pilot::auth {

class Pki;

/// Writes a kubeconfig with cluster `pilothouse` (the CA inline, `serverUrl`), user
/// `pilothouse-admin` (the admin certificate and key inline) and context `pilothouse` as the
/// current context. Atomic replace, mode 0600 (it holds a private key). Reading kubeconfig files
/// is kube/client's loadKubeconfig.
[[nodiscard]] Status writeAdminKubeconfig(const std::string& path, const std::string& serverUrl,
                                          const Pki& pki);

/// `https://HOST:PORT` for a listener bound to `host`: IPv6 in brackets, and the wildcard
/// addresses (`0.0.0.0`, `::`, empty) replaced by the loopback address of the same family, since
/// a client cannot connect to a wildcard.
[[nodiscard]] std::string serverUrlForListener(std::string_view host, std::uint16_t port);

} // namespace pilot::auth
