#pragma once

#include "core/clock.h"
#include "engine/controllers/common/eventrecorder.h"
#include "engine/controllers/framework/controller.h"
#include "engine/controllers/nodelifecycle/nodehealth.h"
#include "engine/controllers/nodelifecycle/ratelimitedqueue.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::controllers {

/// Watches Nodes and their Leases in `kube-node-lease` as upstream's node lifecycle controller
/// (component `node-controller`):
/// - a node whose Ready heartbeat and Lease renewTime have not moved for the grace period gets
///   its Ready, MemoryPressure, DiskPressure and PIDPressure conditions set to Unknown, a
///   NodeNotReady Event, and its pods' Ready condition set to False (each with a Warning
///   NodeNotReady Event);
/// - NoSchedule taints follow the conditions (Ready False: `node.kubernetes.io/not-ready`,
///   Unknown: `node.kubernetes.io/unreachable`, Memory/Disk/PID pressure, NetworkUnavailable)
///   and `spec.unschedulable` (`node.kubernetes.io/unschedulable`);
/// - the NoExecute not-ready/unreachable taint is added per zone at a limited rate (0.1 nodes/s,
///   less or none when most of a zone is down, none at all when every node in every zone is
///   down) and removed when the node is Ready again. The TaintEvictionController acts on it.
/// Every node is re-checked when its grace period ends (no polling). The beta OS/arch labels
/// are kept equal to `kubernetes.io/os` and `kubernetes.io/arch`. Records RegisteredNode /
/// RemovingNode Events.
class NodeLifecycleController : public QueueController {
public:
    struct Options {
        int workers = 2;
        /// node-monitor-grace-period: silence after which a node is Unknown.
        std::chrono::nanoseconds monitorGracePeriod = std::chrono::seconds(50);
        /// node-startup-grace-period: the same for a node that never posted Ready.
        std::chrono::nanoseconds startupGracePeriod = std::chrono::seconds(60);
        double evictionRate = 0.1;           ///< nodes NoExecute-tainted per second per zone
        double secondaryEvictionRate = 0.01; ///< the same in a large, partly disrupted zone
        int largeClusterThreshold = 50;
        double unhealthyZoneThreshold = 0.55;
        const Clock* clock = nullptr; ///< null: the system clock. Must be thread-safe.
        /// Called for a look at `key` at time `at` on the clock (a grace period ends, the rate
        /// limit allows the next taint). null: the queue's own timer (right with the system
        /// clock); tests that move a manual clock enqueue the key themselves once they pass it.
        std::function<void(const std::string& key, TimePoint at)> requeueAt;
    };

    explicit NodeLifecycleController(kube::ApiClient& client);
    NodeLifecycleController(kube::ApiClient& client, Options options);
    ~NodeLifecycleController() override;

    void setUp(SharedInformers& informers) override;
    void stop() override;

    /// Looks at every node again now.
    void resync();

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    static constexpr std::string_view Component = "node-controller";
    /// The queue key of the NoExecute tainting pass (never a node name or a pod key).
    static constexpr std::string_view TaintPassKey = ":taint";
    /// Look again a little after a grace period ends: a node is silent only once it passed.
    static constexpr std::chrono::milliseconds RecheckSlack{10};

    void requeueAt(const std::string& key, TimePoint at);

    enum class ZoneState { Initial, Normal, PartialDisruption, FullDisruption };
    struct Readiness {
        std::string zone;
        std::string status; ///< the Ready condition's status, "" without one
    };

    [[nodiscard]] Status syncNode(const std::string& name);
    [[nodiscard]] Status syncPod(const std::string& key);
    [[nodiscard]] Status taintingPass();
    [[nodiscard]] Result<NodeHealthCheck> updateHealth(boost::json::object& node);
    [[nodiscard]] Result<boost::json::object> taintBasedEviction(const boost::json::object& node,
                                                                 const std::string& observed);
    [[nodiscard]] Result<boost::json::object>
    noScheduleTaintingPass(const boost::json::object& node);
    [[nodiscard]] Result<boost::json::object> markReachable(const boost::json::object& node);
    [[nodiscard]] Status reconcileNodeLabels(const boost::json::object& node);
    bool markForTainting(const boost::json::object& node, const std::string& status);
    [[nodiscard]] Status markPodsNotReady(const std::vector<kube::ObjectPtr>& pods,
                                          const std::string& node);
    /// Records the node's readiness for the zone states; true when it changed.
    bool recordReadiness(const boost::json::object& node, const std::string& status);
    void handleDisruption();
    void ensureZoneLocked(const std::string& zone, TimePoint now);
    void setLimiterLocked(const std::string& zone, size_t zoneSize, ZoneState state, TimePoint now);
    [[nodiscard]] ZoneState computeZoneState(const std::vector<std::string>& statuses) const;

    kube::ApiClient& m_client;
    Options m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;
    EventRecorder m_events;
    kube::Informer* m_nodes = nullptr;
    kube::Informer* m_leases = nullptr;
    kube::Informer* m_pods = nullptr;

    std::mutex m_mutex;                              // guards what follows
    std::map<std::string, std::string> m_knownNodes; // name -> uid
    std::map<std::string, NodeHealth> m_health;
    std::map<std::string, Readiness> m_readiness; // nodes counted in zone states
    std::set<std::string> m_nodesToRetry;         // pods still to be marked not ready
    std::map<std::string, ZoneState> m_zoneStates;
    std::map<std::string, RateLimitedQueue> m_tainters; // by zone

    std::mutex m_disruptionMutex; // one handleDisruption at a time
};

} // namespace pilot::controllers
