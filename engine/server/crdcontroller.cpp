#include "engine/server/crdcontroller.h"
#include "core/threadname.h"

#include "core/log.h"
#include "engine/apiserver/selectors.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"
#include "kube/types/schemaset.h"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

namespace pilot::server {
namespace json = boost::json;
using kube::arrayAt;
using kube::objectAt;
using kube::stringAt;
using kube::stringsAt;

namespace {

constexpr std::string_view CleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";
constexpr auto RetryInterval = std::chrono::seconds(2);

std::string lower(std::string text) {
    std::ranges::transform(text, text.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

/// `ops.example.com` + `v1` + `Backup` -> `com.example.ops.v1.Backup` (OpenAPI definition name).
std::string definitionName(const std::string& group, const std::string& version,
                           const std::string& kind) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= group.size()) {
        size_t dot = group.find('.', start);
        parts.push_back(group.substr(start, dot == std::string::npos ? dot : dot - start));
        if (dot == std::string::npos) {
            break;
        }
        start = dot + 1;
    }
    std::string name;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
        name += *it + ".";
    }
    return name + version + "." + kind;
}

json::object acceptedNames(const json::object& names) {
    json::object accepted = names;
    std::string kind = stringAt(names, "kind");
    if (stringAt(names, "singular").empty()) {
        accepted["singular"] = lower(kind);
    }
    if (stringAt(names, "listKind").empty()) {
        accepted["listKind"] = kind + "List";
    }
    return accepted;
}

json::object condition(const char* type, const char* status, const char* reason,
                       const char* message, const json::array* existing, const std::string& now) {
    std::string since = now;
    if (existing) {
        for (const json::value& c : *existing) {
            if (c.is_object() && stringAt(c.get_object(), "type") == type &&
                stringAt(c.get_object(), "status") == status) {
                since = stringAt(c.get_object(), "lastTransitionTime");
            }
        }
    }
    return json::object{{"type", type},
                        {"status", status},
                        {"lastTransitionTime", since},
                        {"reason", reason},
                        {"message", message}};
}

} // namespace

CrdController::CrdController(apiserver::ResourceService& service,
                             std::shared_ptr<kube::TypeRegistry> types,
                             watchcache::WatchCache& cache,
                             std::function<void(const kube::ResourceTypePtr&, bool)> onTypesChanged)
    : m_service(service), m_types(std::move(types)), m_cache(cache),
      m_onTypesChanged(std::move(onTypesChanged)),
      m_crdType(m_types->byResource("apiextensions.k8s.io", "v1", "customresourcedefinitions")) {}

CrdController::~CrdController() {
    stop();
}

Status CrdController::start() {
    if (!m_crdType) {
        return {};
    }
    auto crds = m_service.cacheFor(*m_crdType);
    auto page = crds->list(watchcache::ListRequest{});
    if (!page) {
        return std::unexpected(page.error());
    }
    for (const watchcache::ObjectPtr& crd : page->items) {
        sync(crd->name);
    }
    auto watcher = crds->watch(watchcache::Filter{}, page->revision, 1 << 16);
    if (!watcher) {
        return std::unexpected(watcher.error());
    }
    m_watcher = *watcher;
    m_watcher->setNotify([this] {
        std::lock_guard lock(m_mutex);
        m_dirty = true;
        m_wake.notify_one();
    });
    m_thread = std::thread([this] {
        setThreadName("crd-controller");
        run();
    });
    return {};
}

void CrdController::stop() {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping) {
            return;
        }
        m_stopping = true;
        m_wake.notify_one();
    }
    if (m_watcher) {
        m_watcher->stop();
    }
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void CrdController::run() {
    std::vector<watchcache::WatchEvent> events;
    while (true) {
        {
            std::unique_lock lock(m_mutex);
            bool woken =
                m_wake.wait_for(lock, RetryInterval, [this] { return m_dirty || m_stopping; });
            if (m_stopping) {
                return;
            }
            m_dirty = false;
            if (!woken && m_retry.empty()) {
                continue;
            }
        }
        events.clear();
        m_watcher->poll(events);
        std::set<std::string> names = std::exchange(m_retry, {});
        for (const watchcache::WatchEvent& e : events) {
            names.insert(e.object->name);
        }
        for (const std::string& name : names) {
            sync(name);
        }
    }
}

void CrdController::sync(const std::string& name) {
    auto current = m_service.get(*m_crdType, "", name);
    if (!current) {
        // Deleted (its finalizer was removed, or it never had one): stop serving it, and make
        // sure no custom object outlives it.
        if (m_served.contains(name) && !cleanUp(name)) {
            m_retry.insert(name);
            return;
        }
        unserve(name);
        return;
    }
    json::object crd = apiserver::parseObject(**current);
    if (kube::hasDeletionTimestamp(crd)) {
        markEstablished(name, "");
        if (!cleanUp(name)) {
            m_retry.insert(name);
            return;
        }
        apiserver::ResourceService::Mutator release =
            [](const json::object& object) -> apiserver::ApiResult<json::object> {
            json::object updated = object;
            if (json::object* meta = kube::mutableObject(updated, "metadata")) {
                if (json::array* fins = kube::mutableArray(*meta, "finalizers")) {
                    kube::eraseIf(*fins, [](const json::value& f) {
                        return f.is_string() && f.get_string() == CleanupFinalizer;
                    });
                }
            }
            return updated;
        };
        auto released =
            m_service.guaranteedUpdate(*m_crdType, "", name, release, apiserver::WriteOptions{});
        if (!released) {
            log::warn("crd", "cannot finalize {}: {}", name, released.error().message);
            m_retry.insert(name);
        }
        return;
    }

    std::string problem;
    std::string spec = json::serialize(crd["spec"]);
    if (m_servedSpec[name] != spec) {
        if (serve(crd, problem)) {
            m_servedSpec[name] = spec;
        } else {
            m_servedSpec.erase(name);
            log::warn("crd", "cannot serve {}: {}", name, problem);
        }
    }
    if (!kube::hasFinalizer(crd, CleanupFinalizer)) {
        apiserver::ResourceService::Mutator hold =
            [](const json::object& object) -> apiserver::ApiResult<json::object> {
            json::object updated = object;
            json::object& meta = kube::ensureMetadata(updated);
            json::value& fins = meta["finalizers"];
            if (!fins.is_array()) {
                fins = json::array();
            }
            fins.get_array().push_back(json::string(CleanupFinalizer));
            return updated;
        };
        (void)m_service.guaranteedUpdate(*m_crdType, "", name, hold, apiserver::WriteOptions{});
    }
    markEstablished(name, problem);
}

bool CrdController::serve(const json::object& crd, std::string& problem) {
    std::string name(kube::name(crd));
    const json::object* spec = objectAt(crd, "spec");
    const json::object* names = spec ? objectAt(*spec, "names") : nullptr;
    const json::array* versions = spec ? arrayAt(*spec, "versions") : nullptr;
    if (!spec || !names || !versions) {
        problem = "spec.names and spec.versions are required";
        return false;
    }
    std::string group = stringAt(*spec, "group");
    json::object accepted = acceptedNames(*names);
    std::string plural = stringAt(accepted, "plural");
    std::string kind = stringAt(accepted, "kind");
    std::string prefix = "/registry/" + group + "/" + plural;

    std::vector<kube::ResourceTypePtr> entries;
    for (const json::value& v : *versions) {
        const json::object* version = v.if_object();
        if (!version || !kube::boolAt(*version, "served").value_or(false)) {
            continue;
        }
        auto type = std::make_shared<kube::ResourceType>();
        type->gvk = {group, stringAt(*version, "name"), kind};
        type->plural = plural;
        type->singular = stringAt(accepted, "singular");
        type->namespaced = stringAt(*spec, "scope") != "Cluster";
        type->shortNames = stringsAt(accepted, "shortNames");
        type->categories = stringsAt(accepted, "categories");
        type->verbs = {"delete", "deletecollection", "get",    "list",
                       "patch",  "create",           "update", "watch"};
        type->storagePrefix = prefix;
        type->custom = true;
        type->tracksGeneration = true;
        type->preferred = kube::boolAt(*version, "storage").value_or(false);
        type->storageVersion = type->preferred;

        if (const json::object* subs = objectAt(*version, "subresources")) {
            if (subs->contains("status")) {
                type->hasStatusSubresource = true;
                type->subresources.push_back(
                    kube::Subresource{"status", type->gvk, {"get", "patch", "update"}, {}, {}, {}});
            }
            if (const json::object* scale = objectAt(*subs, "scale")) {
                type->subresources.push_back(
                    kube::Subresource{"scale",
                                      {"autoscaling", "v1", "Scale"},
                                      {"get", "patch", "update"},
                                      stringAt(*scale, "specReplicasPath"),
                                      stringAt(*scale, "statusReplicasPath"),
                                      stringAt(*scale, "labelSelectorPath")});
            }
        }
        if (const json::array* columns = arrayAt(*version, "additionalPrinterColumns")) {
            for (const json::value& c : *columns) {
                if (!c.is_object()) {
                    continue;
                }
                const json::object& col = c.get_object();
                kube::PrinterColumn column;
                column.name = stringAt(col, "name");
                column.type = stringAt(col, "type");
                column.format = stringAt(col, "format");
                column.description = stringAt(col, "description");
                column.jsonPath = stringAt(col, "jsonPath");
                column.priority = static_cast<int>(kube::integerAt(col, "priority").value_or(0));
                type->printerColumns.push_back(std::move(column));
            }
        }
        if (const json::array* selectable = arrayAt(*version, "selectableFields")) {
            for (const json::value& f : *selectable) {
                if (f.is_object()) {
                    std::string path = stringAt(f.get_object(), "jsonPath");
                    type->fieldSelectors.push_back(path.starts_with(".") ? path.substr(1) : path);
                }
            }
        }
        const json::object* validation = objectAt(*version, "schema");
        const json::value* openApi =
            validation ? validation->if_contains("openAPIV3Schema") : nullptr;
        if (openApi) {
            auto schema =
                kube::schemaFromOpenApiV3(*openApi, definitionName(group, type->gvk.version, kind));
            if (!schema) {
                problem = fmt::format("spec.versions[{}].schema.openAPIV3Schema: {}",
                                      type->gvk.version, schema.error().message);
                return false;
            }
            type->schema = (*schema)->definitions().front();
            type->schemaOwner = *schema;
        }
        entries.push_back(std::move(type));
    }
    if (entries.empty()) {
        problem = "no served version";
        return false;
    }

    kube::ResourceTypePtr storage;
    for (const auto& entry : entries) {
        if (entry->storageVersion) {
            storage = entry;
        }
    }
    if (!storage) {
        // Only served versions are listed; a storage version that is not served still decides
        // the prefix, so keep the first served one as the watched entry.
        storage = entries.front();
    }
    if (auto status = m_cache.registerResource(prefix, apiserver::selectableFields(*storage));
        !status) {
        problem = status.error().message;
        return false;
    }
    // Versions no longer served go away; the rest are replaced.
    for (const kube::ResourceTypePtr& old : m_served[name]) {
        bool kept = std::ranges::any_of(entries, [&](const kube::ResourceTypePtr& e) {
            return e->gvk.version == old->gvk.version;
        });
        if (!kept) {
            m_types->remove(old->gvk.group, old->gvk.version, old->plural);
        }
        if (old->storageVersion) {
            m_onTypesChanged(old, false);
        }
    }
    for (const kube::ResourceTypePtr& entry : entries) {
        m_types->add(entry);
    }
    m_onTypesChanged(storage, true);
    m_served[name] = std::move(entries);
    log::info("crd", "serving {} ({} version(s))", name, m_served[name].size());
    return true;
}

void CrdController::unserve(const std::string& name) {
    auto it = m_served.find(name);
    if (it == m_served.end()) {
        return;
    }
    for (const kube::ResourceTypePtr& entry : it->second) {
        m_types->remove(entry->gvk.group, entry->gvk.version, entry->plural);
        if (entry->storageVersion) {
            m_onTypesChanged(entry, false);
        }
    }
    m_served.erase(it);
    m_servedSpec.erase(name);
    log::info("crd", "stopped serving {}", name);
}

bool CrdController::cleanUp(const std::string& name) {
    auto it = m_served.find(name);
    if (it == m_served.end() || it->second.empty()) {
        return true;
    }
    const kube::ResourceType& type = *it->second.front();
    auto page = m_service.cacheFor(type)->list(watchcache::ListRequest{});
    if (!page || page->items.empty()) {
        return true;
    }
    for (const watchcache::ObjectPtr& item : page->items) {
        apiserver::DeleteOptions options;
        options.propagationPolicy = "Background";
        (void)m_service.remove(type, item->ns, item->name, options);
    }
    return m_service.cacheFor(type)->list(watchcache::ListRequest{})->items.empty();
}

void CrdController::markEstablished(const std::string& name, const std::string& problem) {
    std::string now = formatTime(m_service.clock().now());
    bool served = m_served.contains(name) && problem.empty();
    apiserver::ResourceService::Mutator mutate =
        [&](const json::object& object) -> apiserver::ApiResult<json::object> {
        json::object updated = object;
        const json::object* spec = objectAt(object, "spec");
        const json::object* names = spec ? objectAt(*spec, "names") : nullptr;
        const json::object* oldStatus = objectAt(object, "status");
        const json::array* oldConditions = oldStatus ? arrayAt(*oldStatus, "conditions") : nullptr;
        json::object status = oldStatus ? *oldStatus : json::object();
        json::array conditions;
        conditions.push_back(condition("NamesAccepted", "True", "NoConflicts", "no conflicts found",
                                       oldConditions, now));
        if (served) {
            conditions.push_back(condition("Established", "True", "InitialNamesAccepted",
                                           "the initial names have been accepted", oldConditions,
                                           now));
        } else {
            conditions.push_back(
                condition("Established", "False", "Installing",
                          problem.empty() ? "the resource is not served yet" : problem.c_str(),
                          oldConditions, now));
        }
        if (kube::hasDeletionTimestamp(object)) {
            conditions.push_back(condition("Terminating", "True", "InstanceDeletionInProgress",
                                           "CustomResource deletion is in progress", oldConditions,
                                           now));
        }
        status["conditions"] = std::move(conditions);
        if (names) {
            status["acceptedNames"] = acceptedNames(*names);
        }
        std::vector<std::string> stored =
            oldStatus ? stringsAt(*oldStatus, "storedVersions") : std::vector<std::string>{};
        if (const json::array* versions = spec ? arrayAt(*spec, "versions") : nullptr) {
            for (const json::value& v : *versions) {
                if (v.is_object() && kube::boolAt(v.get_object(), "storage").value_or(false)) {
                    std::string version = stringAt(v.get_object(), "name");
                    if (std::ranges::find(stored, version) == stored.end()) {
                        stored.push_back(version);
                    }
                }
            }
        }
        json::array storedJson;
        for (const std::string& s : stored) {
            storedJson.push_back(json::string(s));
        }
        status["storedVersions"] = std::move(storedJson);
        updated["status"] = std::move(status);
        return updated;
    };
    apiserver::WriteOptions options;
    options.part = apiserver::Part::Status;
    auto result = m_service.guaranteedUpdate(*m_crdType, "", name, mutate, options);
    if (!result && result.error().reason != "NotFound") {
        log::warn("crd", "cannot update the status of {}: {}", name, result.error().message);
    }
}

} // namespace pilot::server
