#pragma once

#include "core/error.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace pilot::auth {

class Pki;

/// The resolved connection settings of one kubeconfig context: what the engine's own tools
/// (`--controllers-only --kubeconfig`, tests) need to reach an API server. File references
/// (`certificate-authority`, `client-certificate`, `client-key`, `tokenFile`) are read and, when
/// relative, resolved against the kubeconfig's directory, as kubectl does.
struct Kubeconfig {
    std::string contextName;
    std::string clusterName;
    std::string userName;
    std::string namespaceName; ///< The context's namespace; empty means "default".
    std::string server;
    std::string tlsServerName;
    bool insecureSkipTlsVerify = false;
    std::string certificateAuthorityPem; ///< Empty: use the system trust store.
    std::string clientCertificatePem;
    std::string clientKeyPem;
    std::string token;
};

/// Writes a kubeconfig with cluster `pilothouse` (the CA inline, `serverUrl`), user
/// `pilothouse-admin` (the admin certificate and key inline) and context `pilothouse` as the
/// current context. Atomic replace, mode 0600 (it holds a private key).
[[nodiscard]] Status writeAdminKubeconfig(const std::string& path, const std::string& serverUrl,
                                          const Pki& pki);

/// Reads `path` and resolves `context` (empty: the file's current-context). NotFound when the
/// file, the context or what it refers to is missing; InvalidArgument for malformed YAML or
/// base64, or for a user that only has an exec/auth-provider plugin (not supported here).
[[nodiscard]] Result<Kubeconfig> readKubeconfig(const std::string& path,
                                                std::string_view context = {});

/// `https://HOST:PORT` for a listener bound to `host`: IPv6 in brackets, and the wildcard
/// addresses (`0.0.0.0`, `::`, empty) replaced by the loopback address of the same family, since
/// a client cannot connect to a wildcard.
[[nodiscard]] std::string serverUrlForListener(std::string_view host, std::uint16_t port);

} // namespace pilot::auth
