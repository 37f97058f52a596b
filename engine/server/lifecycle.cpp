#include "engine/server/lifecycle.h"

#include "core/log.h"

#include <boost/json.hpp>

#include <algorithm>

#include <set>

namespace pilot::server {
namespace json = boost::json;

namespace {
template <typename Pred>
void eraseIf(json::array& array, Pred pred) {
    array.erase(std::remove_if(array.begin(), array.end(), pred), array.end());
}
} // namespace

namespace {

std::string stringAt(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

const json::object& metadataOf(const json::object& o) {
    static const json::object empty;
    const json::value* m = o.if_contains("metadata");
    return m && m->is_object() ? m->get_object() : empty;
}

bool hasFinalizer(const json::object& meta, std::string_view name) {
    const json::value* f = meta.if_contains("finalizers");
    if (!f || !f->is_array()) {
        return false;
    }
    for (const json::value& v : f->get_array()) {
        if (v.is_string() && v.get_string() == name) {
            return true;
        }
    }
    return false;
}

std::vector<std::string> ownerUids(const json::object& meta) {
    std::vector<std::string> out;
    const json::value* refs = meta.if_contains("ownerReferences");
    if (refs && refs->is_array()) {
        for (const json::value& r : refs->get_array()) {
            if (r.is_object()) {
                out.push_back(stringAt(r.get_object(), "uid"));
            }
        }
    }
    return out;
}

constexpr std::string_view BuiltinNamespaces[] = {"default", "kube-system", "kube-public",
                                                  "kube-node-lease"};

} // namespace

Lifecycle::Lifecycle(apiserver::ResourceService& service) : m_service(service) {}

Lifecycle::~Lifecycle() {
    stop();
}

Status Lifecycle::bootstrap() {
    auto nsType = m_service.types().byResource("", "v1", "namespaces");
    if (!nsType) {
        return {};
    }
    for (std::string_view name : BuiltinNamespaces) {
        if (m_service.get(*nsType, "", std::string(name))) {
            continue;
        }
        json::object ns{{"apiVersion", "v1"},
                        {"kind", "Namespace"},
                        {"metadata", json::object{{"name", name}}}};
        auto created = m_service.create(*nsType, "", std::move(ns), apiserver::WriteOptions{});
        if (!created) {
            return fail(ErrorCode::Internal, "cannot create namespace " + std::string(name) + ": " +
                                                 created.error().message);
        }
    }
    return {};
}

void Lifecycle::start() {
    for (const kube::ResourceTypePtr& type : m_service.types().all()) {
        if (!type->preferred) {
            continue;
        }
        auto watcher = m_service.cacheFor(*type)->watch(
            watchcache::Filter{}, m_service.cacheFor(*type)->revision(), 1u << 20);
        if (!watcher) {
            continue;
        }
        (*watcher)->setNotify([this] {
            std::lock_guard lock(m_mutex);
            m_dirty = true;
            m_wake.notify_one();
        });
        m_watchers.push_back(*watcher);
    }
    m_thread = std::thread([this] { run(); });
}

void Lifecycle::stop() {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping) {
            return;
        }
        m_stopping = true;
        m_wake.notify_one();
    }
    for (auto& watcher : m_watchers) {
        watcher->stop();
    }
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void Lifecycle::run() {
    std::vector<watchcache::WatchEvent> drained;
    while (true) {
        {
            std::unique_lock lock(m_mutex);
            // Periodic resync as a safety net; events wake the loop at once.
            m_wake.wait_for(lock, std::chrono::seconds(5),
                            [this] { return m_dirty || m_stopping; });
            if (m_stopping) {
                return;
            }
            m_dirty = false;
        }
        for (auto& watcher : m_watchers) {
            drained.clear();
            (void)watcher->poll(drained);
        }
        pass();
    }
}

void Lifecycle::pass() {
    finishNamespaces();
    collectGarbage();
}

void Lifecycle::finishNamespaces() {
    auto nsType = m_service.types().byResource("", "v1", "namespaces");
    if (!nsType) {
        return;
    }
    auto namespaces = m_service.cacheFor(*nsType)->list(watchcache::ListRequest{});
    if (!namespaces) {
        return;
    }
    for (const watchcache::ObjectPtr& ns : namespaces->items) {
        json::object object = apiserver::parseObject(*ns);
        if (!metadataOf(object).contains("deletionTimestamp")) {
            continue;
        }
        bool empty = true;
        for (const kube::ResourceTypePtr& type : m_service.types().all()) {
            if (!type->namespaced || !type->preferred) {
                continue;
            }
            watchcache::ListRequest request;
            request.filter.ns = ns->name;
            auto items = m_service.cacheFor(*type)->list(request);
            if (!items) {
                continue;
            }
            for (const watchcache::ObjectPtr& item : items->items) {
                empty = false;
                apiserver::DeleteOptions options;
                options.propagationPolicy = "Background";
                options.gracePeriodSeconds = 0;
                json::object parsed = apiserver::parseObject(*item);
                if (metadataOf(parsed).contains("deletionTimestamp")) {
                    if (type->gvk.kind == "Pod") {
                        (void)m_service.remove(*type, item->ns, item->name, options);
                    }
                    continue;
                }
                (void)m_service.remove(*type, item->ns, item->name, options);
            }
        }
        if (!empty) {
            continue;
        }
        apiserver::ResourceService::Mutator finalize =
            [](const json::object& current) -> apiserver::ApiResult<json::object> {
            json::object updated = current;
            json::value& spec = updated["spec"];
            if (!spec.is_object()) {
                spec = json::object();
            }
            spec.as_object()["finalizers"] = json::array();
            return updated;
        };
        (void)m_service.guaranteedUpdate(*nsType, "", ns->name, finalize,
                                         apiserver::WriteOptions{});
        (void)m_service.remove(*nsType, "", ns->name, apiserver::DeleteOptions{});
    }
}

void Lifecycle::collectGarbage() {
    struct Entry {
        kube::ResourceTypePtr type;
        watchcache::ObjectPtr object;
        json::object parsed;
    };
    std::vector<Entry> all;
    std::set<std::string> uids;
    for (const kube::ResourceTypePtr& type : m_service.types().all()) {
        if (!type->preferred) {
            continue;
        }
        auto items = m_service.cacheFor(*type)->list(watchcache::ListRequest{});
        if (!items) {
            continue;
        }
        for (const watchcache::ObjectPtr& item : items->items) {
            uids.insert(item->uid);
            all.push_back(Entry{type, item, {}});
        }
    }
    // Dependents by owner uid.
    std::map<std::string, std::vector<size_t>> dependents;
    for (size_t i = 0; i < all.size(); ++i) {
        if (all[i].object->json.find("\"ownerReferences\"") == std::string::npos &&
            all[i].object->json.find("\"finalizers\"") == std::string::npos) {
            continue;
        }
        all[i].parsed = apiserver::parseObject(*all[i].object);
        for (const std::string& uid : ownerUids(metadataOf(all[i].parsed))) {
            dependents[uid].push_back(i);
        }
    }
    for (Entry& entry : all) {
        const json::object& meta = metadataOf(entry.parsed);
        const kube::ResourceType& type = *entry.type;
        // Owners being deleted with a propagation finalizer.
        if (meta.contains("deletionTimestamp")) {
            bool foreground = hasFinalizer(meta, "foregroundDeletion");
            bool orphan = hasFinalizer(meta, "orphan");
            if (foreground || orphan) {
                auto& deps = dependents[entry.object->uid];
                bool remaining = false;
                for (size_t index : deps) {
                    Entry& dep = all[index];
                    if (orphan) {
                        std::string uid = entry.object->uid;
                        apiserver::ResourceService::Mutator strip =
                            [uid](
                                const json::object& current) -> apiserver::ApiResult<json::object> {
                            json::object updated = current;
                            json::object& m = updated["metadata"].as_object();
                            if (json::value* refs = m.if_contains("ownerReferences");
                                refs && refs->is_array()) {
                                eraseIf(refs->as_array(), [&](const json::value& r) {
                                    return r.is_object() && stringAt(r.get_object(), "uid") == uid;
                                });
                                if (refs->as_array().empty()) {
                                    m.erase("ownerReferences");
                                }
                            }
                            return updated;
                        };
                        (void)m_service.guaranteedUpdate(*dep.type, dep.object->ns,
                                                         dep.object->name, strip,
                                                         apiserver::WriteOptions{});
                    } else {
                        remaining = true;
                        apiserver::DeleteOptions options;
                        options.propagationPolicy = "Foreground";
                        (void)m_service.remove(*dep.type, dep.object->ns, dep.object->name,
                                               options);
                    }
                }
                if (!remaining) {
                    std::string finalizer = foreground ? "foregroundDeletion" : "orphan";
                    apiserver::ResourceService::Mutator drop =
                        [finalizer](
                            const json::object& current) -> apiserver::ApiResult<json::object> {
                        json::object updated = current;
                        json::object& m = updated["metadata"].as_object();
                        if (json::value* f = m.if_contains("finalizers"); f && f->is_array()) {
                            eraseIf(f->as_array(), [&](const json::value& v) {
                                return v.is_string() && v.get_string() == finalizer;
                            });
                        }
                        return updated;
                    };
                    (void)m_service.guaranteedUpdate(type, entry.object->ns, entry.object->name,
                                                     drop, apiserver::WriteOptions{});
                }
            }
            continue;
        }
        // Dependents whose owners are all gone are deleted (background propagation).
        std::vector<std::string> owners = ownerUids(meta);
        if (owners.empty()) {
            continue;
        }
        bool anyOwnerAlive = false;
        for (const std::string& uid : owners) {
            anyOwnerAlive = anyOwnerAlive || uids.contains(uid);
        }
        if (!anyOwnerAlive) {
            apiserver::DeleteOptions options;
            options.propagationPolicy = "Background";
            (void)m_service.remove(type, entry.object->ns, entry.object->name, options);
        }
    }
}

} // namespace pilot::server
