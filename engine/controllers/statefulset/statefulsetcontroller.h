#pragma once

#include "core/clock.h"
#include "engine/controllers/common/eventrecorder.h"
#include "engine/controllers/common/podowner.h"
#include "engine/controllers/framework/controller.h"
#include "engine/controllers/statefulset/statefulpodcontrol.h"
#include "engine/controllers/statefulset/statefulsetcontrol.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

#include <boost/json/object.hpp>

#include <memory>
#include <string>
#include <vector>

namespace pilot::controllers {

/// Runs StatefulSets as upstream's StatefulSetController: pods `<set>-<ordinal>` (from
/// spec.ordinals.start) with stable hostname/subdomain and the pod-name, pod-index and
/// controller-revision-hash labels; claims `<template>-<set>-<ordinal>` from
/// volumeClaimTemplates, created before their pod and owned per the retention policy;
/// OrderedReady or Parallel pod management; RollingUpdate (with partition) or OnDelete through
/// ControllerRevisions `<set>-<hash>` whose data is the template patch `kubectl rollout undo`
/// applies; revisionHistoryLimit; status and the upstream Events. Adopts matching orphan pods
/// and revisions through controller references.
class StatefulSetController : public QueueController, private PodOwnerLookup {
public:
    struct Options {
        int workers = 2;
        const Clock* clock = nullptr; ///< null: the system clock. Must be thread-safe.
    };

    explicit StatefulSetController(kube::ApiClient& client);
    StatefulSetController(kube::ApiClient& client, Options options);
    ~StatefulSetController() override;

    void setUp(SharedInformers& informers) override;
    void stop() override;

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    [[nodiscard]] Status sync(const std::string& key);
    void onPodAdded(const kube::ObjectPtr& pod);
    void onPodUpdated(const kube::ObjectPtr& old, const kube::ObjectPtr& pod);
    void onPodDeleted(const kube::ObjectPtr& pod);
    /// The set a controller reference names, if it is a StatefulSet we know under that uid.
    [[nodiscard]] kube::ObjectPtr
    resolveControllerRef(std::string_view ns, const boost::json::object* ref) const override;
    /// Sets in the pod's namespace whose selector matches its labels.
    [[nodiscard]] std::vector<kube::ObjectPtr>
    setsSelecting(const boost::json::object& pod) const override;
    [[nodiscard]] Result<std::vector<kube::ObjectPtr>>
    claimRevisions(const boost::json::object& set, const kube::LabelSelector& selector);
    [[nodiscard]] Result<std::vector<kube::ObjectPtr>>
    claimPods(const boost::json::object& set, const kube::LabelSelector& selector);

    kube::ApiClient& m_client;
    Options m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;
    EventRecorder m_events;
    kube::Informer* m_sets = nullptr;
    kube::Informer* m_pods = nullptr;
    kube::Informer* m_claims = nullptr;
    kube::Informer* m_revisions = nullptr;
    std::unique_ptr<statefulset::StatefulPodControl> m_podControl;
    std::unique_ptr<statefulset::StatefulSetControl> m_control;
};

} // namespace pilot::controllers
