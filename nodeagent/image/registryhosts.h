#pragma once

#include "core/error.h"
#include "nodeagent/image/imagereference.h"
#include "nodeagent/runtime/runtime.h"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::agent::image {

/// Where registry requests go: a base URL (`https://registry-1.docker.io`, a mirror with an
/// optional path prefix) plus how to speak to it.
struct RegistryEndpoint {
    std::string scheme = "https"; ///< `http` or `https`.
    std::string host;             ///< Without brackets for IPv6.
    std::string port;             ///< Defaults to 443 / 80.
    std::string basePath;         ///< Prefix before `/v2/`, no trailing slash; usually empty.
    std::string hostHeader;       ///< `host[:port]` as sent in the Host header.
    bool skipVerify = false;      ///< HTTPS without certificate verification (insecure registry).
    bool httpFallback = false;    ///< On a TLS failure, retry the same host over plain HTTP.
    bool mirror = false;

    [[nodiscard]] bool https() const { return scheme == "https"; }
    /// `scheme://host[:port][basePath]`.
    [[nodiscard]] std::string url() const;
    /// The request target for an API path below `/v2/` (`library/busybox/manifests/1.36`).
    [[nodiscard]] std::string target(std::string_view apiPath) const;
};

/// `--registry-mirror DOMAIN=URL`: requests for images of DOMAIN go to URL first.
struct RegistryMirror {
    std::string domain; ///< As in normalised references: `docker.io`, `quay.io`.
    std::string url;    ///< `http://host:port` or `https://host[:port][/prefix]`.
};

struct RegistryOptions {
    std::vector<RegistryMirror> mirrors; ///< Tried in order before the registry itself.
    /// Hosts (`host[:port]`) reached without TLS verification, falling back to plain HTTP.
    /// Loopback hosts (`localhost`, 127.0.0.0/8, ::1) are always treated so, as Docker does.
    std::vector<std::string> insecureRegistries;
    /// Treat loopback registries as insecure (Docker's behaviour). Off: they need a trusted
    /// certificate like any other host.
    bool loopbackInsecure = true;
    std::string caFile; ///< Extra trusted CA bundle (PEM) for HTTPS; the system store always.
    /// Further trusted CA certificates as PEM text (the agent's `--registry-ca` bundle and its
    /// cluster's CA), added to the system store and `caFile`.
    std::string caPem;
    std::chrono::milliseconds connectTimeout{10000};
    std::chrono::milliseconds readTimeout{60000}; ///< Longest silence while a response streams.
    std::string userAgent = "pilothouse-agent/0.1";
};

/// Parses `DOMAIN=URL` (`docker.io=http://127.0.0.1:5000`).
[[nodiscard]] Result<RegistryMirror> parseRegistryMirror(std::string_view flag);
/// Parses an absolute `http(s)://host[:port][/prefix]` URL.
[[nodiscard]] Result<RegistryEndpoint> parseEndpointUrl(std::string_view url);
/// The endpoints to try for a registry domain, in order: its mirrors, then the registry itself
/// (`docker.io` is served by `registry-1.docker.io`).
[[nodiscard]] std::vector<RegistryEndpoint> endpointsFor(const RegistryOptions& options,
                                                         std::string_view domain);
[[nodiscard]] bool isLoopbackHost(std::string_view host);

/// The PEM text of a CA bundle file (`--registry-ca`): InvalidArgument, naming the file, when it
/// cannot be read, holds no certificate or holds one that does not parse.
[[nodiscard]] Result<std::string> readCaBundle(const std::string& path);

/// The credentials that apply to an image, most specific first, with kubelet's keyring rules:
/// a server is `host[:port][/path-prefix]`, optionally with a scheme and `*.` label globs;
/// `https://index.docker.io/v1/`, `index.docker.io`, `registry-1.docker.io` and `docker.io` all
/// name Docker Hub.
[[nodiscard]] std::vector<RegistryCredential>
credentialsFor(const std::vector<RegistryCredential>& credentials, const ImageReference& image);

} // namespace pilot::agent::image
