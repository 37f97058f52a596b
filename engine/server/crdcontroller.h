#pragma once

#include "core/error.h"
#include "engine/apiserver/resourceservice.h"
#include "kube/types/typeregistry.h"

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace pilot::server {

/// Turns CustomResourceDefinitions into served resources, as apiextensions-apiserver does:
/// each served version becomes a registry entry (schema, printer columns, status and scale
/// subresources) with its watch cache; the CRD's status gets `NamesAccepted` and `Established`
/// conditions, `acceptedNames` and `storedVersions`. Deleting a CRD first deletes its custom
/// objects (the `customresourcecleanup.apiextensions.k8s.io` finalizer), then stops serving it.
class CrdController {
public:
    /// `onTypesChanged` is told about entries added or removed (the lifecycle watches them).
    CrdController(apiserver::ResourceService& service, std::shared_ptr<kube::TypeRegistry> types,
                  watchcache::WatchCache& cache,
                  std::function<void(const kube::ResourceTypePtr&, bool added)> onTypesChanged);
    ~CrdController();
    CrdController(const CrdController&) = delete;
    CrdController& operator=(const CrdController&) = delete;

    /// Serves every stored CRD before the API opens (custom objects answer right after a
    /// restart), then follows CRD changes on a thread.
    [[nodiscard]] Status start();
    void stop();

private:
    void run();
    void sync(const std::string& name);
    /// Registers the CRD's versions; returns false (with the reason) when it cannot be served.
    bool serve(const boost::json::object& crd, std::string& problem);
    void unserve(const std::string& name);
    void markEstablished(const std::string& name, const std::string& problem);
    /// Deletes the CRD's custom objects; true once none is left.
    bool cleanUp(const std::string& name);

    apiserver::ResourceService& m_service;
    std::shared_ptr<kube::TypeRegistry> m_types;
    watchcache::WatchCache& m_cache;
    std::function<void(const kube::ResourceTypePtr&, bool)> m_onTypesChanged;
    kube::ResourceTypePtr m_crdType;
    std::shared_ptr<watchcache::Watcher> m_watcher;

    // Lifecycle thread state.
    std::map<std::string, std::vector<kube::ResourceTypePtr>> m_served; // CRD name -> entries
    std::map<std::string, std::string> m_servedSpec; // CRD name -> serialized spec served
    std::set<std::string> m_retry;                   // CRDs whose cleanup must be retried

    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_dirty = false;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace pilot::server
