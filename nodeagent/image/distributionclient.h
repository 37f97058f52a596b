#pragma once

#include "core/error.h"
#include "nodeagent/image/digest.h"
#include "nodeagent/image/httpconnection.h"
#include "nodeagent/image/imagereference.h"
#include "nodeagent/image/registryhosts.h"
#include "nodeagent/runtime/runtime.h"

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::agent::image {

/// A manifest or index as the registry served it: the exact bytes (their digest is the manifest
/// digest), the Content-Type and the `Docker-Content-Digest` header if sent.
struct ManifestResponse {
    std::string body;
    std::string mediaType;
    std::string headerDigest;
};

class RepositorySession;

/// A client of the OCI Distribution API (pull side) over Boost.Beast, HTTP and HTTPS. Knows the
/// mirrors, insecure hosts and trust anchors; hands out one session per repository pull.
/// Thread-safe.
class RegistryClient {
public:
    explicit RegistryClient(RegistryOptions options);
    ~RegistryClient();
    RegistryClient(const RegistryClient&) = delete;
    RegistryClient& operator=(const RegistryClient&) = delete;

    /// A session for one repository, authenticating with the first of `credentials` (the ones
    /// that match the image; see credentialsFor) the registry accepts, anonymously when none.
    [[nodiscard]] std::unique_ptr<RepositorySession>
    openRepository(const ImageReference& image, std::vector<RegistryCredential> credentials);

    [[nodiscard]] const RegistryOptions& options() const;

private:
    friend class RepositorySession;
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Pulls manifests and blobs of one repository: follows redirects, answers 401 challenges with
/// Basic credentials or the Bearer token flow (token cached and shared), tries mirrors before
/// the registry. Several threads may fetch blobs at once.
class RepositorySession {
public:
    ~RepositorySession();
    RepositorySession(const RepositorySession&) = delete;
    RepositorySession& operator=(const RepositorySession&) = delete;

    /// GET /v2/<name>/manifests/<reference> accepting OCI and Docker v2 manifests and indexes.
    /// NotFound when no endpoint has it; Unauthorized when every credential was refused.
    [[nodiscard]] Result<ManifestResponse> fetchManifest(std::string_view reference);
    /// GET /v2/<name>/blobs/<digest>, streaming the body into `sink` (no verification here).
    [[nodiscard]] Status fetchBlob(const Digest& digest, const BodySink& sink);
    /// GET /v2/<name>/blobs/<digest>; `consume` pulls the body with HttpConnection::nextChunk
    /// (for single-pass pipelines). A connection whose body was not read to the end is dropped.
    [[nodiscard]] Status fetchBlobWith(const Digest& digest,
                                       const std::function<Status(HttpConnection&)>& consume);

    /// The endpoint serving this session (after the first successful request), for logs.
    [[nodiscard]] std::string endpointUrl() const;

private:
    friend class RegistryClient;
    struct Impl;
    explicit RepositorySession(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace pilot::agent::image
