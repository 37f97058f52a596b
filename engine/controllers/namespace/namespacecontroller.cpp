#include "engine/controllers/namespace/namespacecontroller.h"

#include "core/log.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

/// Upstream's wait when remaining content carries finalizers (finalizerEstimateSeconds).
constexpr int64_t FinalizerEstimateSeconds = 15;

bool hasSpecFinalizer(const json::object& ns, std::string_view token) {
    const json::object* spec = kube::objectAt(ns, "spec");
    if (spec == nullptr) {
        return false;
    }
    for (const std::string& f : kube::stringsAt(*spec, "finalizers")) {
        if (f == token) {
            return true;
        }
    }
    return false;
}

/// Go's `%v` of a GroupVersionResource, as upstream's messages print it.
std::string gvrString(const kube::ApiResource& r) {
    return fmt::format("{{{} {} {}}}", r.group, r.version, r.resource);
}

kube::ApiError transportError(const Error& error) {
    return kube::ApiError::fromTransport(error);
}

} // namespace

NamespaceController::NamespaceController(kube::ApiClient& client)
    : NamespaceController(client, Options{}) {}

NamespaceController::NamespaceController(kube::ApiClient& client, Options options)
    : QueueController(std::string(Component), options.workers), m_client(client),
      m_options(options), m_clock(options.clock ? *options.clock : m_systemClock) {}

NamespaceController::~NamespaceController() {
    stop();
}

void NamespaceController::setUp(SharedInformers& informers) {
    kube::InformerHandlers handlers;
    auto consider = [this](const kube::ObjectPtr& ns) {
        if (kube::hasDeletionTimestamp(*ns)) {
            enqueue(std::string(kube::name(*ns)));
        }
    };
    handlers.onAdd = consider;
    handlers.onUpdate = [consider](const kube::ObjectPtr&, const kube::ObjectPtr& ns) {
        consider(ns);
    };
    handlers.onDelete = [this](const kube::ObjectPtr& ns) {
        std::lock_guard lock(m_mutex);
        m_rechecks.erase(std::string(kube::name(*ns)));
    };
    informers.forResource(kube::resources::Namespaces).addHandlers(std::move(handlers));
}

Status NamespaceController::reconcile(const std::string& key) {
    auto ns = m_client.get(kube::resources::Namespaces, "", key);
    if (!ns) {
        if (kube::isNotFound(ns.error())) {
            std::lock_guard lock(m_mutex);
            m_rechecks.erase(key);
            return {};
        }
        return std::unexpected(ns.error().toError());
    }
    if (!kube::hasDeletionTimestamp(*ns) || !hasSpecFinalizer(*ns, FinalizerToken)) {
        return {};
    }
    if (kube::stringAt(kube::objectAt(*ns, "status"), "phase") != "Terminating") {
        json::object updated = *ns;
        json::value& status = updated["status"];
        if (!status.is_object()) {
            status = json::object();
        }
        status.as_object()["phase"] = "Terminating";
        auto written = m_client.updateStatus(kube::resources::Namespaces, updated);
        if (!written) {
            return std::unexpected(written.error().toError());
        }
    }
    NamespaceDeletionReport report;
    auto estimate = deleteAllContent(key, report);
    writeConditions(key, report);
    if (!estimate) {
        return std::unexpected(estimate.error());
    }
    if (*estimate > 0) {
        // Content is still going away: look again soon, then less often, never later than
        // upstream would (estimate/2+1 seconds).
        int rechecks = 0;
        {
            std::lock_guard lock(m_mutex);
            rechecks = m_rechecks[key]++;
        }
        auto upstream = std::chrono::milliseconds((*estimate / 2 + 1) * 1000);
        auto backoff = m_options.firstRecheck * (int64_t{1} << std::min(rechecks, 16));
        enqueueAfter(key, std::min<std::chrono::milliseconds>(upstream, backoff));
        return {};
    }
    return finalize(key);
}

Result<int64_t> NamespaceController::deleteAllContent(const std::string& ns,
                                                      NamespaceDeletionReport& report) {
    auto discovered = discoverPreferredResources(m_client);
    if (!discovered) {
        report.discoveryError = discovered.error().message;
        return fail(discovered.error().kind, discovered.error().message);
    }
    std::vector<std::string> errors;
    if (!discovered->failedGroups.empty()) {
        report.discoveryError =
            fmt::format("Discovery failed for some groups, {} failing: unable to retrieve the "
                        "complete list of server APIs: {}",
                        discovered->failedGroups.size(), fmt::join(discovered->failedGroups, ", "));
        errors.push_back(*report.discoveryError);
    }
    int64_t estimate = 0;
    for (const DiscoveredResource& resource : discovered->resources) {
        if (!resource.resource.namespaced || !resource.supports("delete")) {
            continue;
        }
        auto outcome = deleteContentOf(resource, ns);
        if (!outcome) {
            report.deleteErrors.push_back(outcome.error().message);
            errors.push_back(outcome.error().message);
            continue;
        }
        estimate = std::max(estimate, outcome->estimateSeconds);
        if (outcome->remaining > 0) {
            report.remainingByResource[fmt::format("{}.{}", resource.resource.resource,
                                                   resource.resource.group)] += outcome->remaining;
            for (const auto& [finalizer, count] : outcome->finalizers) {
                report.remainingByFinalizer[finalizer] += count;
            }
        }
    }
    if (!errors.empty()) {
        return fail(ErrorCode::Internal,
                    fmt::format("namespace {}: {}", ns, fmt::join(errors, "; ")));
    }
    return estimate;
}

kube::ApiResult<NamespaceController::ResourceOutcome>
NamespaceController::deleteContentOf(const DiscoveredResource& resource, const std::string& ns) {
    ResourceOutcome outcome;
    bool isPods = resource.resource.group.empty() && resource.resource.resource == "pods";
    if (isPods) {
        outcome.estimateSeconds = estimatePodTermination(ns);
    }
    bool collected = false;
    if (resource.supports("deletecollection")) {
        auto deleted = deleteCollection(resource, ns);
        if (!deleted) {
            return std::unexpected(deleted.error());
        }
        collected = *deleted;
    }
    if (!resource.supports("list")) {
        return outcome;
    }
    kube::ListOptions metadataOnly;
    metadataOnly.metadataOnly = true;
    if (!collected) {
        auto items = m_client.listAll(resource.resource, ns, metadataOnly);
        if (!items) {
            return std::unexpected(items.error());
        }
        for (const json::object& item : items->items) {
            if (kube::hasDeletionTimestamp(item)) {
                continue;
            }
            kube::DeleteOptions options;
            options.propagationPolicy = "Background";
            options.preconditionUid = std::string(kube::uid(item));
            auto removed = m_client.remove(resource.resource, ns, kube::name(item), options);
            if (!removed && !kube::isNotFound(removed.error()) &&
                !kube::isConflict(removed.error())) {
                return std::unexpected(removed.error());
            }
        }
    }
    // What is left, and what holds it.
    auto left = m_client.listAll(resource.resource, ns, metadataOnly);
    if (!left) {
        return std::unexpected(left.error());
    }
    if (left->items.empty()) {
        outcome.estimateSeconds = 0;
        return outcome;
    }
    outcome.remaining = static_cast<int64_t>(left->items.size());
    for (const json::object& item : left->items) {
        for (std::string_view finalizer : kube::finalizers(item)) {
            outcome.finalizers[std::string(finalizer)] += 1;
        }
    }
    if (outcome.estimateSeconds > 0) {
        return outcome;
    }
    if (!outcome.finalizers.empty()) {
        outcome.estimateSeconds = FinalizerEstimateSeconds;
        return outcome;
    }
    kube::ApiError error;
    error.code = 500;
    error.message = fmt::format("unexpected items still remain in namespace: {} for gvr: {}", ns,
                                gvrString(resource.resource));
    return std::unexpected(std::move(error));
}

kube::ApiResult<bool> NamespaceController::deleteCollection(const DiscoveredResource& resource,
                                                            const std::string& ns) {
    kube::ApiRequest request;
    request.method = "DELETE";
    request.path = resource.resource.collectionPath(ns);
    request.contentType = "application/json";
    request.body = json::serialize(json::object{
        {"kind", "DeleteOptions"}, {"apiVersion", "v1"}, {"propagationPolicy", "Background"}});
    auto response = m_client.send(request);
    if (!response) {
        return std::unexpected(transportError(response.error()));
    }
    if (response->status == 405 || response->status == 404) {
        return false; // not served after all: list and delete one by one
    }
    if (response->status < 200 || response->status >= 300) {
        return std::unexpected(kube::ApiError::fromResponse(response->status, response->body));
    }
    return true;
}

int64_t NamespaceController::estimatePodTermination(const std::string& ns) {
    auto pods = m_client.listAll(kube::resources::Pods, ns);
    if (!pods) {
        return 0;
    }
    int64_t estimate = 0;
    for (const json::object& pod : pods->items) {
        std::string phase = kube::stringAt(kube::objectAt(pod, "status"), "phase");
        if (phase == "Succeeded" || phase == "Failed") {
            continue;
        }
        if (const json::object* spec = kube::objectAt(pod, "spec")) {
            estimate = std::max(
                estimate, kube::integerAt(*spec, "terminationGracePeriodSeconds").value_or(0));
        }
    }
    return estimate;
}

void NamespaceController::writeConditions(const std::string& ns,
                                          const NamespaceDeletionReport& report) {
    auto current = m_client.get(kube::resources::Namespaces, "", ns);
    if (!current) {
        return;
    }
    json::object updated = *current;
    json::value& status = updated["status"];
    if (!status.is_object()) {
        status = json::object();
    }
    json::value& conditions = status.as_object()["conditions"];
    if (!conditions.is_array()) {
        conditions = json::array();
    }
    if (!updateNamespaceConditions(conditions.as_array(), report, m_clock.now())) {
        return;
    }
    if (auto written = m_client.updateStatus(kube::resources::Namespaces, updated); !written) {
        log::debug(Component, "namespace {}: cannot update conditions: {}", ns,
                   written.error().message);
    }
}

Status NamespaceController::finalize(const std::string& ns) {
    auto current = m_client.get(kube::resources::Namespaces, "", ns);
    if (!current) {
        return kube::isNotFound(current.error()) ? Status{}
                                                 : std::unexpected(current.error().toError());
    }
    json::object body{{"apiVersion", "v1"}, {"kind", "Namespace"}};
    body["metadata"] = current->contains("metadata") ? current->at("metadata") : json::object();
    json::object spec;
    json::array kept;
    if (const json::object* currentSpec = kube::objectAt(*current, "spec")) {
        spec = *currentSpec;
        for (const std::string& f : kube::stringsAt(*currentSpec, "finalizers")) {
            if (f != FinalizerToken) {
                kept.emplace_back(json::string(f));
            }
        }
    }
    spec["finalizers"] = std::move(kept);
    body["spec"] = std::move(spec);
    kube::ApiRequest request;
    request.method = "PUT";
    request.path = kube::resources::Namespaces.objectPath("", ns, "finalize");
    request.contentType = "application/json";
    request.body = json::serialize(body);
    auto response = m_client.send(request);
    if (!response) {
        return std::unexpected(response.error());
    }
    if (response->status == 404 || (response->status >= 200 && response->status < 300)) {
        std::lock_guard lock(m_mutex);
        m_rechecks.erase(ns);
        return {};
    }
    return std::unexpected(
        kube::ApiError::fromResponse(response->status, response->body).toError());
}

} // namespace pilot::controllers
