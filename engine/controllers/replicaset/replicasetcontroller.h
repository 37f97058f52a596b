#pragma once

#include "core/clock.h"
#include "engine/controllers/common/controllerref.h"
#include "engine/controllers/common/eventrecorder.h"
#include "engine/controllers/common/expectations.h"
#include "engine/controllers/common/podowner.h"
#include "engine/controllers/framework/controller.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"
#include "kube/labelselector.h"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace pilot::controllers {

/// Which workload a ReplicaSetController drives: ReplicaSets (apps/v1, `spec.selector` a
/// LabelSelector) or ReplicationControllers (v1, `spec.selector` a plain label map).
struct ReplicaSetFlavor {
    kube::ApiResource resource;
    OwnerKind owner;
    std::string component; ///< The controller's name in logs and Event sources.
    bool mapSelector = false;
};

[[nodiscard]] const ReplicaSetFlavor& replicaSetFlavor();
[[nodiscard]] const ReplicaSetFlavor& replicationControllerFlavor();

/// Keeps `spec.replicas` pods running for every ReplicaSet (or ReplicationController), as
/// upstream's ReplicaSetController: creates pods from the template (`generateName:
/// <name>-`, a controller owner reference) in slow-start batches of 1, 2, 4, ... capped at
/// `burstReplicas` per sync; deletes surplus pods in upstream's preference order; adopts
/// matching orphans and releases pods that stopped matching; waits for its own creates and
/// deletes to show up in the informer before acting again (Expectations); writes `status` and
/// the `ReplicaFailure` condition; records SuccessfulCreate / FailedCreate / SuccessfulDelete /
/// FailedDelete Events. Pods that are terminating, Succeeded or Failed do not count.
class ReplicaSetController : public QueueController, private PodOwnerLookup {
public:
    struct Options {
        int workers = 2;
        int64_t burstReplicas = 500;
        const Clock* clock = nullptr; ///< null: the system clock. Must be thread-safe.
    };

    /// The ReplicaSet controller.
    explicit ReplicaSetController(kube::ApiClient& client);
    ReplicaSetController(kube::ApiClient& client, Options options);
    ReplicaSetController(kube::ApiClient& client, const ReplicaSetFlavor& flavor, Options options);
    ~ReplicaSetController() override;

    void setUp(SharedInformers& informers) override;
    void stop() override;

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    [[nodiscard]] Status syncReplicaSet(const std::string& key);
    void onPodAdded(const kube::ObjectPtr& pod);
    void onPodUpdated(const kube::ObjectPtr& old, const kube::ObjectPtr& pod);
    void onPodDeleted(const kube::ObjectPtr& pod);
    /// The set the controller reference names, if it is one of ours and still the same object.
    [[nodiscard]] kube::ObjectPtr
    resolveControllerRef(std::string_view ns, const boost::json::object* ref) const override;
    /// Sets in the pod's namespace whose selector matches its labels.
    [[nodiscard]] std::vector<kube::ObjectPtr>
    setsSelecting(const boost::json::object& pod) const override;
    [[nodiscard]] Result<kube::LabelSelector> selectorOf(const boost::json::object& set) const;

    [[nodiscard]] std::optional<Error> manageReplicas(const std::vector<kube::ObjectPtr>& pods,
                                                      const boost::json::object& set,
                                                      const std::string& key);
    [[nodiscard]] Status createPod(const boost::json::object& set, const boost::json::object& pod);
    [[nodiscard]] std::vector<kube::ObjectPtr>
    indirectlyRelatedPods(const boost::json::object& set) const;
    [[nodiscard]] Result<boost::json::object> writeStatus(const boost::json::object& set,
                                                          boost::json::object status);

    kube::ApiClient& m_client;
    ReplicaSetFlavor m_flavor;
    Options m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;
    Expectations m_expectations;
    EventRecorder m_events;
    kube::Informer* m_sets = nullptr;
    kube::Informer* m_pods = nullptr;
};

} // namespace pilot::controllers
