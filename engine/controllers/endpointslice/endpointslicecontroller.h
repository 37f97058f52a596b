#pragma once

#include "core/clock.h"
#include "engine/controllers/common/eventrecorder.h"
#include "engine/controllers/endpoints/triggertimetracker.h"
#include "engine/controllers/endpointslice/slicereconciler.h"
#include "engine/controllers/endpointslice/slicetracker.h"
#include "engine/controllers/framework/controller.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

#include <chrono>
#include <cstddef>
#include <string>

namespace pilot::controllers {

/// Keeps the EndpointSlices of every Service with a selector, as upstream's EndpointSlice
/// controller (component `endpointslice-controller`, label
/// `endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io`): slices named
/// `<service>-<random>` with the Service's labels, `kubernetes.io/service-name` and a
/// controller owner reference to the Service; one endpoint per selected pod with an IP
/// (terminating pods included, with their ready/serving/terminating conditions), its node and
/// the node's zone; at most maxEndpointsPerSlice per slice, reconciled with as few writes as
/// possible (planEndpointSlices). Its own writes do not retrigger it; changes to its slices by
/// others do (after a second). When the Service is deleted its slices are deleted too (the
/// engine's garbage collector would also do it through the owner reference). Failed syncs
/// record FailedToUpdateEndpointSlices Events on the Service.
class EndpointSliceController : public QueueController {
public:
    struct Options {
        int workers = 2;
        std::size_t maxEndpointsPerSlice = 100;
        /// Delay of syncs caused by pod changes, so bursts of them make one write.
        std::chrono::milliseconds updatesBatchPeriod{0};
        const Clock* clock = nullptr; ///< null: the system clock. Must be thread-safe.
    };

    explicit EndpointSliceController(kube::ApiClient& client);
    EndpointSliceController(kube::ApiClient& client, Options options);
    ~EndpointSliceController() override;

    void setUp(SharedInformers& informers) override;
    /// Starts the workers and queues the Services of existing slices (leftovers get deleted).
    void start() override;
    void stop() override;

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    void onSliceChanged(const kube::ObjectPtr& previous, const kube::ObjectPtr& slice);
    void onSliceDeleted(const kube::ObjectPtr& slice);
    void enqueueSliceService(const boost::json::object& slice);
    void enqueuePodServices(const kube::ObjectPtr& pod);
    [[nodiscard]] std::vector<kube::ObjectPtr> managedSlices(const std::string& serviceKey) const;
    [[nodiscard]] Status removeServiceSlices(const std::string& key);

    kube::ApiClient& m_client;
    Options m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;
    EventRecorder m_events;
    TriggerTimeTracker m_triggers;
    SliceTracker m_tracker;
    kube::Informer* m_services = nullptr;
    kube::Informer* m_pods = nullptr;
    kube::Informer* m_nodes = nullptr;
    kube::Informer* m_slices = nullptr;
};

} // namespace pilot::controllers
