#pragma once

#include "core/error.h"
#include "kube/client/apiclient.h"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace pilot::schedbench {

/// The namespace the benchmark's pods live in.
inline constexpr const char* Namespace = "schedbench";

/// What kube-scheduler's scheduler_perf runs with: simulated nodes (no agent) and pods that
/// only need placing.
struct Workload {
    int nodes = 5000;
    int pods = 10000;
    /// Required pod anti-affinity on kubernetes.io/hostname against the pod's own group label.
    bool antiAffinity = false;
    /// Pods sharing one `group` label (anti-affinity keeps them on distinct nodes).
    int groupSize = 100;
};

/// Node `index` of a simulated cluster: 32 cpu, 128Gi, 110 pods, hostname and zone labels.
[[nodiscard]] boost::json::object simulatedNode(int index);
/// Pod `index` of the workload: 100m cpu, 128Mi, a group label, anti-affinity when asked.
[[nodiscard]] boost::json::object benchPod(int index, const Workload& workload);
[[nodiscard]] std::string groupOf(int index, const Workload& workload);

/// Creates the objects with `threads` concurrent clients, then writes their status when the
/// server dropped it on create (nodes); fails on the first error.
[[nodiscard]] Status createAll(kube::ApiClient& client, const kube::ApiResource& resource,
                               const std::string& ns,
                               const std::vector<boost::json::object>& objects, int threads);

} // namespace pilot::schedbench
