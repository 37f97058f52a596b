#include "engine/controllers/resourcequota/resourcequotacontroller.h"

#include "engine/quota/evaluator.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

constexpr std::string_view Component = "resourcequota-controller";
constexpr std::string_view ResyncKey = "resync";
constexpr std::string_view NamespaceIndex = "namespace";

const kube::ApiResource ResourceQuotas{"", "v1", "resourcequotas", true};

/// The core kinds whose usage comes from informers (the others are listed when needed).
const std::vector<kube::ApiResource>& watchedResources() {
    static const std::vector<kube::ApiResource> resources{
        kube::resources::Pods,
        kube::resources::Services,
        kube::resources::PersistentVolumeClaims,
        kube::resources::ConfigMaps,
        kube::resources::Secrets,
        kube::ApiResource{"", "v1", "replicationcontrollers", true},
        ResourceQuotas};
    return resources;
}

const json::object* hardOf(const json::object& quota) {
    return kube::objectAt(kube::objectAt(quota, "spec"), "hard");
}

std::string serviceType(const json::object& service) {
    std::string type = kube::stringAt(kube::objectAt(service, "spec"), "type");
    return type == "NodePort" || type == "LoadBalancer" ? type : std::string();
}

/// Whether `a` and `b` hold equal values (or both nothing) at `path`.
bool sameMember(const json::object& a, const json::object& b,
                std::initializer_list<std::string_view> path) {
    auto find = [&](const json::object& o) -> const json::value* {
        const json::object* current = &o;
        const json::value* value = nullptr;
        for (std::string_view key : path) {
            value = current ? current->if_contains(key) : nullptr;
            current = value ? value->if_object() : nullptr;
        }
        return value;
    };
    const json::value* x = find(a);
    const json::value* y = find(b);
    return (x == nullptr && y == nullptr) || (x && y && kube::jsonEqual(*x, *y));
}

} // namespace

ResourceQuotaController::ResourceQuotaController(kube::ApiClient& client)
    : ResourceQuotaController(client, Options{}) {}

ResourceQuotaController::ResourceQuotaController(kube::ApiClient& client, Options options)
    : QueueController(std::string(Component), 1), m_client(client), m_options(options),
      m_clock(options.clock ? *options.clock : m_systemClock) {}

ResourceQuotaController::~ResourceQuotaController() {
    stop();
}

void ResourceQuotaController::setUp(SharedInformers& informers) {
    for (const kube::ApiResource& resource : watchedResources()) {
        // Kinds only counted (no field of theirs is charged) are watched as metadata: a
        // cluster's ConfigMaps and Secrets would otherwise sit in memory a second time.
        const bool counted = resource.resource == "configmaps" || resource.resource == "secrets" ||
                             resource.resource == "replicationcontrollers";
        kube::Informer* watched = nullptr;
        if (counted) {
            informers.addMetadataIndex(resource, std::string(NamespaceIndex),
                                       kube::namespaceIndex());
            watched = &informers.forMetadata(resource);
        } else {
            informers.addIndex(resource, std::string(NamespaceIndex), kube::namespaceIndex());
            watched = &informers.forResource(resource);
        }
        kube::Informer& informer = *watched;
        m_watched[resource.resource] = &informer;
        std::string plural = resource.resource;
        kube::InformerHandlers handlers;
        handlers.onUpdate = [this, plural](const kube::ObjectPtr& old, const kube::ObjectPtr& now) {
            bool changed = false;
            if (plural == "pods") {
                quota::GroupResource pods{"", "pods"};
                TimePoint at = m_clock.now();
                changed = quota::usageOf(pods, *old, at).contains("pods") &&
                          !quota::usageOf(pods, *now, at).contains("pods");
            } else if (plural == "services") {
                changed = serviceType(*old) != serviceType(*now);
            } else if (plural == "persistentvolumeclaims") {
                changed = !sameMember(*old, *now, {"spec", "resources"}) ||
                          !sameMember(*old, *now, {"spec", "storageClassName"});
            }
            if (changed) {
                replenish(kube::namespaceOf(*now), "", plural);
            }
        };
        handlers.onDelete = [this, plural](const kube::ObjectPtr& last) {
            replenish(kube::namespaceOf(*last), "", plural);
        };
        informer.addHandlers(std::move(handlers));
    }
    m_quotas = m_watched.at("resourcequotas");
    kube::InformerHandlers quotas;
    quotas.onAdd = [this](const kube::ObjectPtr& q) { enqueue(kube::objectKey(*q)); };
    quotas.onUpdate = [this](const kube::ObjectPtr& old, const kube::ObjectPtr& q) {
        // Spec changes, or a status that lost its hard limits; other status writes are this
        // controller's and admission's.
        if (!sameMember(*old, *q, {"spec"})) {
            enqueue(kube::objectKey(*q));
            return;
        }
        const json::object* hard = hardOf(*q);
        const json::object* statusHard = kube::objectAt(kube::objectAt(*q, "status"), "hard");
        if (!quota::equals(quota::resourceListFromJson(hard),
                           quota::resourceListFromJson(statusHard)) ||
            statusHard == nullptr) {
            enqueue(kube::objectKey(*q));
        }
    };
    m_quotas->addHandlers(std::move(quotas));
}

void ResourceQuotaController::start() {
    QueueController::start();
    enqueueAfter(std::string(ResyncKey), m_options.resyncPeriod);
}

void ResourceQuotaController::replenish(std::string_view ns, const std::string& group,
                                        const std::string& resource) {
    quota::GroupResource gr{group, resource};
    for (const kube::ObjectPtr& q : m_quotas->cache().byIndex(NamespaceIndex, ns)) {
        std::vector<quota::GroupResource> tracked =
            quota::trackedResources(quota::namesOf(quota::resourceListFromJson(hardOf(*q))));
        if (std::ranges::find(tracked, gr) != tracked.end()) {
            enqueue(kube::objectKey(*q));
        }
    }
}

Status ResourceQuotaController::reconcile(const std::string& key) {
    if (key == ResyncKey) {
        for (const kube::ObjectPtr& q : m_quotas->cache().list()) {
            enqueue(kube::objectKey(*q));
        }
        enqueueAfter(key, m_options.resyncPeriod);
        return {};
    }
    kube::ObjectPtr q = m_quotas->cache().get(key);
    return q ? syncQuota(*q) : Status{};
}

Result<std::optional<std::vector<kube::ObjectPtr>>>
ResourceQuotaController::objectsIn(const std::string& group, const std::string& resource,
                                   const std::string& ns) {
    std::string version = "v1";
    if (!group.empty()) {
        std::lock_guard lock(m_mutex);
        auto known = m_groupVersions.find(group);
        if (known == m_groupVersions.end()) {
            kube::ApiRequest request;
            request.path = "/apis/" + group;
            auto response = m_client.send(request);
            if (!response) {
                return std::unexpected(response.error());
            }
            if (response->status == 404) {
                return std::optional<std::vector<kube::ObjectPtr>>();
            }
            boost::system::error_code ec;
            json::value body = json::parse(response->body, ec);
            std::string preferred =
                ec || !body.is_object()
                    ? std::string()
                    : kube::stringAt(kube::objectAt(body.get_object(), "preferredVersion"),
                                     "version");
            if (preferred.empty()) {
                return fail(ErrorCode::Unavailable,
                            fmt::format("no preferred version for API group {}", group));
            }
            known = m_groupVersions.emplace(group, preferred).first;
        }
        version = known->second;
    }
    auto listed = m_client.listAll(kube::ApiResource{group, version, resource, true}, ns);
    if (!listed) {
        if (kube::isNotFound(listed.error())) {
            return std::optional<std::vector<kube::ObjectPtr>>();
        }
        return std::unexpected(listed.error().toError());
    }
    std::vector<kube::ObjectPtr> out;
    for (json::object& item : listed->items) {
        out.push_back(std::make_shared<const json::object>(std::move(item)));
    }
    return std::optional(std::move(out));
}

Status ResourceQuotaController::syncQuota(const json::object& cached) {
    // Read the quota, then list what it counts, from the API rather than the informers: an
    // informer that lags would miss objects created just before the quota. A charge made by
    // admission meanwhile changes the quota's resourceVersion, so the status write conflicts
    // and the sync runs again.
    auto fresh = m_client.get(ResourceQuotas, kube::namespaceOf(cached), kube::name(cached));
    if (!fresh) {
        return kube::isNotFound(fresh.error()) ? Status{}
                                               : std::unexpected(fresh.error().toError());
    }
    const json::object& q = *fresh;
    std::string ns(kube::namespaceOf(q));
    quota::ResourceList hard = quota::resourceListFromJson(hardOf(q));
    quota::ResourceNames hardNames = quota::namesOf(hard);
    const json::object* status = kube::objectAt(q, "status");
    const json::object* statusHard = kube::objectAt(status, "hard");
    const json::object* statusUsed = kube::objectAt(status, "used");
    quota::ResourceList previous = quota::resourceListFromJson(statusUsed);
    bool dirty = statusHard == nullptr || statusUsed == nullptr ||
                 !quota::equals(hard, quota::resourceListFromJson(statusHard));

    // CalculateUsage: every tracked name starts at zero, then each object in scope adds to it.
    std::vector<quota::ScopeSelector> scopes = quota::scopeSelectorsOf(q);
    TimePoint now = m_clock.now();
    quota::ResourceList used = previous;
    for (const quota::GroupResource& gr : quota::trackedResources(hardNames)) {
        auto objects = objectsIn(gr.group, gr.resource, ns);
        if (!objects) {
            return std::unexpected(objects.error());
        }
        if (!*objects) {
            continue; // not served: nothing to count
        }
        quota::ResourceNames matched = quota::matchingResources(gr, hardNames);
        quota::ResourceList usage;
        for (const std::string& name : matched) {
            usage.emplace(name, kube::Quantity());
        }
        for (const kube::ObjectPtr& object : **objects) {
            if (quota::matches(gr, hardNames, scopes, *object)) {
                usage = quota::add(usage, quota::mask(quota::usageOf(gr, *object, now), matched));
            }
        }
        for (auto& [name, value] : usage) {
            used[name] = value;
        }
    }
    used = quota::mask(used, hardNames);
    dirty = dirty || !quota::equals(used, previous);
    if (!dirty) {
        return {};
    }
    json::object updated = q;
    updated["status"] = json::object{{"hard", quota::toJson(hard)}, {"used", quota::toJson(used)}};
    auto written = m_client.updateStatus(ResourceQuotas, updated);
    if (!written && !kube::isNotFound(written.error())) {
        return std::unexpected(written.error().toError());
    }
    return {};
}

} // namespace pilot::controllers
