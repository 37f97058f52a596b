#pragma once

#include "core/error.h"
#include "engine/apiserver/resourceservice.h"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace pilot::server {

/// The object lifecycle work the API itself promises: the built-in namespaces exist, a
/// terminating namespace is emptied and then finalized, and the garbage collector follows
/// ownerReferences (background deletion of orphans' dependents, foreground and orphan
/// finalizers). Runs on its own thread, woken by watch events.
class Lifecycle {
public:
    explicit Lifecycle(apiserver::ResourceService& service);
    ~Lifecycle();

    /// Creates default, kube-system, kube-public and kube-node-lease when missing.
    [[nodiscard]] Status bootstrap();
    void start();
    void stop();

private:
    void run();
    void pass();
    void finishNamespaces();
    void collectGarbage();

    apiserver::ResourceService& m_service;
    std::vector<std::shared_ptr<watchcache::Watcher>> m_watchers;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_dirty = true;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace pilot::server
