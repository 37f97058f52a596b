#pragma once

#include "core/clock.h"
#include "engine/controllers/common/eventrecorder.h"
#include "engine/controllers/disruption/controllerfinder.h"
#include "engine/controllers/framework/controller.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

#include <boost/json/object.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace pilot::controllers {

inline const kube::ApiResource PodDisruptionBudgets{"policy", "v1", "poddisruptionbudgets", true};

/// Keeps every policy/v1 PodDisruptionBudget's status current, as upstream's disruption
/// controller (Kubernetes 1.32): the pods its selector matches in its namespace, expectedPods
/// and desiredHealthy from minAvailable / maxUnavailable (percentages and maxUnavailable against
/// the summed scale of the pods' controllers), currentHealthy (Ready, not terminating, not
/// recently evicted), disruptionsAllowed, observedGeneration and the DisruptionAllowed
/// condition (SufficientPods / InsufficientPods; SyncFailed with disruptionsAllowed 0 when the
/// numbers cannot be computed). Entries of status.disruptedPods (written by the eviction API)
/// are dropped once their pod is gone, terminating, or DeletionTimeout (2 minutes) passed; the
/// budget is looked at again when the earliest one expires. Events: NoPods,
/// CalculateExpectedPodCountFailed, UnmanagedPods on the budget, NotDeleted on the pod.
class DisruptionController : public QueueController {
public:
    struct Options {
        int workers = 1;
        const Clock* clock = nullptr; ///< null: the system clock. Must be thread-safe.
        /// Called for a look at `key` at `at` on the clock; null: the queue's own timer. Tests
        /// moving a manual clock enqueue the key themselves once they pass `at`.
        std::function<void(const std::string& key, TimePoint at)> requeueAt;
    };

    explicit DisruptionController(kube::ApiClient& client);
    DisruptionController(kube::ApiClient& client, Options options);
    ~DisruptionController() override;

    void setUp(SharedInformers& informers) override;
    void stop() override;

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    void onPod(const kube::ObjectPtr& pod);
    [[nodiscard]] Status trySync(const boost::json::object& pdb);
    [[nodiscard]] Status failSafe(const boost::json::object& pdb, const Error& error);
    [[nodiscard]] Result<std::vector<kube::ObjectPtr>>
    podsFor(const boost::json::object& pdb) const;
    /// getExpectedPodCount: expectedPods, desiredHealthy and the unmanaged pods.
    struct Expected {
        int64_t expectedPods = 0;
        int64_t desiredHealthy = 0;
        std::vector<std::string> unmanagedPods;
    };
    [[nodiscard]] Result<Expected> expectedPodCount(const boost::json::object& pdb,
                                                    const std::vector<kube::ObjectPtr>& pods) const;
    [[nodiscard]] Status writeStatus(const boost::json::object& pdb, boost::json::object status);

    kube::ApiClient& m_client;
    Options m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;
    EventRecorder m_events;
    kube::Informer* m_budgets = nullptr;
    kube::Informer* m_pods = nullptr;
    std::unique_ptr<disruption::ControllerFinder> m_finder;
};

} // namespace pilot::controllers
