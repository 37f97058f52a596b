#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "kube/client/apiclient.h"
#include "nodeagent/node/nodestatus.h"
#include "nodeagent/node/systeminfo.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace pilot::agent {

struct NodeManagerOptions {
    NodeIdentity identity;
    std::string dataDir;
    /// The hard eviction thresholds behind the pressure conditions and allocatable.
    EvictionThresholds eviction = EvictionThresholds::kubeletDefaults();
    /// Empty when the node is ready, else why not (Ready False, reason KubeletNotReady).
    std::function<std::string()> notReadyMessage;
    /// The runtime's images for status.images (empty for the process runtime).
    std::function<std::vector<ImageInfo>()> images;
    /// Reports without changes go out at least this often (kubelet's nodeStatusReportFrequency).
    std::chrono::seconds reportEvery{300};
    int32_t leaseDurationSeconds = 40;
};

/// The node side of kubelet: registers the Node (creating it, or adopting an existing one of the
/// same name), keeps the Lease in kube-node-lease renewed, and patches node status
/// (strategic merge on nodes/NAME/status) when it differs from the Node as the server has it or
/// every `reportEvery`. Calls block on the API; the agent runs them on its executor. Thread-safe.
class NodeManager {
public:
    NodeManager(kube::ApiClient& client, NodeManagerOptions options, const Clock* clock = nullptr);

    /// POST the Node; on AlreadyExists adopt it (labels and annotations merged), then report
    /// status. Fails when the API refuses.
    [[nodiscard]] Status registerNode();
    /// Creates the Lease or renews it (PUT with its resourceVersion, re-read on conflict).
    [[nodiscard]] Status renewLease();
    /// kubelet's tryUpdateNodeStatus: reads the Node, computes the status to report from it and
    /// patches when that differs from the server's (say the node lifecycle controller marked
    /// the node Unknown), or `force`, or the report interval passed. Call it every update period
    /// (kubelet's nodeStatusUpdateFrequency, 10 s).
    [[nodiscard]] Status syncStatus(bool force = false);

    [[nodiscard]] std::string nodeUid() const;
    [[nodiscard]] const NodeIdentity& identity() const { return m_options.identity; }

private:
    /// syncStatus against `node`, the Node as just read from (or written to) the server.
    [[nodiscard]] Status syncStatusFrom(const boost::json::object& node, bool force);
    [[nodiscard]] Status patchStatus(const boost::json::object& status);

    kube::ApiClient& m_client;
    NodeManagerOptions m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;

    mutable std::mutex m_mutex;
    std::string m_uid;
    TimePoint m_lastReport{};
    boost::json::object m_lease;
};

} // namespace pilot::agent
