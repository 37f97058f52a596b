#pragma once

#include "core/error.h"
#include "kube/client/apiclient.h"

#include <boost/json/object.hpp>

#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace pilot::controllers::hpa {

/// The scale subresource of an autoscaler's target, through the API client only: which resource
/// a scaleTargetRef names (the workload kinds directly, others, such as custom resources with a
/// scale subresource, by API discovery, remembered once found), and GET/PUT of its autoscaling/v1
/// Scale. Thread-safe.
class ScaleTargets {
public:
    explicit ScaleTargets(kube::ApiClient& client) : m_client(client) {}

    /// The resource of `kind` in `apiVersion`'s group. Errors read as upstream's REST mapper's:
    /// `unexpected GroupVersion string: a/b/c`, `no matches for kind "Foo" in group "apps"`.
    [[nodiscard]] Result<kube::ApiResource> resourceFor(std::string_view apiVersion,
                                                        std::string_view kind);
    [[nodiscard]] kube::ApiResult<boost::json::object>
    getScale(const kube::ApiResource& resource, std::string_view ns, std::string_view name);
    /// PUT of `scale` (conditional on its metadata.resourceVersion).
    [[nodiscard]] kube::ApiResult<boost::json::object>
    updateScale(const kube::ApiResource& resource, const boost::json::object& scale);

private:
    [[nodiscard]] kube::ApiResult<boost::json::object> call(kube::ApiRequest request);

    kube::ApiClient& m_client;
    std::mutex m_mutex;
    std::map<std::string, kube::ApiResource> m_discovered; // by "group/Kind"
};

} // namespace pilot::controllers::hpa
