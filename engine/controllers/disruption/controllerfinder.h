#pragma once

#include "core/error.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::controllers::disruption {

/// A pod's controller as the disruption controller counts it: its uid and desired replicas.
struct ControllerScale {
    std::string uid;
    int64_t scale = 0;
};

/// Upstream's finders, tried in order for a pod's controller reference: a ReplicaSet not owned
/// by a Deployment, the Deployment of a ReplicaSet, a ReplicationController, a StatefulSet
/// (from the informers), then any other kind with a `scale` subresource (found through API
/// discovery, read through `/scale`). nullopt: no such controller (or another uid); an error
/// for a kind that exists but has no scale subresource, or a failed request.
class ControllerFinder {
public:
    struct Informers {
        const kube::Informer* replicaSets = nullptr;
        const kube::Informer* deployments = nullptr;
        const kube::Informer* replicationControllers = nullptr;
        const kube::Informer* statefulSets = nullptr;
    };

    ControllerFinder(kube::ApiClient& client, Informers informers);

    [[nodiscard]] Result<std::optional<ControllerScale>>
    find(const boost::json::object& controllerRef, std::string_view ns) const;

private:
    [[nodiscard]] std::optional<ControllerScale>
    fromInformers(const boost::json::object& controllerRef, std::string_view ns) const;
    [[nodiscard]] Result<std::optional<ControllerScale>>
    fromScale(const boost::json::object& controllerRef, std::string_view ns) const;

    kube::ApiClient& m_client;
    Informers m_informers;
};

/// getExpectedScale: the sum of the scales of the controllers of `pods`, plus the pods that
/// have no controller. Fails ("found no controllers for pod \"<name>\"") when a pod's
/// controller cannot be found.
struct ExpectedScale {
    int64_t expected = 0;
    std::vector<std::string> unmanagedPods;
};
[[nodiscard]] Result<ExpectedScale> expectedScale(const ControllerFinder& finder,
                                                  const std::vector<kube::ObjectPtr>& pods);

} // namespace pilot::controllers::disruption
