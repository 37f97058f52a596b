#pragma once

#include <string>
#include <string_view>

namespace pilot::kube {

/// Where a kind lives in the REST API: group, version, plural resource name and scope. Paths
/// are built as kube-apiserver serves them: `/api/v1/...` for the core group,
/// `/apis/<group>/<version>/...` for the others.
struct ApiResource {
    std::string group;    ///< Empty for the core group.
    std::string version;  ///< `v1`, `v1beta1`, ...
    std::string resource; ///< Plural, lower case: `pods`, `deployments`.
    bool namespaced = true;

    /// `v1` or `apps/v1`.
    [[nodiscard]] std::string apiVersion() const;
    /// The collection: `/api/v1/namespaces/<ns>/pods`, or all namespaces when `ns` is empty (and
    /// always for cluster-scoped resources).
    [[nodiscard]] std::string collectionPath(std::string_view ns = {}) const;
    /// One object, optionally a subresource of it: `/apis/apps/v1/namespaces/ns/deployments/web`
    /// (`/status`, `/scale`, ...).
    [[nodiscard]] std::string objectPath(std::string_view ns, std::string_view name,
                                         std::string_view subresource = {}) const;
    /// `deployments.apps`, `pods`: the group-resource as Kubernetes names it in messages.
    [[nodiscard]] std::string qualifiedName() const;
};

/// The resources the engine's controllers and scheduler use.
namespace resources {
inline const ApiResource Namespaces{"", "v1", "namespaces", false};
inline const ApiResource Nodes{"", "v1", "nodes", false};
inline const ApiResource Pods{"", "v1", "pods", true};
inline const ApiResource Services{"", "v1", "services", true};
inline const ApiResource Endpoints{"", "v1", "endpoints", true};
inline const ApiResource ConfigMaps{"", "v1", "configmaps", true};
inline const ApiResource Secrets{"", "v1", "secrets", true};
inline const ApiResource Events{"", "v1", "events", true};
inline const ApiResource ServiceAccounts{"", "v1", "serviceaccounts", true};
inline const ApiResource PersistentVolumeClaims{"", "v1", "persistentvolumeclaims", true};
inline const ApiResource PersistentVolumes{"", "v1", "persistentvolumes", false};
inline const ApiResource Deployments{"apps", "v1", "deployments", true};
inline const ApiResource ReplicaSets{"apps", "v1", "replicasets", true};
inline const ApiResource StatefulSets{"apps", "v1", "statefulsets", true};
inline const ApiResource DaemonSets{"apps", "v1", "daemonsets", true};
inline const ApiResource Jobs{"batch", "v1", "jobs", true};
inline const ApiResource CronJobs{"batch", "v1", "cronjobs", true};
inline const ApiResource EndpointSlices{"discovery.k8s.io", "v1", "endpointslices", true};
inline const ApiResource Leases{"coordination.k8s.io", "v1", "leases", true};
} // namespace resources

} // namespace pilot::kube
