#pragma once

#include "core/clock.h"
#include "engine/controllers/framework/controller.h"
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

/// Deletes pods nobody else will, as upstream's pod garbage collector (kube-controller-manager's
/// `podgc`), in one pass over the informer caches every check period:
/// - terminated pods (phase Succeeded or Failed) beyond the threshold, Evicted ones first, then
///   oldest first by creation time (name breaks ties);
/// - terminating pods on a node that is not Ready and carries the
///   `node.kubernetes.io/out-of-service` taint;
/// - orphaned pods, bound to a node that has been missing for the quarantine time and that a GET
///   confirms is gone: they get the condition DisruptionTarget (reason DeletionByPodGC, message
///   "PodGC: node no longer exists");
/// - terminating pods never scheduled to a node.
/// Each is deleted with gracePeriodSeconds 0 after a pod not yet Succeeded or Failed has been
/// marked Failed (one strategic merge patch of its status). Unlike upstream, which notices a
/// missing node only at its next period, a node's deletion starts its quarantine at once, and a
/// pass runs when a quarantine ends. Errors are logged and the pod retried at the next pass.
class PodGCController : public QueueController {
public:
    struct Options {
        /// terminated-pod-gc-threshold: terminated pods kept; 0 or less: never delete them.
        int terminatedPodThreshold = 12500;
        /// How often a pass runs (upstream's gcCheckPeriod).
        std::chrono::nanoseconds checkPeriod = std::chrono::seconds(20);
        /// How long a node must be missing before its pods are deleted (quarantineTime).
        std::chrono::nanoseconds quarantineTime = std::chrono::seconds(40);
        const Clock* clock = nullptr; ///< null: the system clock. Must be thread-safe.
        /// Called for a pass at time `at` on the clock (the next period, a quarantine's end).
        /// null: the queue's own timer (right with the system clock); tests that move a manual
        /// clock enqueue the key themselves once they pass it.
        std::function<void(const std::string& key, TimePoint at)> requeueAt;
    };

    explicit PodGCController(kube::ApiClient& client);
    PodGCController(kube::ApiClient& client, Options options);
    ~PodGCController() override;

    void setUp(SharedInformers& informers) override;
    /// Starts the worker and runs the first pass.
    void start() override;

    /// Runs a pass now.
    void resync();

    /// The queue key of a pass (the only key there is).
    static constexpr std::string_view PassKey = ":gc";

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    /// Asks for a pass at `at`, unless one at or before it is already due to come.
    void requestPass(TimePoint at);
    /// Starts the quarantine of a missing node (keeps one already running).
    void quarantine(const std::string& node, TimePoint now);

    void pass();
    void gcTerminated(const std::vector<kube::ObjectPtr>& pods);
    void gcTerminating(const std::vector<kube::ObjectPtr>& pods);
    void gcOrphaned(const std::vector<kube::ObjectPtr>& pods, TimePoint now);
    void gcUnscheduledTerminating(const std::vector<kube::ObjectPtr>& pods);
    /// Nodes whose quarantine ended that are neither cached nor found by a GET.
    [[nodiscard]] std::set<std::string> discoverDeletedNodes(const std::set<std::string>& wanted,
                                                             TimePoint now);
    /// Marks the pod Failed (with `condition`, if any) unless it finished, then force-deletes it.
    [[nodiscard]] Status markFailedAndDelete(const boost::json::object& pod,
                                             const boost::json::object* condition);

    kube::ApiClient& m_client;
    Options m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;
    kube::Informer* m_nodes = nullptr;
    kube::Informer* m_pods = nullptr;

    std::set<std::string> m_deleted; // pods deleted in the current pass; worker thread only

    std::mutex m_mutex;                            // guards what follows
    std::map<std::string, TimePoint> m_quarantine; // missing node -> end of its quarantine
    std::optional<TimePoint> m_nextPass;           // the pass asked for and still to come
};

} // namespace pilot::controllers
