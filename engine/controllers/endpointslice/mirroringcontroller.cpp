#include "engine/controllers/endpointslice/mirroringcontroller.h"

#include "core/log.h"
#include "engine/controllers/common/controllerref.h"
#include "engine/controllers/endpoints/serviceutil.h"
#include "engine/controllers/endpointslice/sliceutil.h"
#include "engine/controllers/endpointslice/slicewriter.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/asio/ip/address.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

constexpr std::string_view Component = "endpointslice-mirroring-controller";
constexpr std::string_view NamespaceIndex = "namespace";
constexpr std::string_view SkipMirrorLabel = "endpointslice.kubernetes.io/skip-mirror";
constexpr std::string_view LeaderElectionAnnotation = "control-plane.alpha.kubernetes.io/leader";
constexpr std::string_view LastAppliedAnnotation =
    "kubectl.kubernetes.io/last-applied-configuration";
constexpr std::chrono::seconds SliceChangeMinSyncDelay{1};

using EndpointSet = std::map<std::string, json::object>; // by endpointKey

const json::array& arrayOrEmpty(const json::array* array) {
    static const json::array empty;
    return array ? *array : empty;
}

bool shouldMirror(const json::object& endpoints) {
    return kube::label(endpoints, SkipMirrorLabel) != "true" &&
           !kube::annotation(endpoints, LeaderElectionAnnotation);
}

/// The address as an endpoint and its address type; nullopt for an invalid IP.
std::optional<std::pair<json::object, std::string>> addressToEndpoint(const json::object& address,
                                                                      bool ready) {
    boost::system::error_code ec;
    boost::asio::ip::address ip = boost::asio::ip::make_address(kube::stringAt(address, "ip"), ec);
    if (ec) {
        return std::nullopt;
    }
    if (ip.is_v6() && ip.to_v6().is_v4_mapped()) {
        ip = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, ip.to_v6());
    }
    json::object endpoint{{"addresses", json::array{json::string(ip.to_string())}},
                          {"conditions", json::object{{"ready", ready}}}};
    if (std::string hostname = kube::stringAt(address, "hostname"); !hostname.empty()) {
        endpoint["hostname"] = hostname;
    }
    if (const json::object* ref = kube::objectAt(address, "targetRef")) {
        endpoint["targetRef"] = *ref;
    }
    if (const json::value* node = address.if_contains("nodeName"); node && node->is_string()) {
        endpoint["nodeName"] = *node;
    }
    return std::pair{std::move(endpoint), std::string(ip.is_v4() ? "IPv4" : "IPv6")};
}

json::array slicePorts(const json::array* ports) {
    json::array out;
    for (const json::value& p : arrayOrEmpty(ports)) {
        const json::object* port = p.if_object();
        if (port == nullptr) {
            continue;
        }
        json::object converted{{"name", kube::stringAt(*port, "name")},
                               {"port", kube::integerAt(*port, "port").value_or(0)},
                               {"protocol", kube::stringAt(*port, "protocol")}};
        if (std::string app = kube::stringAt(*port, "appProtocol"); !app.empty()) {
            converted["appProtocol"] = app;
        }
        out.push_back(std::move(converted));
    }
    return out;
}

json::object mirroredAnnotations(const json::object& endpoints) {
    json::object annotations = labelMap(kube::annotations(endpoints));
    annotations.erase(LastChangeTriggerTimeAnnotation);
    annotations.erase(LastAppliedAnnotation);
    return annotations;
}

json::object newMirroredSlice(const json::object& endpoints, const json::array& ports,
                              std::string_view addressType, const json::object* reuse) {
    static const OwnerKind endpointsKind{"v1", "Endpoints"};
    json::object labels = labelMap(kube::labels(endpoints));
    labels[ServiceNameLabel] = kube::name(endpoints);
    labels[ManagedByLabel] = MirroringControllerName;
    json::object meta{{"namespace", kube::namespaceOf(endpoints)},
                      {"labels", std::move(labels)},
                      {"ownerReferences", json::array{newControllerRef(endpoints, endpointsKind)}}};
    if (json::object annotations = mirroredAnnotations(endpoints); !annotations.empty()) {
        meta["annotations"] = std::move(annotations);
    }
    if (reuse != nullptr) {
        meta["name"] = kube::name(*reuse);
        meta["resourceVersion"] = kube::resourceVersion(*reuse);
    } else {
        meta["generateName"] = slicePrefix(kube::name(endpoints));
    }
    return json::object{{"apiVersion", "discovery.k8s.io/v1"}, {"kind", "EndpointSlice"},
                        {"metadata", std::move(meta)},         {"addressType", addressType},
                        {"endpoints", json::array()},          {"ports", ports}};
}

/// The existing slice already holds exactly the wanted endpoints, labels and annotations.
bool matches(const json::object& endpoints, const json::object& slice, const EndpointSet& wanted) {
    size_t found = 0;
    if (const json::array* list = kube::arrayAt(slice, "endpoints")) {
        for (const json::value& e : *list) {
            auto it = e.is_object() ? wanted.find(endpointKey(e.get_object())) : wanted.end();
            if (it == wanted.end() || !endpointsEqualBeyondKey(it->second, e.get_object())) {
                return false;
            }
            ++found;
        }
    }
    json::object sliceLabels = labelMap(kube::labels(slice));
    sliceLabels.erase(ManagedByLabel);
    sliceLabels.erase(ServiceNameLabel);
    return found == wanted.size() &&
           kube::jsonEqual(labelMap(kube::labels(endpoints)), sliceLabels) &&
           kube::jsonEqual(mirroredAnnotations(endpoints), labelMap(kube::annotations(slice)));
}

} // namespace

MirrorPlan planMirroredSlices(const json::object& endpoints,
                              const std::vector<kube::ObjectPtr>& existing,
                              size_t maxEndpointsPerSubset) {
    struct Group {
        std::string addressType;
        json::array ports;
        EndpointSet endpoints;
    };
    MirrorPlan plan;
    std::map<std::string, Group> desired; // by address type and ports
    for (const json::value& s : arrayOrEmpty(kube::arrayAt(endpoints, "subsets"))) {
        const json::object* subset = s.if_object();
        if (subset == nullptr) {
            continue;
        }
        json::array ports = slicePorts(kube::arrayAt(*subset, "ports"));
        for (const char* type : {"IPv4", "IPv6"}) {
            desired.try_emplace(type + portMapKey(&ports), Group{type, ports, {}});
        }
        size_t total = 0;
        size_t added = 0;
        for (auto [list, ready] :
             {std::pair{"addresses", true}, std::pair{"notReadyAddresses", false}}) {
            const json::array* addresses = kube::arrayAt(*subset, list);
            total += addresses ? addresses->size() : 0;
            for (size_t i = 0; addresses && i < addresses->size() && added < maxEndpointsPerSubset;
                 ++i) {
                const json::object* address = (*addresses)[i].if_object();
                auto endpoint = address ? addressToEndpoint(*address, ready) : std::nullopt;
                if (!endpoint) {
                    ++plan.invalidAddresses;
                    continue;
                }
                EndpointSet& set = desired.at(endpoint->second + portMapKey(&ports)).endpoints;
                set[endpointKey(endpoint->first)] = std::move(endpoint->first);
                ++added;
            }
        }
        plan.skippedAddresses += total - added;
    }

    std::map<std::string, std::vector<const json::object*>> existingByKey;
    std::vector<kube::ObjectPtr> sorted = existing;
    std::sort(sorted.begin(), sorted.end(), [](const kube::ObjectPtr& a, const kube::ObjectPtr& b) {
        return kube::name(*a) < kube::name(*b);
    });
    for (const kube::ObjectPtr& slice : sorted) {
        existingByKey[kube::stringAt(*slice, "addressType") +
                      portMapKey(kube::arrayAt(*slice, "ports"))]
            .push_back(slice.get());
    }
    for (auto& [key, group] : desired) {
        std::vector<const json::object*>& have = existingByKey[key];
        if (group.endpoints.empty()) {
            for (const json::object* slice : have) {
                plan.slices.remove.push_back(*slice);
            }
            continue;
        }
        for (size_t i = 1; i < have.size(); ++i) {
            plan.slices.remove.push_back(*have[i]);
        }
        if (!have.empty() && matches(endpoints, *have.front(), group.endpoints)) {
            continue;
        }
        json::object slice = newMirroredSlice(endpoints, group.ports, group.addressType,
                                              have.empty() ? nullptr : have.front());
        json::array& list = slice["endpoints"].as_array();
        for (auto it = group.endpoints.begin();
             it != group.endpoints.end() && list.size() < maxEndpointsPerSubset; ++it) {
            list.push_back(std::move(it->second));
        }
        (have.empty() ? plan.slices.create : plan.slices.update).push_back(std::move(slice));
    }
    for (const auto& [key, slices] : existingByKey) {
        if (!desired.contains(key)) {
            for (const json::object* slice : slices) {
                plan.slices.remove.push_back(*slice);
            }
        }
    }
    // Reuse slices that would be deleted for slices of the same address type to be created.
    for (auto create = plan.slices.create.begin(); create != plan.slices.create.end();) {
        std::string type = kube::stringAt(*create, "addressType");
        auto doomed = std::find_if(
            plan.slices.remove.begin(), plan.slices.remove.end(),
            [&](const json::object& s) { return kube::stringAt(s, "addressType") == type; });
        if (doomed == plan.slices.remove.end()) {
            ++create;
            continue;
        }
        json::object& meta = kube::ensureMetadata(*create);
        meta.erase("generateName");
        meta["name"] = kube::name(*doomed);
        meta["resourceVersion"] = kube::resourceVersion(*doomed);
        plan.slices.update.push_back(std::move(*create));
        plan.slices.remove.erase(doomed);
        create = plan.slices.create.erase(create);
    }
    return plan;
}

EndpointSliceMirroringController::EndpointSliceMirroringController(kube::ApiClient& client)
    : EndpointSliceMirroringController(client, Options{}) {}

EndpointSliceMirroringController::EndpointSliceMirroringController(kube::ApiClient& client,
                                                                   Options options)
    : QueueController(std::string(Component), options.workers), m_client(client),
      m_options(options), m_clock(options.clock ? *options.clock : m_systemClock),
      m_events(client, std::string(Component), &m_clock) {}

EndpointSliceMirroringController::~EndpointSliceMirroringController() {
    stop();
}

void EndpointSliceMirroringController::stop() {
    QueueController::stop();
    m_events.stop();
}

void EndpointSliceMirroringController::setUp(SharedInformers& informers) {
    informers.addIndex(kube::resources::EndpointSlices, std::string(SliceServiceIndex),
                       sliceServiceIndex());
    m_services = &informers.forResource(kube::resources::Services);
    m_endpoints = &informers.forResource(kube::resources::Endpoints);
    m_slices = &informers.forResource(kube::resources::EndpointSlices);

    auto byKey = [this](const kube::ObjectPtr& o) { enqueue(kube::objectKey(*o)); };
    kube::InformerHandlers services;
    services.onAdd = byKey;
    services.onUpdate = [byKey](const kube::ObjectPtr&, const kube::ObjectPtr& s) { byKey(s); };
    services.onDelete = byKey;
    m_services->addHandlers(std::move(services));

    kube::InformerHandlers endpoints;
    endpoints.onAdd = [byKey](const kube::ObjectPtr& e) {
        if (shouldMirror(*e)) {
            byKey(e);
        }
    };
    endpoints.onUpdate = [byKey](const kube::ObjectPtr& old, const kube::ObjectPtr& e) {
        if (shouldMirror(*e) || shouldMirror(*old)) {
            byKey(e);
        }
    };
    endpoints.onDelete = endpoints.onAdd;
    m_endpoints->addHandlers(std::move(endpoints));

    kube::InformerHandlers slices;
    slices.onAdd = [this](const kube::ObjectPtr& slice) { onSliceChanged(nullptr, slice); };
    slices.onUpdate = [this](const kube::ObjectPtr& old, const kube::ObjectPtr& slice) {
        onSliceChanged(old, slice);
    };
    slices.onDelete = [this](const kube::ObjectPtr& slice) {
        if (managedBy(*slice) == MirroringControllerName && m_tracker.has(*slice) &&
            !m_tracker.handleDeletion(*slice)) {
            enqueueSliceOwner(*slice);
        }
    };
    m_slices->addHandlers(std::move(slices));
}

void EndpointSliceMirroringController::enqueueSliceOwner(const json::object& slice) {
    if (std::string key = serviceKeyOfSlice(slice); !key.empty()) {
        enqueueAfter(key, SliceChangeMinSyncDelay);
    }
}

void EndpointSliceMirroringController::onSliceChanged(const kube::ObjectPtr& previous,
                                                      const kube::ObjectPtr& slice) {
    const bool managed = managedBy(*slice) == MirroringControllerName;
    if (previous && serviceKeyOfSlice(*previous) != serviceKeyOfSlice(*slice)) {
        enqueueSliceOwner(*slice);
        enqueueSliceOwner(*previous);
        return;
    }
    const bool changedHands =
        previous && (managedBy(*previous) == MirroringControllerName) != managed;
    if (changedHands || (managed && m_tracker.shouldSync(*slice))) {
        enqueueSliceOwner(*slice);
    }
}

std::vector<kube::ObjectPtr>
EndpointSliceMirroringController::mirroredSlices(const std::string& key) const {
    std::vector<kube::ObjectPtr> slices;
    for (const kube::ObjectPtr& slice : m_slices->cache().byIndex(SliceServiceIndex, key)) {
        if (managedBy(*slice) == MirroringControllerName) {
            slices.push_back(slice);
        }
    }
    return slices;
}

Status EndpointSliceMirroringController::removeMirroredSlices(const std::string& key) {
    m_tracker.eraseService(key);
    for (const kube::ObjectPtr& slice : mirroredSlices(key)) {
        auto removed = m_client.remove(kube::resources::EndpointSlices, kube::namespaceOf(*slice),
                                       kube::name(*slice));
        if (!removed && !kube::isNotFound(removed.error())) {
            return std::unexpected(removed.error().toError());
        }
    }
    return {};
}

Status EndpointSliceMirroringController::reconcile(const std::string& key) {
    kube::ObjectPtr service = m_services->cache().get(key);
    if (!service) {
        return removeMirroredSlices(key);
    }
    if (isExternalNameService(*service)) {
        return {};
    }
    kube::ObjectPtr endpoints = m_endpoints->cache().get(key);
    if (serviceSelector(*service) || !endpoints || !shouldMirror(*endpoints)) {
        return removeMirroredSlices(key);
    }
    std::vector<kube::ObjectPtr> slices = mirroredSlices(key);
    std::erase_if(slices, [](const kube::ObjectPtr& s) { return kube::hasDeletionTimestamp(*s); });
    if (m_tracker.stale(key, slices)) {
        log::debug(Component, "{}: EndpointSlice informer cache is out of date", key);
        queue().addRateLimited(key);
        return {};
    }
    MirrorPlan plan = planMirroredSlices(*endpoints, slices, m_options.maxEndpointsPerSubset);
    if (plan.invalidAddresses > 0) {
        m_events.warning(*endpoints, "InvalidIPAddress",
                         fmt::format("Skipped {} invalid IP addresses when mirroring to "
                                     "EndpointSlices",
                                     plan.invalidAddresses));
    }
    if (plan.skippedAddresses > plan.invalidAddresses) {
        m_events.warning(*endpoints, "TooManyAddressesToMirror",
                         fmt::format("A max of {} addresses can be mirrored to EndpointSlices per "
                                     "Endpoints subset. {} addresses were skipped",
                                     m_options.maxEndpointsPerSubset, plan.skippedAddresses));
    }
    return writeSlices(m_client, m_tracker, kube::namespaceOf(*endpoints), std::move(plan.slices),
                       kube::hasDeletionTimestamp(*endpoints), "Endpoints " + key, std::nullopt);
}

} // namespace pilot::controllers
