#pragma once

#include "core/error.h"
#include "engine/apiserver/resourceservice.h"

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace pilot::server {

/// The object lifecycle work the API itself promises: the built-in namespaces exist, a
/// terminating namespace is emptied and then finalized, and the garbage collector follows
/// ownerReferences (dependents of deleted owners are deleted; the foregroundDeletion and orphan
/// finalizers are carried out). Event-driven: one thread drains watchers on every resource and
/// touches only the objects an event concerns, so its cost follows the write rate, not the
/// number of stored objects.
class Lifecycle {
public:
    explicit Lifecycle(apiserver::ResourceService& service);
    ~Lifecycle();

    /// Creates default, kube-system, kube-public and kube-node-lease and the system
    /// PriorityClasses (system-node-critical, system-cluster-critical) when missing.
    [[nodiscard]] Status bootstrap();
    void start();
    void stop();
    /// Starts (added) or stops following a resource served at run time (CRDs). Thread-safe.
    void watchType(const kube::ResourceTypePtr& type, bool added);

private:
    /// Where an object lives: its resource and storage key.
    struct ObjectRef {
        kube::ResourceTypePtr type;
        std::string ns;
        std::string name;
    };

    void run();
    void addWatcher(const kube::ResourceTypePtr& type);
    void applyTypeChanges();
    void observe(const kube::ResourceTypePtr& type, const watchcache::WatchEvent& event);
    void index(const ObjectRef& ref, const std::string& key, const boost::json::object& object);
    void unindex(const std::string& key);
    void process();

    /// Deletes the object when every owner it names is gone.
    void collectIfOrphaned(const ObjectRef& ref);
    /// Carries out foregroundDeletion / orphan for an owner being deleted.
    void finishOwner(const ObjectRef& ref);
    /// Deletes a terminating namespace's content, then finalizes it.
    void finishNamespace(const std::string& name);
    [[nodiscard]] bool ownerExists(const std::string& ns,
                                   const boost::json::object& ownerRef) const;

    apiserver::ResourceService& m_service;
    std::vector<std::pair<kube::ResourceTypePtr, std::shared_ptr<watchcache::Watcher>>> m_watchers;

    // Owned by the lifecycle thread only.
    std::map<std::string, std::set<std::string>> m_dependents;  // owner uid -> dependent keys
    std::map<std::string, std::vector<std::string>> m_ownersOf; // key -> owner uids
    std::map<std::string, ObjectRef> m_refs;                    // key -> object (indexed ones)
    std::map<std::string, ObjectRef> m_byUid;                   // uid -> object (finalizing owners)
    std::set<std::string> m_terminating;                        // namespaces being deleted
    std::map<std::string, ObjectRef> m_checkQueue;              // key -> dependent to check
    std::map<std::string, ObjectRef> m_ownerQueue;              // key -> finalizing owner
    std::set<std::string> m_namespaceQueue;

    std::mutex m_mutex;

    std::vector<std::pair<kube::ResourceTypePtr, bool>> m_typeChanges; // guarded by m_mutex
    std::set<const watchcache::Watcher*> m_pending; // watchers with new events; by m_mutex
    /// Events past the current pass's consistent cut (lifecycle thread only).
    std::vector<std::pair<kube::ResourceTypePtr, watchcache::WatchEvent>> m_deferred;
    std::condition_variable m_wake;
    bool m_dirty = true;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace pilot::server
