#pragma once

#include "core/error.h"
#include "kube/client/apiclient.h"
#include "kube/client/kubeconfig.h"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace pilot::kube {

struct HttpClientOptions {
    std::chrono::milliseconds connectTimeout{10000};
    /// Bounds every request (write, response header, body); watches are bounded only while
    /// their response header is awaited.
    std::chrono::milliseconds requestTimeout{60000};
    /// Keep-alive connections kept for reuse.
    std::size_t maxIdleConnections = 8;
    std::string userAgent = "pilothouse/0.1";
    std::string fieldManager = "pilothouse";
};

/// ApiClient over HTTPS (Boost.Beast, OpenSSL): client-certificate or bearer-token
/// authentication, server verification against the kubeconfig's CA (or the system store), a small
/// pool of keep-alive connections for requests, and one dedicated connection per watch. Calls
/// block the calling thread; any number of threads may call at once.
class HttpApiClient final : public ApiClient {
public:
    /// InvalidArgument for an unusable server URL, CA, certificate or key.
    [[nodiscard]] static Result<std::unique_ptr<HttpApiClient>>
    fromKubeconfig(const Kubeconfig& config, HttpClientOptions options = {});
    /// loadKubeconfig(path, context), then fromKubeconfig().
    [[nodiscard]] static Result<std::unique_ptr<HttpApiClient>>
    fromKubeconfigFile(const std::string& path, std::string_view context = {},
                       HttpClientOptions options = {});
    ~HttpApiClient() override;

    [[nodiscard]] Result<ApiResponse> send(const ApiRequest& request) override;
    [[nodiscard]] Result<std::unique_ptr<EventStream>>
    openWatch(const ApiRequest& request) override;

    /// The kubeconfig context's namespace (`default` when it names none).
    [[nodiscard]] const std::string& defaultNamespace() const;
    [[nodiscard]] const std::string& server() const;

private:
    struct Impl;
    explicit HttpApiClient(std::unique_ptr<Impl> impl, std::string fieldManager);
    std::unique_ptr<Impl> m_impl;
};

} // namespace pilot::kube
