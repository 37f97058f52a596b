#include "engine/server/lifecycle.h"
#include "core/threadname.h"

#include "core/log.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>

namespace pilot::server {
namespace json = boost::json;
using kube::eraseIf;
using kube::stringAt;

namespace {

constexpr std::string_view BuiltinNamespaces[] = {"default", "kube-system", "kube-public",
                                                  "kube-node-lease"};
constexpr auto ResyncInterval = std::chrono::seconds(5);
/// How long a woken pass waits for more commits before it starts (see run()).
constexpr auto SettleDelay = std::chrono::milliseconds(3);

std::vector<std::string> ownerUids(const json::object& object) {
    std::vector<std::string> out;
    if (const json::array* refs = kube::ownerReferences(object)) {
        for (const json::value& r : *refs) {
            if (const json::object* ref = r.if_object()) {
                out.push_back(stringAt(*ref, "uid"));
            }
        }
    }
    return out;
}

bool isKind(const kube::ResourceType& type, std::string_view kind) {
    return type.gvk.group.empty() && type.gvk.kind == kind;
}

/// Removes one finalizer from the object (no-op when absent).
apiserver::ResourceService::Mutator dropFinalizer(std::string finalizer) {
    return [finalizer](const json::object& current) -> apiserver::ApiResult<json::object> {
        json::object updated = current;
        json::object& meta = kube::ensureMetadata(updated);
        if (json::array* list = kube::mutableArray(meta, "finalizers")) {
            eraseIf(*list, [&](const json::value& v) {
                return v.is_string() && v.get_string() == finalizer;
            });
        }
        return updated;
    };
}

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
    // The two system PriorityClasses every cluster has.
    if (auto classes = m_service.types().byResource("scheduling.k8s.io", "v1", "priorityclasses")) {
        struct SystemClass {
            std::string_view name;
            int64_t value;
            std::string_view description;
        };
        for (const SystemClass& c :
             {SystemClass{"system-node-critical", 2000001000,
                          "Used for system critical pods that must not be moved from their "
                          "current node."},
              SystemClass{"system-cluster-critical", 2000000000,
                          "Used for system critical pods that must run in the cluster, but can "
                          "be moved to another node if necessary."}}) {
            if (m_service.get(*classes, "", std::string(c.name))) {
                continue;
            }
            json::object pc{{"apiVersion", "scheduling.k8s.io/v1"},
                            {"kind", "PriorityClass"},
                            {"metadata", {{"name", c.name}}},
                            {"value", c.value},
                            {"description", c.description},
                            {"preemptionPolicy", "PreemptLowerPriority"}};
            auto created = m_service.create(*classes, "", std::move(pc), apiserver::WriteOptions{});
            if (!created) {
                return fail(ErrorCode::Internal, "cannot create PriorityClass " +
                                                     std::string(c.name) + ": " +
                                                     created.error().message);
            }
        }
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
    // Watch from 0: the first events are every existing object, so the index starts complete
    // and no change between the snapshot and the stream can be missed.
    for (const kube::ResourceTypePtr& type : m_service.types().all()) {
        if (type->storageVersion) {
            addWatcher(type);
        }
    }
    m_thread = std::thread([this] {
        setThreadName("lifecycle");
        run();
    });
}

void Lifecycle::addWatcher(const kube::ResourceTypePtr& type) {
    auto cache = m_service.cacheFor(*type);
    auto watcher = cache->watch(watchcache::Filter{}, 0, size_t{1} << 22);
    if (!watcher) {
        log::warn("lifecycle", "cannot watch {}: {}", type->plural, watcher.error().message);
        return;
    }
    (*watcher)->setNotify([this, raw = watcher->get()] {
        std::lock_guard lock(m_mutex);
        m_dirty = true;
        m_pending.insert(raw);
        m_wake.notify_one();
    });
    m_watchers.emplace_back(type, *watcher);
}

void Lifecycle::watchType(const kube::ResourceTypePtr& type, bool added) {
    std::lock_guard lock(m_mutex);
    m_typeChanges.emplace_back(type, added);
    m_dirty = true;
    m_wake.notify_one();
}

void Lifecycle::applyTypeChanges() {
    std::vector<std::pair<kube::ResourceTypePtr, bool>> changes;
    {
        std::lock_guard lock(m_mutex);
        changes = std::exchange(m_typeChanges, {});
    }
    for (const auto& [type, added] : changes) {
        auto same = [&](const auto& entry) {
            return entry.first->storagePrefix == type->storagePrefix;
        };
        for (auto& entry : m_watchers) {
            if (same(entry)) {
                entry.second->stop();
            }
        }
        std::erase_if(m_watchers, same);
        if (added) {
            addWatcher(type);
        }
    }
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
    for (auto& [type, watcher] : m_watchers) {
        watcher->stop();
    }
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void Lifecycle::run() {
    std::vector<watchcache::WatchEvent> events;
    while (true) {
        bool resync = false;
        std::set<const watchcache::Watcher*> pending;
        {
            std::unique_lock lock(m_mutex);
            resync =
                !m_wake.wait_for(lock, ResyncInterval, [this] { return m_dirty || m_stopping; });
            if (m_stopping) {
                return;
            }
            if (!resync) {
                // Let a burst of commits gather into one pass: wakes from the watch cache while
                // this thread sleeps find no waiter and cost the writer nothing.
                lock.unlock();
                std::this_thread::sleep_for(SettleDelay);
                lock.lock();
            }
            m_dirty = false;
            pending = std::exchange(m_pending, {});
        }
        applyTypeChanges();
        // A consistent cut: every event up to `cut` is queued by now, in whichever watcher it
        // concerns. Later events wait for the next pass, so a dependent's creation is never
        // seen after its owner's deletion when a pass races with writes.
        int64_t cut = m_service.revision();
        std::vector<std::pair<kube::ResourceTypePtr, watchcache::WatchEvent>> later;
        for (auto& [type, event] : std::exchange(m_deferred, {})) {
            if (event.revision <= cut) {
                observe(type, event);
            } else {
                later.emplace_back(type, std::move(event));
            }
        }
        for (auto& [type, watcher] : m_watchers) {
            // Only watchers that said they have events (each says so once per burst, and is
            // drained here); all of them on a resync.
            if (!resync && !pending.contains(watcher.get())) {
                continue;
            }
            events.clear();
            if (!watcher->poll(events)) {
                std::lock_guard lock(m_mutex);
                if (!m_stopping) {
                    log::warn("lifecycle", "watch on {} closed", type->plural);
                }
            }
            for (watchcache::WatchEvent& event : events) {
                if (event.revision <= cut) {
                    observe(type, event);
                } else {
                    later.emplace_back(type, std::move(event));
                }
            }
        }
        m_deferred = std::move(later);
        if (!m_deferred.empty()) {
            std::lock_guard lock(m_mutex);
            m_dirty = true;
        }
        if (resync) {
            // Retry work that could not finish (a conflict, a dependent still terminating).
            m_namespaceQueue.insert(m_terminating.begin(), m_terminating.end());
            for (const auto& [uid, ref] : m_byUid) {
                m_ownerQueue[m_service.keyFor(*ref.type, ref.ns, ref.name)] = ref;
            }
        }
        process();
    }
}

void Lifecycle::observe(const kube::ResourceTypePtr& type, const watchcache::WatchEvent& event) {
    const watchcache::CachedObject& object = *event.object;
    ObjectRef ref{type, object.ns, object.name};
    const std::string& key = object.key;
    bool isNamespace = isKind(*type, "Namespace");

    if (event.type == watchcache::EventType::Deleted) {
        if (isNamespace) {
            m_terminating.erase(object.name);
        }
        if (auto it = m_dependents.find(object.uid); it != m_dependents.end()) {
            for (const std::string& dependent : it->second) {
                if (auto r = m_refs.find(dependent); r != m_refs.end()) {
                    m_checkQueue[dependent] = r->second;
                }
            }
            m_dependents.erase(it);
        }
        m_byUid.erase(object.uid);
        // An owner waiting in foreground deletion may now be free to go.
        if (auto owners = m_ownersOf.find(key); owners != m_ownersOf.end()) {
            for (const std::string& ownerUid : owners->second) {
                if (auto owner = m_byUid.find(ownerUid); owner != m_byUid.end()) {
                    const ObjectRef& o = owner->second;
                    m_ownerQueue[m_service.keyFor(*o.type, o.ns, o.name)] = o;
                }
            }
        }
        unindex(key);
        if (type->namespaced && m_terminating.contains(object.ns)) {
            m_namespaceQueue.insert(object.ns);
        }
        return;
    }

    // Most objects have neither owners nor a deletion in progress: skip parsing them.
    bool mayMatter = isNamespace || m_ownersOf.contains(key) ||
                     object.json.find("\"ownerReferences\"") != std::string::npos ||
                     object.json.find("\"deletionTimestamp\"") != std::string::npos;
    if (!mayMatter) {
        return;
    }
    json::object parsed = apiserver::parseObject(object);
    bool deleting = kube::hasDeletionTimestamp(parsed);
    if (isNamespace && deleting) {
        m_terminating.insert(object.name);
        m_namespaceQueue.insert(object.name);
    }
    index(ref, key, parsed);
    if (deleting && (kube::hasFinalizer(parsed, "foregroundDeletion") ||
                     kube::hasFinalizer(parsed, "orphan"))) {
        m_byUid[object.uid] = ref;
        m_ownerQueue[key] = ref;
    }
}

void Lifecycle::index(const ObjectRef& ref, const std::string& key, const json::object& object) {
    std::vector<std::string> owners = ownerUids(object);
    auto existing = m_ownersOf.find(key);
    if (existing != m_ownersOf.end() && existing->second == owners) {
        return;
    }
    unindex(key);
    if (owners.empty()) {
        return;
    }
    for (const std::string& uid : owners) {
        m_dependents[uid].insert(key);
    }
    m_ownersOf[key] = owners;
    m_refs[key] = ref;
    if (!kube::hasDeletionTimestamp(object)) {
        m_checkQueue[key] = ref;
    }
}

void Lifecycle::unindex(const std::string& key) {
    auto existing = m_ownersOf.find(key);
    if (existing == m_ownersOf.end()) {
        return;
    }
    for (const std::string& uid : existing->second) {
        if (auto it = m_dependents.find(uid); it != m_dependents.end()) {
            it->second.erase(key);
            if (it->second.empty()) {
                m_dependents.erase(it);
            }
        }
    }
    m_ownersOf.erase(existing);
    m_refs.erase(key);
}

void Lifecycle::process() {
    auto checks = std::exchange(m_checkQueue, {});
    for (const auto& [key, ref] : checks) {
        collectIfOrphaned(ref);
    }
    auto owners = std::exchange(m_ownerQueue, {});
    for (const auto& [key, ref] : owners) {
        finishOwner(ref);
    }
    auto namespaces = std::exchange(m_namespaceQueue, {});
    for (const std::string& name : namespaces) {
        finishNamespace(name);
    }
}

bool Lifecycle::ownerExists(const std::string& ns, const json::object& ownerRef) const {
    std::string apiVersion = stringAt(ownerRef, "apiVersion");
    size_t slash = apiVersion.find('/');
    std::string group = slash == std::string::npos ? std::string() : apiVersion.substr(0, slash);
    std::string version = slash == std::string::npos ? apiVersion : apiVersion.substr(slash + 1);
    kube::ResourceTypePtr type =
        m_service.types().byKind(group, version, stringAt(ownerRef, "kind"));
    if (!type) {
        return true; // an owner of a kind we cannot resolve is never assumed gone
    }
    if (type->namespaced && ns.empty()) {
        // A cluster-scoped dependent cannot name a namespaced owner: the reference cannot be
        // resolved, and such dependents are kept, as upstream does since 1.20.
        return true;
    }
    auto owner =
        m_service.get(*type, type->namespaced ? ns : std::string(), stringAt(ownerRef, "name"));
    return owner && (*owner)->uid == stringAt(ownerRef, "uid");
}

void Lifecycle::collectIfOrphaned(const ObjectRef& ref) {
    auto current = m_service.get(*ref.type, ref.ns, ref.name);
    if (!current) {
        return;
    }
    json::object object = apiserver::parseObject(**current);
    const json::array* refs = kube::ownerReferences(object);
    if (!refs || refs->empty() || kube::hasDeletionTimestamp(object)) {
        return;
    }
    for (const json::value& r : *refs) {
        if (const json::object* ownerRef = r.if_object();
            ownerRef && ownerExists(ref.ns, *ownerRef)) {
            return;
        }
    }
    apiserver::DeleteOptions options;
    options.propagationPolicy = "Background";
    options.preconditionUid = (*current)->uid;
    (void)m_service.remove(*ref.type, ref.ns, ref.name, options);
}

namespace {

/// Whether `dependent`'s reference to the owner `uid` sets blockOwnerDeletion.
bool blocksOwnerDeletion(const json::object& dependent, const std::string& uid) {
    const json::object* meta = kube::metadataOf(dependent);
    const json::array* refs = meta ? kube::arrayAt(*meta, "ownerReferences") : nullptr;
    if (!refs) {
        return false;
    }
    for (const json::value& r : *refs) {
        if (r.is_object() && stringAt(r.get_object(), "uid") == uid) {
            return kube::boolAt(r.get_object(), "blockOwnerDeletion").value_or(false);
        }
    }
    return false;
}

} // namespace

void Lifecycle::finishOwner(const ObjectRef& ref) {
    auto current = m_service.get(*ref.type, ref.ns, ref.name);
    if (!current) {
        return;
    }
    json::object object = apiserver::parseObject(**current);
    if (!kube::hasDeletionTimestamp(object)) {
        return;
    }
    const std::string uid = (*current)->uid;
    std::set<std::string> dependents;
    if (auto it = m_dependents.find(uid); it != m_dependents.end()) {
        dependents = it->second;
    }
    if (kube::hasFinalizer(object, "orphan")) {
        for (const std::string& key : dependents) {
            const ObjectRef& dep = m_refs.at(key);
            apiserver::ResourceService::Mutator strip =
                [uid](const json::object& c) -> apiserver::ApiResult<json::object> {
                json::object updated = c;
                json::object& meta = kube::ensureMetadata(updated);
                if (json::array* list = kube::mutableArray(meta, "ownerReferences")) {
                    eraseIf(*list, [&](const json::value& r) {
                        return r.is_object() && stringAt(r.get_object(), "uid") == uid;
                    });
                    if (list->empty()) {
                        meta.erase("ownerReferences");
                    }
                }
                return updated;
            };
            (void)m_service.guaranteedUpdate(*dep.type, dep.ns, dep.name, strip,
                                             apiserver::WriteOptions{});
        }
        (void)m_service.guaranteedUpdate(*ref.type, ref.ns, ref.name, dropFinalizer("orphan"),
                                         apiserver::WriteOptions{});
        return;
    }
    if (!kube::hasFinalizer(object, "foregroundDeletion")) {
        return;
    }
    // Foreground: dependents go first (themselves in the foreground); the owner's finalizer is
    // dropped once no dependent that sets blockOwnerDeletion is left.
    bool blocked = false;
    for (const std::string& key : dependents) {
        const ObjectRef& dep = m_refs.at(key);
        apiserver::DeleteOptions options;
        options.propagationPolicy = "Foreground";
        auto outcome = m_service.remove(*dep.type, dep.ns, dep.name, options);
        if (outcome && !outcome->removed && blocksOwnerDeletion(outcome->object, uid)) {
            blocked = true;
        }
    }
    if (!blocked) {
        (void)m_service.guaranteedUpdate(*ref.type, ref.ns, ref.name,
                                         dropFinalizer("foregroundDeletion"),
                                         apiserver::WriteOptions{});
    }
}

void Lifecycle::finishNamespace(const std::string& name) {
    auto nsType = m_service.types().byResource("", "v1", "namespaces");
    if (!nsType || !m_service.get(*nsType, "", name)) {
        return;
    }
    bool empty = true;
    for (const auto& [type, watcher] : m_watchers) {
        if (!type->namespaced) {
            continue;
        }
        watchcache::ListRequest request;
        request.filter.ns = name;
        auto items = m_service.cacheFor(*type)->list(request);
        if (!items) {
            continue;
        }
        for (const watchcache::ObjectPtr& item : items->items) {
            empty = false;
            apiserver::DeleteOptions options;
            options.propagationPolicy = "Background";
            (void)m_service.remove(*type, item->ns, item->name, options);
        }
    }
    if (!empty) {
        return; // the deletions' events bring this namespace back into the queue
    }
    apiserver::ResourceService::Mutator finalize =
        [](const json::object& current) -> apiserver::ApiResult<json::object> {
        json::object updated = current;
        if (json::object* spec = kube::ensureObject(updated, "spec")) {
            (*spec)["finalizers"] = json::array();
        }
        return updated;
    };
    (void)m_service.guaranteedUpdate(*nsType, "", name, finalize, apiserver::WriteOptions{});
    (void)m_service.remove(*nsType, "", name, apiserver::DeleteOptions{});
}

} // namespace pilot::server
