#include "engine/server/lifecycle.h"

#include "core/log.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>

namespace pilot::server {
namespace json = boost::json;

namespace {

constexpr std::string_view BuiltinNamespaces[] = {"default", "kube-system", "kube-public",
                                                  "kube-node-lease"};

} // namespace

Lifecycle::Lifecycle(apiserver::ResourceService& service) : m_service(service) {}

Status Lifecycle::bootstrap() {
    auto nsType = m_service.types().byResource("", "v1", "namespaces");
    if (!nsType) {
        return {};
    }
    // The two system PriorityClasses every cluster has.
    if (auto classes = m_service.types().byResource("scheduling.k8s.io", "v1", "priorityclasses")) {
        struct SystemClass {
            std::string_view name;
            int64_t value;
            std::string_view description;
        };
        for (const SystemClass& c :
             {SystemClass{"system-node-critical", 2000001000,
                          "Used for system critical pods that must not be moved from their "
                          "current node."},
              SystemClass{"system-cluster-critical", 2000000000,
                          "Used for system critical pods that must run in the cluster, but can "
                          "be moved to another node if necessary."}}) {
            if (m_service.get(*classes, "", std::string(c.name))) {
                continue;
            }
            json::object pc{{"apiVersion", "scheduling.k8s.io/v1"},
                            {"kind", "PriorityClass"},
                            {"metadata", {{"name", c.name}}},
                            {"value", c.value},
                            {"description", c.description},
                            {"preemptionPolicy", "PreemptLowerPriority"}};
            auto created = m_service.create(*classes, "", std::move(pc), apiserver::WriteOptions{});
            if (!created) {
                return fail(ErrorCode::Internal, "cannot create PriorityClass " +
                                                     std::string(c.name) + ": " +
                                                     created.error().message);
            }
        }
    }
    for (std::string_view name : BuiltinNamespaces) {
        if (m_service.get(*nsType, "", std::string(name))) {
            continue;
        }
        json::object ns{{"apiVersion", "v1"},
                        {"kind", "Namespace"},
                        {"metadata", json::object{{"name", name}}}};
        auto created = m_service.create(*nsType, "", std::move(ns), apiserver::WriteOptions{});
        if (!created) {
            return fail(ErrorCode::Internal, "cannot create namespace " + std::string(name) + ": " +
                                                 created.error().message);
        }
    }
    return {};
}

} // namespace pilot::server
