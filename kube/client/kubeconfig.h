#pragma once

#include "core/error.h"

#include <string>
#include <string_view>

namespace pilot::kube {

/// The connection settings of one kubeconfig context, resolved: file references
/// (`certificate-authority`, `client-certificate`, `client-key`, `tokenFile`) are read, relative
/// paths taken against the kubeconfig's directory, and `*-data` fields base64-decoded (an inline
/// `-data` field wins over the file, as in client-go).
struct Kubeconfig {
    std::string contextName;
    std::string clusterName;
    std::string userName;
    std::string namespaceName; ///< The context's namespace; empty means `default`.
    std::string server;        ///< `https://host:port[/prefix]`.
    std::string tlsServerName; ///< Overrides the host name used for SNI and verification.
    bool insecureSkipTlsVerify = false;
    std::string certificateAuthorityPem; ///< Empty: the system trust store.
    std::string clientCertificatePem;
    std::string clientKeyPem;
    std::string token; ///< Bearer token.
};

/// Reads the kubeconfig at `path` and resolves `context` (empty: `current-context`). NotFound
/// for a missing file, context, cluster or user; InvalidArgument for malformed YAML or base64,
/// a missing server, a certificate without key, or a user with only an exec/auth-provider
/// plugin (not supported).
[[nodiscard]] Result<Kubeconfig> loadKubeconfig(const std::string& path,
                                                std::string_view context = {});

/// The same from text; relative file references resolve against `baseDir`; `origin` names the
/// document in error messages.
[[nodiscard]] Result<Kubeconfig> parseKubeconfig(std::string_view text, const std::string& baseDir,
                                                 std::string_view context = {},
                                                 std::string_view origin = "kubeconfig");

} // namespace pilot::kube
