#pragma once

#include "engine/apiserver/http.h"
#include "kube/client/apiclient.h"

#include <memory>
#include <string>

namespace pilot::apiserver {

class ApiHandler;

/// The user the engine's own controllers act as: a member of `system:masters`.
[[nodiscard]] User engineUser();

/// ApiClient that hands requests straight to ApiHandler::handle(): the same routing, decoding,
/// admission, validation and Status errors as a request over HTTPS, without sockets. Watches
/// drive the handler's ResponseStream the way the HTTP session does. Thread-safe (the handler
/// is); the handler must outlive the client and every stream it opened.
class InProcessApiClient final : public kube::ApiClient {
public:
    explicit InProcessApiClient(ApiHandler& handler, std::string fieldManager = "pilothouse",
                                User user = engineUser());

    [[nodiscard]] Result<kube::ApiResponse> send(const kube::ApiRequest& request) override;
    [[nodiscard]] Result<std::unique_ptr<kube::EventStream>>
    openWatch(const kube::ApiRequest& request) override;

private:
    [[nodiscard]] Request toRequest(const kube::ApiRequest& request) const;

    ApiHandler& m_handler;
    User m_user;
};

} // namespace pilot::apiserver
