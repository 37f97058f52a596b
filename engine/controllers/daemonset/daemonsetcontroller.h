#pragma once

#include "core/clock.h"
#include "engine/controllers/common/controllerhistory.h"
#include "engine/controllers/common/eventrecorder.h"
#include "engine/controllers/common/expectations.h"
#include "engine/controllers/common/podowner.h"
#include "engine/controllers/daemonset/failedpodbackoff.h"
#include "engine/controllers/framework/controller.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"
#include "kube/labelselector.h"

#include <boost/json/object.hpp>

#include <map>
#include <string>
#include <vector>

namespace pilot::controllers {

/// Runs DaemonSets as upstream's DaemonSetsController: one pod per node that passes the
/// template's nodeName, nodeSelector, required node affinity and taints (with the tolerations
/// every daemon pod gets), created with `generateName: <ds>-` and the node affinity
/// `matchFields metadata.name In [node]` so the scheduler binds it there; pods on nodes that no
/// longer fit are deleted (NoSchedule taints only stop new pods); nodes added, removed,
/// relabelled or tainted are acted on at once; RollingUpdate within maxUnavailable or
/// maxSurge, or OnDelete, through ControllerRevisions `<ds>-<hash>` whose data is the template
/// patch `kubectl rollout undo` applies; pods labelled controller-revision-hash and
/// pod-template-generation; failed pods replaced with per-node back-off; revisionHistoryLimit;
/// status and Events (SuccessfulCreate, SuccessfulDelete, FailedDaemonPod, ...).
class DaemonSetController : public QueueController, private PodOwnerLookup {
public:
    struct Options {
        int workers = 2;
        int64_t burstReplicas = 250;
        const Clock* clock = nullptr; ///< null: the system clock. Must be thread-safe.
    };

    explicit DaemonSetController(kube::ApiClient& client);
    DaemonSetController(kube::ApiClient& client, Options options);
    ~DaemonSetController() override;

    void setUp(SharedInformers& informers) override;
    void stop() override;

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    using PodList = std::vector<kube::ObjectPtr>;
    using NodePods = std::map<std::string, PodList, std::less<>>;
    struct History {
        kube::ObjectPtr current;
        std::vector<kube::ObjectPtr> old;
    };

    [[nodiscard]] Status sync(const std::string& key);

    // Event handlers (daemonsetcontroller.cpp).
    void onPodAdded(const kube::ObjectPtr& pod);
    void onPodUpdated(const kube::ObjectPtr& old, const kube::ObjectPtr& pod);
    void onPodDeleted(const kube::ObjectPtr& pod);
    void onNodeAdded(const kube::ObjectPtr& node);
    void onNodeUpdated(const kube::ObjectPtr& old, const kube::ObjectPtr& node);
    void enqueueAll();
    [[nodiscard]] kube::ObjectPtr
    resolveControllerRef(std::string_view ns, const boost::json::object* ref) const override;
    [[nodiscard]] std::vector<kube::ObjectPtr>
    setsSelecting(const boost::json::object& pod) const override;
    [[nodiscard]] bool expectationsSatisfied(const std::string& key) const;
    /// The DaemonSet's pods from the cache, after adopting and releasing.
    [[nodiscard]] Result<PodList> claimPods(const boost::json::object& ds,
                                            const kube::LabelSelector& selector);
    /// The DaemonSet's pods by the node they are on or meant for; pods that are both
    /// terminal and being deleted are left out unless `includeDeletedTerminal`.
    [[nodiscard]] static NodePods nodeToDaemonPods(const PodList& pods,
                                                   bool includeDeletedTerminal);

    // Revisions (daemonsethistory.cpp).
    [[nodiscard]] Result<History> constructHistory(const boost::json::object& ds,
                                                   const kube::LabelSelector& selector,
                                                   const PodList& pods);
    [[nodiscard]] Result<kube::ObjectPtr> snapshot(const boost::json::object& ds, int64_t revision);
    [[nodiscard]] Result<kube::ObjectPtr>
    dedupCurrentHistories(const boost::json::object& ds, std::vector<kube::ObjectPtr> current,
                          const PodList& pods);
    [[nodiscard]] Status cleanupHistory(const boost::json::object& ds, const PodList& pods,
                                        std::vector<kube::ObjectPtr> old);

    // Creating and deleting pods (daemonsetmanage.cpp).
    [[nodiscard]] Status manage(const boost::json::object& ds,
                                const std::vector<kube::ObjectPtr>& nodes, const PodList& pods,
                                const std::string& hash);
    void podsShouldBeOnNode(const boost::json::object& node, const NodePods& nodePods,
                            const boost::json::object& ds, const std::string& hash,
                            std::vector<std::string>& nodesNeedingPods,
                            std::vector<std::string>& podsToDelete);
    [[nodiscard]] Status syncNodes(const boost::json::object& ds,
                                   const std::vector<std::string>& podsToDelete,
                                   const std::vector<std::string>& nodesNeedingPods,
                                   const std::string& hash);

    // Rolling updates (daemonsetrolling.cpp).
    [[nodiscard]] Status rollingUpdate(const boost::json::object& ds,
                                       const std::vector<kube::ObjectPtr>& nodes,
                                       const PodList& pods, const std::string& hash);

    // Status (daemonsetstatus.cpp).
    [[nodiscard]] Status updateStatus(const boost::json::object& ds,
                                      const std::vector<kube::ObjectPtr>& nodes,
                                      const PodList& pods, const std::string& hash,
                                      bool updateObservedGeneration);

    kube::ApiClient& m_client;
    Options m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;
    EventRecorder m_events;
    ControllerHistory m_history;
    Expectations m_creations;
    Expectations m_deletions;
    daemonset::FailedPodBackoff m_failedPodsBackoff;
    kube::Informer* m_sets = nullptr;
    kube::Informer* m_pods = nullptr;
    kube::Informer* m_nodes = nullptr;
    kube::Informer* m_revisions = nullptr;
};

} // namespace pilot::controllers
