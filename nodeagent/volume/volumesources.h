#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "kube/client/apiclient.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace pilot::agent {

/// A service account token from the TokenRequest API.
struct IssuedToken {
    std::string token;
    TimePoint expiresAt{};
};

/// The API objects volumes and env read, behind an interface so that tests need no server.
/// NotFound errors carry kubelet's wording (`configmap "x" not found`).
class VolumeSources {
public:
    virtual ~VolumeSources() = default;
    [[nodiscard]] virtual Result<boost::json::object> configMap(const std::string& ns,
                                                                const std::string& name) = 0;
    [[nodiscard]] virtual Result<boost::json::object> secret(const std::string& ns,
                                                             const std::string& name) = 0;
    [[nodiscard]] virtual Result<boost::json::object>
    persistentVolumeClaim(const std::string& ns, const std::string& name) = 0;
    [[nodiscard]] virtual Result<boost::json::object> persistentVolume(const std::string& name) = 0;
    /// POST serviceaccounts/<sa>/token bound to the pod.
    [[nodiscard]] virtual Result<IssuedToken>
    requestToken(const std::string& ns, const std::string& serviceAccount,
                 const std::vector<std::string>& audiences, int64_t expirationSeconds,
                 const std::string& podName, const std::string& podUid) = 0;
};

/// VolumeSources over the API (plain GETs; kubelet's default "Watch" strategy is approximated by
/// re-reading on every volume refresh).
class ApiVolumeSources final : public VolumeSources {
public:
    explicit ApiVolumeSources(kube::ApiClient& client) : m_client(client) {}

    [[nodiscard]] Result<boost::json::object> configMap(const std::string& ns,
                                                        const std::string& name) override;
    [[nodiscard]] Result<boost::json::object> secret(const std::string& ns,
                                                     const std::string& name) override;
    [[nodiscard]] Result<boost::json::object>
    persistentVolumeClaim(const std::string& ns, const std::string& name) override;
    [[nodiscard]] Result<boost::json::object> persistentVolume(const std::string& name) override;
    [[nodiscard]] Result<IssuedToken>
    requestToken(const std::string& ns, const std::string& serviceAccount,
                 const std::vector<std::string>& audiences, int64_t expirationSeconds,
                 const std::string& podName, const std::string& podUid) override;

private:
    kube::ApiClient& m_client;
};

} // namespace pilot::agent
