#include "engine/controllers/garbagecollector/garbagecollector.h"

#include "core/log.h"
#include "core/threadname.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

constexpr std::string_view OwnerUidIndex = "garbagecollector.ownerUid";
constexpr std::string_view OrphanFinalizer = "orphan";
constexpr std::string_view ForegroundFinalizer = "foregroundDeletion";
constexpr int PatchAttempts = 5;
/// Confirmed-absent owner uids kept before the set starts over (uids never come back, so
/// forgetting them only costs a lookup).
constexpr size_t MaxAbsentOwners = 10000;

std::string groupOf(std::string_view apiVersion) {
    size_t slash = apiVersion.find('/');
    return slash == std::string_view::npos ? std::string()
                                           : std::string(apiVersion.substr(0, slash));
}

std::string groupKind(std::string_view group, std::string_view kind) {
    return fmt::format("{}/{}", group, kind);
}

bool waitingForDependents(const json::object& object) {
    return kube::hasDeletionTimestamp(object) && kube::hasFinalizer(object, ForegroundFinalizer);
}

/// The owner reference to `uid` in `object`, or nullptr.
const json::object* referenceTo(const json::object& object, std::string_view uid) {
    if (const json::array* refs = kube::ownerReferences(object)) {
        for (const json::value& r : *refs) {
            if (const json::object* ref = r.if_object();
                ref && kube::stringAt(*ref, "uid") == uid) {
                return ref;
            }
        }
    }
    return nullptr;
}

bool blocksOwner(const json::object& dependent, std::string_view ownerUid) {
    const json::object* ref = referenceTo(dependent, ownerUid);
    return ref && kube::boolAt(*ref, "blockOwnerDeletion").value_or(false);
}

std::vector<json::object> referencesOf(const json::object& object) {
    std::vector<json::object> out;
    if (const json::array* refs = kube::ownerReferences(object)) {
        for (const json::value& r : *refs) {
            if (const json::object* ref = r.if_object()) {
                out.push_back(*ref);
            }
        }
    }
    return out;
}

std::string encodeKey(std::string_view action, std::string_view resourceId, std::string_view ns,
                      std::string_view name, std::string_view uid) {
    return fmt::format("{}|{}|{}|{}|{}", action, resourceId, ns, name, uid);
}

std::vector<std::string> splitKey(std::string_view key) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        size_t bar = key.find('|', start);
        parts.emplace_back(key.substr(start, bar - start));
        if (bar == std::string_view::npos) {
            return parts;
        }
        start = bar + 1;
    }
}

Status toStatus(const kube::ApiError& error) {
    return std::unexpected(error.toError());
}

} // namespace

GarbageCollector::GarbageCollector(kube::ApiClient& client) : GarbageCollector(client, Options{}) {}

GarbageCollector::GarbageCollector(kube::ApiClient& client, Options options)
    : QueueController(std::string(Component), options.workers), m_client(client),
      m_options(options), m_events(client, std::string(Component)) {}

GarbageCollector::~GarbageCollector() {
    stop();
}

std::vector<DiscoveredResource>
GarbageCollector::monitorable(const std::vector<DiscoveredResource>& resources) {
    std::vector<DiscoveredResource> out;
    for (const DiscoveredResource& r : resources) {
        // As upstream: everything that can be listed, watched and deleted, except Events
        // (too many, never owners of anything).
        bool isEvent = r.resource.resource == "events" &&
                       (r.resource.group.empty() || r.resource.group == "events.k8s.io");
        if (isEvent || !r.supports("list") || !r.supports("watch") || !r.supports("delete")) {
            continue;
        }
        out.push_back(r);
    }
    return out;
}

void GarbageCollector::setUp(SharedInformers& informers) {
    m_informers = &informers;
    auto discovered = discoverPreferredResources(m_client);
    if (!discovered) {
        log::warn(Component, "resource discovery failed, retrying later: {}",
                  discovered.error().message);
        return;
    }
    std::lock_guard lock(m_mutex);
    for (const DiscoveredResource& resource : monitorable(discovered->resources)) {
        informers.addMetadataIndex(resource.resource, std::string(OwnerUidIndex),
                                   kube::ownerUidIndex());
        kube::Informer& informer = informers.forMetadata(resource.resource);
        addMonitorHandlers(informer, resource.id());
        m_byGroupKind[groupKind(resource.resource.group, resource.kind)] = resource.id();
        m_monitors[resource.id()] = Monitor{resource, &informer, nullptr};
    }
}

void GarbageCollector::addMonitorHandlers(kube::Informer& informer, const std::string& resourceId) {
    kube::InformerHandlers handlers;
    handlers.onAdd = [this, resourceId](const kube::ObjectPtr& object) {
        onObject(resourceId, nullptr, object);
    };
    handlers.onUpdate = [this, resourceId](const kube::ObjectPtr& previous,
                                           const kube::ObjectPtr& object) {
        onObject(resourceId, previous, object);
    };
    handlers.onDelete = [this, resourceId](const kube::ObjectPtr& object) {
        onDeleted(resourceId, object);
    };
    informer.addHandlers(std::move(handlers));
}

void GarbageCollector::start() {
    {
        std::lock_guard lock(m_mutex);
        m_running = true;
    }
    QueueController::start();
    m_rediscovery = std::thread([this] {
        setThreadName("gc-discovery");
        rediscoveryLoop();
    });
}

void GarbageCollector::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_running = false;
    }
    m_wake.notify_all();
    if (m_rediscovery.joinable()) {
        m_rediscovery.join();
    }
    QueueController::stop();
    std::vector<std::unique_ptr<kube::Informer>> owned;
    {
        std::lock_guard lock(m_mutex);
        for (auto& [id, monitor] : m_monitors) {
            if (monitor.owned) {
                owned.push_back(std::move(monitor.owned));
            }
        }
        m_monitors.clear();
        m_byGroupKind.clear();
    }
    for (auto& informer : owned) {
        informer->stop();
    }
    m_events.stop();
}

void GarbageCollector::rediscoveryLoop() {
    std::unique_lock lock(m_mutex);
    while (m_running) {
        if (m_wake.wait_for(lock, m_options.rediscoveryInterval, [this] { return !m_running; })) {
            return;
        }
        lock.unlock();
        (void)resyncMonitors();
        lock.lock();
    }
}

size_t GarbageCollector::resyncMonitors() {
    auto discovered = discoverPreferredResources(m_client);
    if (!discovered) {
        log::warn(Component, "resource discovery failed: {}", discovered.error().message);
        std::lock_guard lock(m_mutex);
        return m_monitors.size();
    }
    std::vector<DiscoveredResource> wanted = monitorable(discovered->resources);
    std::set<std::string> wantedIds;
    std::vector<std::unique_ptr<kube::Informer>> retired;
    size_t count = 0;
    {
        std::lock_guard lock(m_mutex);
        for (const DiscoveredResource& resource : wanted) {
            wantedIds.insert(resource.id());
            m_byGroupKind[groupKind(resource.resource.group, resource.kind)] = resource.id();
            if (m_monitors.contains(resource.id())) {
                continue;
            }
            kube::InformerOptions options;
            options.resource = resource.resource;
            options.metadataOnly = true;
            auto informer = std::make_unique<kube::Informer>(m_client, std::move(options));
            informer->addIndex(std::string(OwnerUidIndex), kube::ownerUidIndex());
            addMonitorHandlers(*informer, resource.id());
            kube::Informer* raw = informer.get();
            m_monitors[resource.id()] = Monitor{resource, raw, std::move(informer)};
            if (m_running) {
                raw->start();
            }
            log::info(Component, "monitoring {}", resource.resource.qualifiedName());
        }
        // Only monitors started here can go (a custom resource's definition was deleted);
        // the shared ones are built in and live as long as the term.
        for (auto it = m_monitors.begin(); it != m_monitors.end();) {
            if (it->second.owned && !wantedIds.contains(it->first)) {
                retired.push_back(std::move(it->second.owned));
                it = m_monitors.erase(it);
            } else {
                ++it;
            }
        }
        count = m_monitors.size();
    }
    for (auto& informer : retired) {
        informer->stop();
    }
    return count;
}

// --- events from the monitors --------------------------------------------------------------

void GarbageCollector::onObject(const std::string& resourceId, const kube::ObjectPtr& previous,
                                const kube::ObjectPtr& object) {
    const json::object& o = *object;
    Identity self{resourceId, std::string(kube::namespaceOf(o)), std::string(kube::name(o)),
                  std::string(kube::uid(o))};
    bool deleting = kube::hasDeletionTimestamp(o);
    if (deleting && kube::hasFinalizer(o, OrphanFinalizer)) {
        enqueueAction(Action::Orphan, self);
    }
    if (waitingForDependents(o)) {
        enqueueAction(Action::Foreground, self);
        if (!previous || !waitingForDependents(*previous)) {
            enqueueDependents(self.uid);
        }
    }
    std::vector<json::object> refs = referencesOf(o);
    std::vector<json::object> before =
        previous ? referencesOf(*previous) : std::vector<json::object>();
    if (refs == before) {
        return;
    }
    if (!deleting) {
        for (const json::object& ref : refs) {
            kube::ObjectPtr owner = cachedOwner(self.ns, ref);
            if (!owner || waitingForDependents(*owner)) {
                enqueueAction(Action::Delete, self);
                break;
            }
        }
    }
    // A reference that went away (or stopped blocking) may free an owner in the foreground.
    for (const json::object& old : before) {
        std::string uid = kube::stringAt(old, "uid");
        const json::object* now = referenceTo(o, uid);
        bool stillBlocks = now && kube::boolAt(*now, "blockOwnerDeletion").value_or(false);
        if (stillBlocks) {
            continue;
        }
        if (kube::ObjectPtr owner = cachedOwner(self.ns, old);
            owner && waitingForDependents(*owner)) {
            if (auto identity = ownerIdentity(self.ns, old)) {
                enqueueAction(Action::Foreground, *identity);
            }
        }
    }
}

void GarbageCollector::onDeleted(const std::string& resourceId, const kube::ObjectPtr& object) {
    (void)resourceId;
    const json::object& o = *object;
    std::string uid(kube::uid(o));
    markAbsent(uid);
    enqueueDependents(uid);
    std::string ns(kube::namespaceOf(o));
    for (const json::object& ref : referencesOf(o)) {
        if (kube::ObjectPtr owner = cachedOwner(ns, ref); owner && waitingForDependents(*owner)) {
            if (auto identity = ownerIdentity(ns, ref)) {
                enqueueAction(Action::Foreground, *identity);
            }
        }
    }
}

void GarbageCollector::enqueueAction(Action action, const Identity& identity) {
    std::string_view name = action == Action::Delete   ? "delete"
                            : action == Action::Orphan ? "orphan"
                                                       : "foreground";
    enqueue(encodeKey(name, identity.resourceId, identity.ns, identity.name, identity.uid));
}

void GarbageCollector::enqueueDependents(std::string_view ownerUid) {
    for (const auto& [resourceId, dependent] : dependentsOf(ownerUid)) {
        enqueueAction(Action::Delete,
                      Identity{resourceId, std::string(kube::namespaceOf(*dependent)),
                               std::string(kube::name(*dependent)),
                               std::string(kube::uid(*dependent))});
    }
}

// --- lookups in the monitors' caches --------------------------------------------------------

const DiscoveredResource* GarbageCollector::resourceFor(std::string_view apiVersion,
                                                        std::string_view kind) const {
    auto id = m_byGroupKind.find(groupKind(groupOf(apiVersion), kind));
    if (id == m_byGroupKind.end()) {
        return nullptr;
    }
    auto monitor = m_monitors.find(id->second);
    return monitor == m_monitors.end() ? nullptr : &monitor->second.resource;
}

std::optional<DiscoveredResource> GarbageCollector::resourceById(const std::string& id) const {
    std::lock_guard lock(m_mutex);
    auto monitor = m_monitors.find(id);
    if (monitor == m_monitors.end()) {
        return std::nullopt;
    }
    return monitor->second.resource;
}

kube::ObjectPtr GarbageCollector::cachedOwner(std::string_view dependentNs,
                                              const json::object& ownerRef) const {
    std::lock_guard lock(m_mutex);
    const DiscoveredResource* resource =
        resourceFor(kube::stringAt(ownerRef, "apiVersion"), kube::stringAt(ownerRef, "kind"));
    if (resource == nullptr) {
        return nullptr;
    }
    const Monitor& monitor = m_monitors.at(resource->id());
    std::string name = kube::stringAt(ownerRef, "name");
    kube::ObjectPtr owner = monitor.informer->cache().get(
        resource->resource.namespaced ? kube::objectKey(dependentNs, name) : name);
    if (!owner || kube::uid(*owner) != kube::stringAt(ownerRef, "uid")) {
        return nullptr;
    }
    return owner;
}

std::optional<GarbageCollector::Identity>
GarbageCollector::ownerIdentity(std::string_view dependentNs, const json::object& ownerRef) const {
    std::lock_guard lock(m_mutex);
    const DiscoveredResource* resource =
        resourceFor(kube::stringAt(ownerRef, "apiVersion"), kube::stringAt(ownerRef, "kind"));
    if (resource == nullptr) {
        return std::nullopt;
    }
    return Identity{resource->id(),
                    resource->resource.namespaced ? std::string(dependentNs) : std::string(),
                    kube::stringAt(ownerRef, "name"), kube::stringAt(ownerRef, "uid")};
}

std::vector<std::pair<std::string, kube::ObjectPtr>>
GarbageCollector::dependentsOf(std::string_view ownerUid) const {
    std::vector<std::pair<std::string, kube::ObjectPtr>> out;
    std::lock_guard lock(m_mutex);
    for (const auto& [id, monitor] : m_monitors) {
        for (kube::ObjectPtr& dependent :
             monitor.informer->cache().byIndex(OwnerUidIndex, ownerUid)) {
            out.emplace_back(id, std::move(dependent));
        }
    }
    return out;
}

bool GarbageCollector::knownAbsent(const std::string& uid) const {
    std::lock_guard lock(m_mutex);
    return m_absentOwners.contains(uid);
}

void GarbageCollector::markAbsent(const std::string& uid) {
    std::lock_guard lock(m_mutex);
    if (m_absentOwners.size() >= MaxAbsentOwners) {
        m_absentOwners.clear();
    }
    m_absentOwners.insert(uid);
}

// --- work ------------------------------------------------------------------------------------

Status GarbageCollector::reconcile(const std::string& key) {
    std::vector<std::string> parts = splitKey(key);
    if (parts.size() != 5) {
        return {};
    }
    Identity identity{parts[1], parts[2], parts[3], parts[4]};
    if (parts[0] == "delete") {
        return attemptToDelete(identity);
    }
    if (parts[0] == "orphan") {
        return attemptToOrphan(identity);
    }
    return processDeletingDependents(identity);
}

Status GarbageCollector::attemptToDelete(const Identity& identity) {
    std::optional<DiscoveredResource> resource = resourceById(identity.resourceId);
    if (!resource) {
        return {};
    }
    auto latest = m_client.get(resource->resource, identity.ns, identity.name);
    if (!latest) {
        return kube::isNotFound(latest.error()) ? Status{} : toStatus(latest.error());
    }
    if (kube::uid(*latest) != identity.uid) {
        return {}; // another incarnation: its own events bring it here
    }
    if (kube::hasDeletionTimestamp(*latest)) {
        return waitingForDependents(*latest) ? processDeletingDependents(identity) : Status{};
    }
    std::vector<json::object> refs = referencesOf(*latest);
    if (refs.empty()) {
        return {};
    }
    std::set<std::string> solid;
    std::set<std::string> dangling;
    std::set<std::string> waiting;
    for (const json::object& ref : refs) {
        std::string uid = kube::stringAt(ref, "uid");
        if (knownAbsent(uid)) {
            dangling.insert(uid);
            continue;
        }
        std::optional<DiscoveredResource> ownerResource;
        {
            std::lock_guard lock(m_mutex);
            if (const DiscoveredResource* r =
                    resourceFor(kube::stringAt(ref, "apiVersion"), kube::stringAt(ref, "kind"))) {
                ownerResource = *r;
            }
        }
        if (!ownerResource) {
            // A kind discovery does not know (yet): never assume such an owner is gone.
            solid.insert(uid);
            continue;
        }
        if (ownerResource->resource.namespaced && identity.ns.empty()) {
            // A cluster-scoped object cannot have a namespaced owner; retrying will not help.
            m_events.warning(*latest, "OwnerRefInvalidNamespace",
                             fmt::format("ownerRef [{}/{}, namespace: , name: {}, uid: {}] does "
                                         "not exist in namespace \"\"",
                                         kube::stringAt(ref, "apiVersion"),
                                         kube::stringAt(ref, "kind"), kube::stringAt(ref, "name"),
                                         uid));
            return {};
        }
        auto owner = m_client.get(ownerResource->resource,
                                  ownerResource->resource.namespaced ? identity.ns : std::string(),
                                  kube::stringAt(ref, "name"));
        if (!owner && !kube::isNotFound(owner.error())) {
            return toStatus(owner.error());
        }
        if (!owner || kube::uid(*owner) != uid) {
            markAbsent(uid);
            dangling.insert(uid);
        } else if (waitingForDependents(*owner)) {
            waiting.insert(uid);
        } else {
            solid.insert(uid);
        }
    }
    if (!solid.empty()) {
        if (dangling.empty() && waiting.empty()) {
            return {};
        }
        // Keep the object for its live owners; drop the references that no longer hold it.
        std::set<std::string> drop = dangling;
        drop.insert(waiting.begin(), waiting.end());
        return removeOwnerReferences(*resource, *latest, drop);
    }
    kube::DeleteOptions options;
    options.preconditionUid = identity.uid;
    if (!waiting.empty() && !dependentsOf(identity.uid).empty()) {
        // An owner waits for its dependents, and this one has dependents of its own: they go
        // first, so this one is deleted in the foreground too.
        options.propagationPolicy = "Foreground";
    } else if (kube::hasFinalizer(*latest, OrphanFinalizer)) {
        options.propagationPolicy = "Orphan";
    } else if (kube::hasFinalizer(*latest, ForegroundFinalizer)) {
        options.propagationPolicy = "Foreground";
    } else {
        options.propagationPolicy = "Background";
    }
    log::debug(Component, "deleting {} {}/{} (owners gone)", resource->kind, identity.ns,
               identity.name);
    auto removed = m_client.remove(resource->resource, identity.ns, identity.name, options);
    if (!removed && !kube::isNotFound(removed.error()) && !kube::isConflict(removed.error())) {
        return toStatus(removed.error());
    }
    return {};
}

Status GarbageCollector::attemptToOrphan(const Identity& identity) {
    std::optional<DiscoveredResource> resource = resourceById(identity.resourceId);
    if (!resource) {
        return {};
    }
    auto latest = m_client.get(resource->resource, identity.ns, identity.name);
    if (!latest) {
        return kube::isNotFound(latest.error()) ? Status{} : toStatus(latest.error());
    }
    if (kube::uid(*latest) != identity.uid || !kube::hasDeletionTimestamp(*latest) ||
        !kube::hasFinalizer(*latest, OrphanFinalizer)) {
        return {};
    }
    for (const auto& [resourceId, dependent] : dependentsOf(identity.uid)) {
        std::optional<DiscoveredResource> dependentResource = resourceById(resourceId);
        if (!dependentResource) {
            continue;
        }
        if (auto status = removeOwnerReferences(*dependentResource, *dependent, {identity.uid});
            !status) {
            return status;
        }
    }
    return removeFinalizer(*resource, *latest, OrphanFinalizer);
}

Status GarbageCollector::processDeletingDependents(const Identity& identity) {
    std::optional<DiscoveredResource> resource = resourceById(identity.resourceId);
    if (!resource) {
        return {};
    }
    auto latest = m_client.get(resource->resource, identity.ns, identity.name);
    if (!latest) {
        return kube::isNotFound(latest.error()) ? Status{} : toStatus(latest.error());
    }
    if (kube::uid(*latest) != identity.uid || !waitingForDependents(*latest)) {
        return {};
    }
    bool blocked = false;
    for (const auto& [resourceId, dependent] : dependentsOf(identity.uid)) {
        if (!blocksOwner(*dependent, identity.uid)) {
            continue;
        }
        blocked = true;
        if (!waitingForDependents(*dependent)) {
            enqueueAction(Action::Delete,
                          Identity{resourceId, std::string(kube::namespaceOf(*dependent)),
                                   std::string(kube::name(*dependent)),
                                   std::string(kube::uid(*dependent))});
        }
    }
    if (blocked) {
        return {}; // the dependents' deletion events bring the owner back here
    }
    return removeFinalizer(*resource, *latest, ForegroundFinalizer);
}

// --- writes ----------------------------------------------------------------------------------

Status GarbageCollector::removeOwnerReferences(const DiscoveredResource& resource,
                                               const json::object& object,
                                               const std::set<std::string>& ownerUids) {
    return patchMetadataField(resource, object, false, "ownerReferences",
                              [&](const json::object& latest) -> std::optional<json::value> {
                                  json::array kept;
                                  bool changed = false;
                                  for (const json::object& ref : referencesOf(latest)) {
                                      if (ownerUids.contains(kube::stringAt(ref, "uid"))) {
                                          changed = true;
                                      } else {
                                          kept.emplace_back(ref);
                                      }
                                  }
                                  if (!changed) {
                                      return std::nullopt;
                                  }
                                  return kept.empty() ? json::value(nullptr)
                                                      : json::value(std::move(kept));
                              });
}

Status GarbageCollector::removeFinalizer(const DiscoveredResource& resource,
                                         const json::object& object, std::string_view finalizer) {
    return patchMetadataField(resource, object, true, "finalizers",
                              [&](const json::object& latest) -> std::optional<json::value> {
                                  if (!kube::hasFinalizer(latest, finalizer)) {
                                      return std::nullopt;
                                  }
                                  json::array kept;
                                  for (std::string_view f : kube::finalizers(latest)) {
                                      if (f != finalizer) {
                                          kept.emplace_back(json::string(f));
                                      }
                                  }
                                  return kept.empty() ? json::value(nullptr)
                                                      : json::value(std::move(kept));
                              });
}

Status GarbageCollector::patchMetadataField(
    const DiscoveredResource& resource, const json::object& object, bool current,
    std::string_view field,
    const std::function<std::optional<json::value>(const json::object&)>& edit) {
    const std::string ns(kube::namespaceOf(object));
    const std::string name(kube::name(object));
    const std::string uid(kube::uid(object));
    json::object latest = current ? object : json::object();
    for (int attempt = 0; attempt < PatchAttempts; ++attempt) {
        if (attempt > 0 || !current) {
            auto read = m_client.get(resource.resource, ns, name);
            if (!read) {
                return kube::isNotFound(read.error()) ? Status{} : toStatus(read.error());
            }
            latest = std::move(*read);
        }
        if (kube::uid(latest) != uid) {
            return {};
        }
        std::optional<json::value> value = edit(latest);
        if (!value) {
            return {};
        }
        json::object metadata{{"uid", uid}, {"resourceVersion", kube::resourceVersion(latest)}};
        metadata[field] = std::move(*value);
        auto patched =
            m_client.patch(resource.resource, ns, name, kube::PatchType::Merge,
                           json::serialize(json::object{{"metadata", std::move(metadata)}}));
        if (patched || kube::isNotFound(patched.error())) {
            return {};
        }
        if (!kube::isConflict(patched.error())) {
            return toStatus(patched.error());
        }
    }
    return fail(ErrorCode::Conflict,
                fmt::format("{} {}/{}: {} kept changing", resource.kind, ns, name, field));
}

} // namespace pilot::controllers
