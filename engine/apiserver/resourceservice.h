#pragma once

#include "core/clock.h"
#include "engine/apiserver/admissionhook.h"
#include "engine/apiserver/apierror.h"
#include "engine/store/store.h"
#include "engine/watchcache/watchcache.h"
#include "kube/types/typeregistry.h"

#include <boost/json/object.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pilot::apiserver {

enum class FieldValidation { Ignore, Warn, Strict };

/// Which part of an object a write addresses.
enum class Part { Main, Status };

struct WriteOptions {
    bool dryRun = false;
    /// Who writes, for `metadata.managedFields`; empty: the write is not recorded there
    /// (in-process housekeeping). HTTP requests always name one (`fieldManager`, else the
    /// User-Agent's product, as upstream).
    std::string fieldManager;
    /// The subresource written through ("scale"); Part::Status implies "status".
    std::string subresource;
    /// The managedFields were already computed (server-side apply).
    bool managedFieldsSet = false;
    FieldValidation validation = FieldValidation::Warn;
    Part part = Part::Main;
    /// Filled with `Warning` header texts (unknown fields under Warn, ...).
    std::vector<std::string>* warnings = nullptr;
};

struct DeleteOptions {
    std::optional<int64_t> gracePeriodSeconds;
    std::string propagationPolicy; // Background, Foreground, Orphan; empty: kind default
    std::string preconditionUid;
    std::string preconditionResourceVersion;
    bool dryRun = false;
};

struct DeleteOutcome {
    boost::json::object object; // the last state (removed) or the object now terminating
    bool removed = false;
};

/// A create that passed admission and waits for its store write (ResourceService::prepareCreate).
struct PreparedCreate {
    boost::json::object object; // as it is stored: no resourceVersion
    std::string key;
    std::string name;
    std::string plural; // of the stored type, for errors
    std::string group;
    /// The version the request addressed when it is not the storage version (the result is
    /// converted back); empty otherwise.
    std::string servedApiVersion;
};

/// The object semantics of the Kubernetes API on top of the store and the watch cache:
/// metadata on create (uid, timestamps, generateName, generation), optimistic concurrency,
/// status/main separation, defaulting and validation, finalizers, graceful deletion and
/// namespace lifecycle. Shared by the HTTP handlers and in-process clients. Thread-safe;
/// methods block until the write is durable, except commitCreate().
class ResourceService {
public:
    ResourceService(store::Store& store, watchcache::WatchCache& cache,
                    std::shared_ptr<kube::TypeRegistry> types, const Clock& clock);

    /// Mutates the current object into the desired one; returning an error aborts the update.
    using Mutator = std::function<ApiResult<boost::json::object>(const boost::json::object&)>;

    [[nodiscard]] std::string keyFor(const kube::ResourceType& type, const std::string& ns,
                                     const std::string& name) const;
    [[nodiscard]] std::shared_ptr<watchcache::ResourceCache>
    cacheFor(const kube::ResourceType& type) const;

    [[nodiscard]] ApiResult<watchcache::ObjectPtr>
    get(const kube::ResourceType& type, const std::string& ns, const std::string& name) const;

    [[nodiscard]] ApiResult<boost::json::object> create(const kube::ResourceType& type,
                                                        const std::string& ns,
                                                        boost::json::object object,
                                                        const WriteOptions& options);

    /// Whether a create of `object` takes its name from `metadata.generateName`.
    [[nodiscard]] static bool generatesName(const boost::json::object& object);
    /// The part of a create that runs before the store write (not for dry runs, which
    /// create() serves). A name from `generateName` is drawn here; when the store refuses it
    /// as taken, the caller may prepare the original object again. Finish with commitCreate().
    [[nodiscard]] ApiResult<PreparedCreate> prepareCreate(const kube::ResourceType& type,
                                                          const std::string& ns,
                                                          boost::json::object object,
                                                          const WriteOptions& options);
    /// Stores a prepared create without waiting for it: `done` gets the created object's JSON
    /// as the request's version serves it (or the store's refusal) once the write is durable.
    /// It runs on the store's writer thread, or on the calling thread before this returns when
    /// the write is refused at once; it must not block.
    void commitCreate(PreparedCreate prepared, std::function<void(ApiResult<std::string>)> done);

    /// Whether admitting a create of `type` in `ns` may itself write to the store (and so wait
    /// for a commit): quota charging when quotas exist.
    [[nodiscard]] bool createWritesOnAdmission(const kube::ResourceType& type,
                                               const std::string& ns) const;

    /// PUT semantics: `object` replaces the addressed part; a stale resourceVersion conflicts.
    [[nodiscard]] ApiResult<boost::json::object>
    update(const kube::ResourceType& type, const std::string& ns, const std::string& name,
           boost::json::object object, const WriteOptions& options);

    /// Read-modify-write with retries on conflicting concurrent writes (patch, subresources).
    /// With `create` set, a missing object is created from `mutate({})`.
    [[nodiscard]] ApiResult<boost::json::object>
    guaranteedUpdate(const kube::ResourceType& type, const std::string& ns, const std::string& name,
                     const Mutator& mutate, const WriteOptions& options, bool create = false,
                     bool* created = nullptr);

    [[nodiscard]] ApiResult<DeleteOutcome> remove(const kube::ResourceType& type,
                                                  const std::string& ns, const std::string& name,
                                                  const DeleteOptions& options);

    /// Adds a kind-specific admission step (set up before serving; not thread-safe).
    void addHook(std::shared_ptr<AdmissionHook> hook) { m_hooks.push_back(std::move(hook)); }

    [[nodiscard]] const kube::TypeRegistry& types() const { return *m_types; }
    [[nodiscard]] const Clock& clock() const { return m_clock; }
    /// The newest revision every watch cache has applied: every event up to it is already in
    /// the queues of the watchers it concerns.
    [[nodiscard]] int64_t revision() const { return m_cache.revision(); }

private:
    /// The storage version's entry when `type` is another served version; null otherwise.
    [[nodiscard]] kube::ResourceTypePtr storageTypeFor(const kube::ResourceType& type) const;
    [[nodiscard]] static boost::json::object toStorage(const kube::ResourceType& served,
                                                       const kube::ResourceType& storage,
                                                       boost::json::object object);
    /// Checks a create's apiVersion and namespace and sets the server-owned metadata; returns
    /// whether the name is to be generated.
    [[nodiscard]] ApiResult<bool> initCreate(const kube::ResourceType& type, const std::string& ns,
                                             boost::json::object& object) const;
    /// Admission, managed fields and change counters of a create's candidate object.
    [[nodiscard]] ApiResult<PreparedCreate>
    admitCreate(const kube::ResourceType& type, const std::string& ns,
                boost::json::object candidate, const WriteOptions& options, bool generated) const;
    [[nodiscard]] ApiResult<boost::json::object> prepareUpdate(const kube::ResourceType& type,
                                                               const boost::json::object& old,
                                                               boost::json::object updated,
                                                               const WriteOptions& options) const;
    [[nodiscard]] ApiResult<void> admit(const kube::ResourceType& type, boost::json::object& object,
                                        const boost::json::object* old, const WriteOptions& options,
                                        bool generatedName = false) const;
    /// Records the write in `metadata.managedFields` (create, update and non-apply patches).
    void trackManagedFields(const kube::ResourceType& type, boost::json::object& object,
                            const boost::json::object* old, const WriteOptions& options) const;
    [[nodiscard]] ApiResult<void> checkNamespace(const kube::ResourceType& type,
                                                 const std::string& ns) const;
    /// Writes `object` over `current` (or removes it when its last finalizer is gone).
    [[nodiscard]] ApiResult<boost::json::object>
    commitUpdate(const kube::ResourceType& type, const watchcache::CachedObject& current,
                 boost::json::object object, const WriteOptions& options);
    [[nodiscard]] ApiResult<boost::json::object>
    commitRemoval(const kube::ResourceType& type, const watchcache::CachedObject& current,
                  bool dryRun);

    store::Store& m_store;
    watchcache::WatchCache& m_cache;
    std::shared_ptr<kube::TypeRegistry> m_types;
    const Clock& m_clock;
    std::vector<std::shared_ptr<AdmissionHook>> m_hooks;
};

/// A cached object as `type`'s version serves it: the cached JSON itself for the storage
/// version, otherwise converted. Written into `scratch`, which is returned.
[[nodiscard]] const std::string& servedJson(const kube::ResourceType& type,
                                            const watchcache::CachedObject& object,
                                            std::string& scratch);
/// The same, appended to `out` (no intermediate copy for the storage version).
void appendServedJson(const kube::ResourceType& type, const watchcache::CachedObject& object,
                      std::string& out);

/// Parses a cached object's JSON (always valid: it was serialized by us).
[[nodiscard]] boost::json::object parseObject(const watchcache::CachedObject& object);

} // namespace pilot::apiserver
