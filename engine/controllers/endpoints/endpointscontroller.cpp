#include "engine/controllers/endpoints/endpointscontroller.h"

#include "core/log.h"
#include "engine/controllers/common/templatehash.h"
#include "engine/controllers/endpoints/endpointsubsets.h"
#include "engine/controllers/endpoints/serviceutil.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

constexpr std::string_view Component = "endpoint-controller";
constexpr std::string_view NamespaceIndex = "namespace";
constexpr std::string_view OverCapacityAnnotation = "endpoints.kubernetes.io/over-capacity";
constexpr std::string_view LeaderElectionAnnotation = "control-plane.alpha.kubernetes.io/leader";

/// Subsets as compared: empty members dropped, target references without resourceVersion.
json::value comparable(const json::array* subsets) {
    json::array copy = subsets ? *subsets : json::array();
    for (json::value& s : copy) {
        json::object* subset = s.if_object();
        if (subset == nullptr) {
            continue;
        }
        for (std::string_view list : {"addresses", "notReadyAddresses"}) {
            if (json::array* addresses = kube::mutableArray(*subset, list)) {
                for (json::value& a : *addresses) {
                    json::object* address = a.if_object();
                    json::object* ref =
                        address ? kube::mutableObject(*address, "targetRef") : nullptr;
                    if (ref != nullptr) {
                        ref->erase("resourceVersion");
                    }
                }
            }
        }
    }
    return normalizedJson(copy);
}

/// No annotation when within capacity, and never "correct" when over it.
bool capacityAnnotationSetCorrectly(const json::object& endpoints) {
    const json::array* subsets = kube::arrayAt(endpoints, "subsets");
    if (subsets && countAddresses(*subsets) > MaxEndpointsCapacity) {
        return false;
    }
    return !kube::annotation(endpoints, OverCapacityAnnotation).has_value();
}

void setOrErase(json::object& meta, std::string_view key, json::object map) {
    if (map.empty()) {
        meta.erase(key);
    } else {
        meta[key] = std::move(map);
    }
}

} // namespace

EndpointsController::EndpointsController(kube::ApiClient& client)
    : EndpointsController(client, Options{}) {}

EndpointsController::EndpointsController(kube::ApiClient& client, Options options)
    : QueueController(std::string(Component), options.workers), m_client(client),
      m_options(options), m_clock(options.clock ? *options.clock : m_systemClock),
      m_events(client, std::string(Component), &m_clock) {}

EndpointsController::~EndpointsController() {
    stop();
}

void EndpointsController::stop() {
    QueueController::stop();
    m_events.stop();
}

void EndpointsController::setUp(SharedInformers& informers) {
    informers.addIndex(kube::resources::Services, std::string(NamespaceIndex),
                       kube::namespaceIndex());
    informers.addIndex(kube::resources::Pods, std::string(NamespaceIndex), kube::namespaceIndex());
    m_services = &informers.forResource(kube::resources::Services);
    m_pods = &informers.forResource(kube::resources::Pods);
    m_endpoints = &informers.forResource(kube::resources::Endpoints);

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

    kube::InformerHandlers endpoints;
    endpoints.onDelete = [this](const kube::ObjectPtr& e) { enqueue(kube::objectKey(*e)); };
    m_endpoints->addHandlers(std::move(endpoints));
}

void EndpointsController::start() {
    QueueController::start();
    // Endpoints whose Service went away while no controller ran (checkLeftoverEndpoints).
    for (const kube::ObjectPtr& endpoints : m_endpoints->cache().list()) {
        if (!kube::annotation(*endpoints, LeaderElectionAnnotation)) {
            enqueue(kube::objectKey(*endpoints));
        }
    }
}

void EndpointsController::enqueuePodServices(const kube::ObjectPtr& pod) {
    auto nsServices = m_services->cache().byIndex(NamespaceIndex, kube::namespaceOf(*pod));
    for (const std::string& key : servicesSelecting(nsServices, kube::labels(*pod))) {
        enqueueAfter(key, m_options.updatesBatchPeriod);
    }
}

Status EndpointsController::removeEndpoints(const std::string& key) {
    auto [ns, name] = kube::splitObjectKey(key);
    auto removed = m_client.remove(kube::resources::Endpoints, ns, name);
    if (!removed && !kube::isNotFound(removed.error())) {
        return std::unexpected(removed.error().toError());
    }
    m_triggers.erase(key);
    std::lock_guard lock(m_staleMutex);
    m_staleVersions.erase(key);
    return {};
}

Status EndpointsController::reconcile(const std::string& key) {
    kube::ObjectPtr service = m_services->cache().get(key);
    if (!service) {
        return removeEndpoints(key);
    }
    if (isExternalNameService(*service)) {
        return {};
    }
    std::optional<kube::LabelSelector> selector = serviceSelector(*service);
    if (!selector) {
        return {}; // Endpoints of such Services are written by someone else.
    }
    std::vector<kube::ObjectPtr> pods;
    for (const kube::ObjectPtr& pod :
         m_pods->cache().byIndex(NamespaceIndex, kube::namespaceOf(*service))) {
        if (selector->matches(kube::labels(*pod))) {
            pods.push_back(pod);
        }
    }
    // Computed before the no-change check so the tracker sees every sync.
    std::optional<TimePoint> triggerTime = m_triggers.compute(*service, pods);
    json::array subsets = computeSubsets(*service, pods);

    kube::ObjectPtr current = m_endpoints->cache().get(key);
    if (current) {
        std::lock_guard lock(m_staleMutex);
        auto stale = m_staleVersions.find(key);
        if (stale != m_staleVersions.end() && stale->second == kube::resourceVersion(*current)) {
            // Not an error worth a warning: look again once the informer caught up.
            log::debug(Component,
                       "endpoints informer cache is out of date, resource version {} already "
                       "processed for endpoints {}",
                       stale->second, key);
            queue().addRateLimited(key);
            return {};
        }
    }
    json::object serviceLabels = labelMap(kube::labels(*service));
    if (current) {
        json::object compareLabels = labelMap(kube::labels(*current));
        compareLabels.erase(HeadlessServiceLabel);
        if (kube::jsonEqual(comparable(kube::arrayAt(*current, "subsets")), comparable(&subsets)) &&
            kube::jsonEqual(compareLabels, serviceLabels) &&
            capacityAnnotationSetCorrectly(*current)) {
            return {};
        }
    }

    json::object endpoints =
        current
            ? *current
            : json::object{{"metadata", json::object{{"name", kube::name(*service)},
                                                     {"namespace", kube::namespaceOf(*service)}}}};
    endpoints["apiVersion"] = "v1";
    endpoints["kind"] = "Endpoints";
    json::object& meta = kube::ensureMetadata(endpoints);
    json::object annotations = labelMap(kube::annotations(endpoints));
    if (triggerTime) {
        annotations[LastChangeTriggerTimeAnnotation] = formatTime(*triggerTime);
    } else {
        annotations.erase(LastChangeTriggerTimeAnnotation);
    }
    if (truncateSubsets(subsets)) {
        annotations[OverCapacityAnnotation] = "truncated";
    } else {
        annotations.erase(OverCapacityAnnotation);
    }
    if (isServiceIPSet(*service)) {
        serviceLabels.erase(HeadlessServiceLabel);
    } else {
        serviceLabels[HeadlessServiceLabel] = "";
    }
    setOrErase(meta, "labels", std::move(serviceLabels));
    setOrErase(meta, "annotations", std::move(annotations));
    if (subsets.empty()) {
        endpoints.erase("subsets");
    } else {
        endpoints["subsets"] = std::move(subsets);
    }
    return write(*service, std::move(endpoints), !current,
                 current ? std::string(kube::resourceVersion(*current)) : std::string());
}

Status EndpointsController::write(const json::object& service, json::object endpoints, bool create,
                                  const std::string& previousVersion) {
    const std::string key = kube::objectKey(service);
    if (create) {
        auto created =
            m_client.create(kube::resources::Endpoints, kube::namespaceOf(service), endpoints);
        if (created) {
            return {};
        }
        if (namespaceTerminating(created.error())) {
            return {}; // Every create will fail; nothing to retry.
        }
        m_events.warning(endpoints, "FailedToCreateEndpoint",
                         fmt::format("Failed to create endpoint for service {}: {}", key,
                                     created.error().message));
        return std::unexpected(created.error().toError());
    }
    auto updated = m_client.update(kube::resources::Endpoints, endpoints);
    if (!updated) {
        m_events.warning(
            endpoints, "FailedToUpdateEndpoint",
            fmt::format("Failed to update endpoint {}: {}", key, updated.error().message));
        return std::unexpected(updated.error().toError());
    }
    if (kube::resourceVersion(*updated) != previousVersion) {
        std::lock_guard lock(m_staleMutex);
        m_staleVersions[key] = previousVersion;
    }
    return {};
}

} // namespace pilot::controllers
