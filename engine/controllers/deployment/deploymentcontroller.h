#pragma once

#include "core/clock.h"
#include "engine/controllers/common/controllerref.h"
#include "engine/controllers/common/eventrecorder.h"
#include "engine/controllers/deployment/deploymentutil.h"
#include "engine/controllers/framework/controller.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

#include <boost/json/object.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace pilot::controllers {

/// Rolls Deployments out through ReplicaSets as upstream's DeploymentController, keeping what
/// `kubectl rollout status|history|undo|pause|resume|restart` rely on: one ReplicaSet per pod
/// template named `<deployment>-<pod-template-hash>` (the hash also on its selector and pod
/// labels); the revision, desired-replicas and max-replicas annotations and the Deployment's
/// own annotations (change-cause) on the current set; a template equal to an old set's reuses
/// that set with the next revision; RollingUpdate within maxSurge/maxUnavailable, or Recreate;
/// proportional scaling of a rollout in progress; paused Deployments only scale; old sets
/// beyond revisionHistoryLimit are deleted once empty; status counts, observedGeneration and
/// the Available/Progressing/ReplicaFailure conditions, with ProgressDeadlineExceeded after
/// progressDeadlineSeconds without progress; ScalingReplicaSet Events.
class DeploymentController : public QueueController {
public:
    struct Options {
        int workers = 2;
        const Clock* clock = nullptr; ///< null: the system clock. Must be thread-safe.
    };

    explicit DeploymentController(kube::ApiClient& client);
    DeploymentController(kube::ApiClient& client, Options options);
    ~DeploymentController() override;

    void setUp(SharedInformers& informers) override;
    void stop() override;

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    using RsList = deployment::RsList;
    using PodMap = std::map<std::string, std::vector<kube::ObjectPtr>, std::less<>>;
    /// The new set (null if none) and every old one.
    struct Sets {
        kube::ObjectPtr newRS;
        RsList oldRSs;
        [[nodiscard]] RsList all() const;
    };

    [[nodiscard]] Status syncDeployment(const std::string& key);

    // Event handlers (deploymentcontroller.cpp).
    void onReplicaSetAdded(const kube::ObjectPtr& rs);
    void onReplicaSetUpdated(const kube::ObjectPtr& old, const kube::ObjectPtr& rs);
    void onReplicaSetDeleted(const kube::ObjectPtr& rs);
    void onPodDeleted(const kube::ObjectPtr& pod);
    [[nodiscard]] kube::ObjectPtr resolveControllerRef(std::string_view ns,
                                                       const boost::json::object* ref) const;
    [[nodiscard]] std::vector<kube::ObjectPtr>
    deploymentsSelecting(const boost::json::object& rs) const;
    [[nodiscard]] Result<RsList> claimReplicaSets(const boost::json::object& d);
    [[nodiscard]] PodMap podMap(const boost::json::object& d, const RsList& sets) const;

    // Revisions, scaling, cleanup and status (sync.cpp).
    [[nodiscard]] Status sync(boost::json::object& d, const RsList& sets);
    [[nodiscard]] Status syncStatusOnly(boost::json::object& d, const RsList& sets);
    [[nodiscard]] Result<bool> isScalingEvent(boost::json::object& d, const RsList& sets);
    [[nodiscard]] Result<Sets> allReplicaSetsAndSyncRevision(boost::json::object& d,
                                                             const RsList& sets, bool create);
    [[nodiscard]] Result<kube::ObjectPtr> newReplicaSet(boost::json::object& d, const RsList& sets,
                                                        const RsList& oldRSs, bool create);
    [[nodiscard]] Result<kube::ObjectPtr> createNewReplicaSet(boost::json::object& d,
                                                              const RsList& oldRSs,
                                                              const std::string& newRevision);
    [[nodiscard]] Status scale(const boost::json::object& d, const kube::ObjectPtr& newRS,
                               const RsList& oldRSs);
    /// Scales when the size differs; returns whether it did and the set as written.
    [[nodiscard]] Result<std::pair<bool, kube::ObjectPtr>>
    scaleReplicaSetAndRecordEvent(const kube::ObjectPtr& rs, int64_t newScale,
                                  const boost::json::object& d);
    [[nodiscard]] Result<std::pair<bool, kube::ObjectPtr>>
    scaleReplicaSet(const kube::ObjectPtr& rs, int64_t newScale, const boost::json::object& d,
                    std::string_view operation);
    [[nodiscard]] Status cleanupDeployment(const RsList& oldRSs, const boost::json::object& d);
    [[nodiscard]] Status syncDeploymentStatus(boost::json::object& d, const Sets& sets);
    /// PUTs `d` (status and revision annotation) to the status subresource and replaces `d`
    /// with what the server stored.
    [[nodiscard]] Status writeStatus(boost::json::object& d);

    // RollingUpdate (rolling.cpp).
    [[nodiscard]] Status rolloutRolling(boost::json::object& d, const RsList& sets);
    [[nodiscard]] Result<bool> reconcileNewReplicaSet(const RsList& all,
                                                      const kube::ObjectPtr& newRS,
                                                      const boost::json::object& d);
    [[nodiscard]] Result<bool> reconcileOldReplicaSets(const RsList& all, RsList oldRSs,
                                                       const kube::ObjectPtr& newRS,
                                                       const boost::json::object& d);
    [[nodiscard]] Result<int64_t>
    cleanupUnhealthyReplicas(RsList& oldRSs, const boost::json::object& d, int64_t maxCleanup);
    [[nodiscard]] Result<int64_t>
    scaleDownOldReplicaSetsForRollingUpdate(const RsList& all, RsList oldRSs,
                                            const boost::json::object& d);

    // Recreate (recreate.cpp).
    [[nodiscard]] Status rolloutRecreate(boost::json::object& d, const RsList& sets,
                                         const PodMap& pods);

    // Progress (progress.cpp).
    [[nodiscard]] Status syncRolloutStatus(boost::json::object& d, const Sets& sets);
    void requeueStuckDeployment(const boost::json::object& d,
                                const deployment::DeploymentStatus& newStatus);
    [[nodiscard]] Status checkPausedConditions(boost::json::object& d);

    kube::ApiClient& m_client;
    Options m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;
    EventRecorder m_events;
    kube::Informer* m_deployments = nullptr;
    kube::Informer* m_sets = nullptr;
    kube::Informer* m_pods = nullptr;
};

} // namespace pilot::controllers
