#pragma once

#include "engine/controllers/common/eventrecorder.h"
#include "engine/controllers/endpointslice/slicereconciler.h"
#include "engine/controllers/endpointslice/slicetracker.h"
#include "engine/controllers/framework/controller.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

#include <boost/json/object.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace pilot::controllers {

/// The mirrored slices for one Endpoints object, with what could not be mirrored.
struct MirrorPlan {
    SlicePlan slices;
    std::size_t invalidAddresses = 0; ///< not an IP address
    std::size_t skippedAddresses = 0; ///< invalid ones plus those over the per-subset limit
};

/// Plans the EndpointSlices mirroring a user-written Endpoints object (upstream's mirroring
/// reconciler): per subset and address type one slice (`<name>-<random>`, the Endpoints'
/// labels and annotations except the trigger time and last-applied configuration,
/// `kubernetes.io/service-name`, managed-by `endpointslicemirroring-controller.k8s.io`, a
/// controller owner reference to the Endpoints) with ready addresses `ready: true` and
/// not-ready ones `ready: false`, at most `maxEndpointsPerSubset` each. An existing slice that
/// already matches is left alone; extra ones are deleted or reused for new ones.
[[nodiscard]] MirrorPlan planMirroredSlices(const boost::json::object& endpoints,
                                            const std::vector<kube::ObjectPtr>& existing,
                                            std::size_t maxEndpointsPerSubset);

/// Mirrors the Endpoints of Services without a selector into EndpointSlices, as upstream's
/// EndpointSlice mirroring controller (component `endpointslice-mirroring-controller`), unless
/// the Endpoints are labelled `endpointslice.kubernetes.io/skip-mirror: "true"` or hold a
/// leader-election record. Mirrored slices go when the Service gets a selector, when the
/// Endpoints go or stop being mirrored, and (like the engine's garbage collector would) when
/// the Service goes. Records InvalidIPAddress and TooManyAddressesToMirror Events on the
/// Endpoints.
class EndpointSliceMirroringController : public QueueController {
public:
    struct Options {
        int workers = 2;
        std::size_t maxEndpointsPerSubset = 1000;
        const Clock* clock = nullptr; ///< null: the system clock. Must be thread-safe.
    };

    explicit EndpointSliceMirroringController(kube::ApiClient& client);
    EndpointSliceMirroringController(kube::ApiClient& client, Options options);
    ~EndpointSliceMirroringController() override;

    void setUp(SharedInformers& informers) override;
    void stop() override;

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    void onSliceChanged(const kube::ObjectPtr& previous, const kube::ObjectPtr& slice);
    void enqueueSliceOwner(const boost::json::object& slice);
    [[nodiscard]] std::vector<kube::ObjectPtr> mirroredSlices(const std::string& key) const;
    [[nodiscard]] Status removeMirroredSlices(const std::string& key);

    kube::ApiClient& m_client;
    Options m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;
    EventRecorder m_events;
    SliceTracker m_tracker;
    kube::Informer* m_services = nullptr;
    kube::Informer* m_endpoints = nullptr;
    kube::Informer* m_slices = nullptr;
};

} // namespace pilot::controllers
