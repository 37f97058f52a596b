#include "engine/controllers/endpointslice/endpointslicecontroller.h"

#include "core/log.h"
#include "engine/controllers/endpoints/serviceutil.h"
#include "engine/controllers/endpointslice/sliceutil.h"
#include "engine/controllers/endpointslice/slicewriter.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>

#include <algorithm>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

constexpr std::string_view Component = "endpointslice-controller";
constexpr std::string_view NamespaceIndex = "namespace";
/// Syncs caused by changes to slices wait at least this long (endpointSliceChangeMinSyncDelay).
constexpr std::chrono::seconds SliceChangeMinSyncDelay{1};

std::string joinErrors(const std::vector<std::string>& errors) {
    if (errors.size() == 1) {
        return errors.front();
    }
    std::string joined = "[";
    for (size_t i = 0; i < errors.size(); ++i) {
        joined += (i ? ", " : "") + errors[i];
    }
    return joined + "]";
}

} // namespace

EndpointSliceController::EndpointSliceController(kube::ApiClient& client)
    : EndpointSliceController(client, Options{}) {}

EndpointSliceController::EndpointSliceController(kube::ApiClient& client, Options options)
    : QueueController(std::string(Component), options.workers), m_client(client),
      m_options(options), m_clock(options.clock ? *options.clock : m_systemClock),
      m_events(client, std::string(Component), &m_clock) {}

EndpointSliceController::~EndpointSliceController() {
    stop();
}

void EndpointSliceController::stop() {
    QueueController::stop();
    m_events.stop();
}

void EndpointSliceController::setUp(SharedInformers& informers) {
    informers.addIndex(kube::resources::Services, std::string(NamespaceIndex),
                       kube::namespaceIndex());
    informers.addIndex(kube::resources::Pods, std::string(NamespaceIndex), kube::namespaceIndex());
    informers.addIndex(kube::resources::EndpointSlices, std::string(SliceServiceIndex),
                       sliceServiceIndex());
    m_services = &informers.forResource(kube::resources::Services);
    m_pods = &informers.forResource(kube::resources::Pods);
    m_nodes = &informers.forResource(kube::resources::Nodes);
    m_slices = &informers.forResource(kube::resources::EndpointSlices);

    kube::InformerHandlers services = enqueueHandlers();
    m_services->addHandlers(std::move(services));

    kube::InformerHandlers pods;
    pods.onAdd = [this](const kube::ObjectPtr& pod) { enqueuePodServices(pod); };
    pods.onUpdate = [this](const kube::ObjectPtr& old, const kube::ObjectPtr& pod) {
        auto nsServices = m_services->cache().byIndex(NamespaceIndex, kube::namespaceOf(*pod));
        for (const std::string& key : servicesToUpdateOnPodChange(nsServices, *old, *pod)) {
            enqueueAfter(key, m_options.updatesBatchPeriod);
        }
    };
    pods.onDelete = [this](const kube::ObjectPtr& pod) { enqueuePodServices(pod); };
    m_pods->addHandlers(std::move(pods));

    kube::InformerHandlers slices;
    slices.onAdd = [this](const kube::ObjectPtr& slice) { onSliceChanged(nullptr, slice); };
    slices.onUpdate = [this](const kube::ObjectPtr& old, const kube::ObjectPtr& slice) {
        onSliceChanged(old, slice);
    };
    slices.onDelete = [this](const kube::ObjectPtr& slice) { onSliceDeleted(slice); };
    m_slices->addHandlers(std::move(slices));
}

void EndpointSliceController::start() {
    QueueController::start();
    for (const kube::ObjectPtr& slice : m_slices->cache().list()) {
        if (managedBy(*slice) == EndpointSliceControllerName) {
            if (std::string key = serviceKeyOfSlice(*slice); !key.empty()) {
                enqueue(key);
            }
        }
    }
}

void EndpointSliceController::enqueuePodServices(const kube::ObjectPtr& pod) {
    auto nsServices = m_services->cache().byIndex(NamespaceIndex, kube::namespaceOf(*pod));
    for (const std::string& key : servicesSelecting(nsServices, kube::labels(*pod))) {
        enqueueAfter(key, m_options.updatesBatchPeriod);
    }
}

void EndpointSliceController::enqueueSliceService(const json::object& slice) {
    std::string key = serviceKeyOfSlice(slice);
    if (!key.empty()) {
        enqueueAfter(key, std::max<std::chrono::nanoseconds>(SliceChangeMinSyncDelay,
                                                             m_options.updatesBatchPeriod));
    }
}

void EndpointSliceController::onSliceChanged(const kube::ObjectPtr& previous,
                                             const kube::ObjectPtr& slice) {
    const bool managed = managedBy(*slice) == EndpointSliceControllerName;
    if (!previous) {
        if (managed && m_tracker.shouldSync(*slice)) {
            enqueueSliceService(*slice);
        }
        return;
    }
    if (serviceKeyOfSlice(*previous) != serviceKeyOfSlice(*slice)) {
        enqueueSliceService(*slice);
        enqueueSliceService(*previous);
        return;
    }
    const bool wasManaged = managedBy(*previous) == EndpointSliceControllerName;
    if (managed != wasManaged || (managed && m_tracker.shouldSync(*slice))) {
        enqueueSliceService(*slice);
    }
}

void EndpointSliceController::onSliceDeleted(const kube::ObjectPtr& slice) {
    if (managedBy(*slice) == EndpointSliceControllerName && m_tracker.has(*slice) &&
        !m_tracker.handleDeletion(*slice)) {
        enqueueSliceService(*slice);
    }
}

std::vector<kube::ObjectPtr>
EndpointSliceController::managedSlices(const std::string& serviceKey) const {
    std::vector<kube::ObjectPtr> slices;
    for (const kube::ObjectPtr& slice : m_slices->cache().byIndex(SliceServiceIndex, serviceKey)) {
        if (managedBy(*slice) == EndpointSliceControllerName) {
            slices.push_back(slice);
        }
    }
    return slices;
}

Status EndpointSliceController::removeServiceSlices(const std::string& key) {
    m_triggers.erase(key);
    m_tracker.eraseService(key);
    for (const kube::ObjectPtr& slice : managedSlices(key)) {
        auto removed = m_client.remove(kube::resources::EndpointSlices, kube::namespaceOf(*slice),
                                       kube::name(*slice));
        if (!removed && !kube::isNotFound(removed.error())) {
            return std::unexpected(removed.error().toError());
        }
    }
    return {};
}

Status EndpointSliceController::reconcile(const std::string& key) {
    kube::ObjectPtr service = m_services->cache().get(key);
    if (!service) {
        return removeServiceSlices(key);
    }
    if (isExternalNameService(*service)) {
        return {};
    }
    std::optional<kube::LabelSelector> selector = serviceSelector(*service);
    if (!selector) {
        return {};
    }
    std::vector<kube::ObjectPtr> pods;
    for (const kube::ObjectPtr& pod :
         m_pods->cache().byIndex(NamespaceIndex, kube::namespaceOf(*service))) {
        if (selector->matches(kube::labels(*pod))) {
            pods.push_back(pod);
        }
    }
    std::vector<kube::ObjectPtr> slices = managedSlices(key);
    std::erase_if(slices, [](const kube::ObjectPtr& s) { return kube::hasDeletionTimestamp(*s); });
    if (m_tracker.stale(key, slices)) {
        // Not an error worth a warning: look again once the informer caught up.
        log::debug(Component, "{}: EndpointSlice informer cache is out of date", key);
        queue().addRateLimited(key);
        return {};
    }
    std::optional<TimePoint> triggerTime = m_triggers.compute(*service, pods);

    SlicePlan plan = planEndpointSlices(
        SliceReconcileInput{*service, pods, slices,
                            [this](std::string_view name) { return m_nodes->cache().get(name); },
                            m_options.maxEndpointsPerSlice});
    std::vector<std::string> errors = std::move(plan.errors);
    if (Status applied =
            writeSlices(m_client, m_tracker, kube::namespaceOf(*service), std::move(plan),
                        kube::hasDeletionTimestamp(*service), "Service " + key,
                        triggerTime ? formatTime(*triggerTime) : std::string());
        !applied) {
        errors.push_back(applied.error().message);
    }
    if (errors.empty()) {
        return {};
    }
    std::string message = joinErrors(errors);
    m_events.warning(
        *service, "FailedToUpdateEndpointSlices",
        fmt::format("Error updating Endpoint Slices for Service {}: {}", key, message));
    return fail(ErrorCode::Unavailable, message);
}

} // namespace pilot::controllers
