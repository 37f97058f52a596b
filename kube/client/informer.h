#pragma once

#include "kube/client/apiclient.h"
#include "kube/client/compactobject.h"
#include "kube/client/indexedcache.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace pilot::kube {

struct InformerOptions {
    ApiResource resource;
    std::string ns; ///< Empty: all namespaces.
    std::string labelSelector;
    std::string fieldSelector;
    /// Cache PartialObjectMetadata only (names, labels, owners...): for consumers that count
    /// or react to objects without reading them, at a fraction of the memory.
    bool metadataOnly = false;
    /// How cached objects are kept (managedFields dropped by default).
    CompactOptions compact;
    int64_t pageSize = 500;
    /// Back-off between failed lists and watches: exponential from initial to max, jittered.
    std::chrono::milliseconds initialBackoff{200};
    std::chrono::milliseconds maxBackoff{30000};
    /// Each watch asks the server to end it after a random time in [watchTimeout, 2*watchTimeout).
    std::chrono::seconds watchTimeout{300};
};

/// Callbacks for cache changes, run on the informer's thread after the cache was updated. Keep
/// them short (enqueue a key). `onDelete` gets the last state the informer knew; after a re-list
/// that is the state before the watch broke, not necessarily the object's final state.
struct InformerHandlers {
    std::function<void(const ObjectPtr& object)> onAdd;
    std::function<void(const ObjectPtr& previous, const ObjectPtr& object)> onUpdate;
    std::function<void(const ObjectPtr& last)> onDelete;
};

/// Keeps an IndexedCache of one resource in step with the API server, client-go style: a paged
/// list, then a watch (with bookmarks) from the list's resourceVersion; when a watch ends it
/// resumes from the last resourceVersion seen; when that is too old (410, as an HTTP status or
/// an ERROR event) it lists again and delivers the differences as add/update/delete so the cache
/// and every handler converge. Failures back off exponentially (jittered, capped) until `stop`.
class Informer {
public:
    Informer(ApiClient& client, InformerOptions options);
    ~Informer();
    Informer(const Informer&) = delete;
    Informer& operator=(const Informer&) = delete;

    /// Before start(): an index on the cache (see namespaceIndex, ownerUidIndex, fieldIndex).
    void addIndex(const std::string& name, IndexFunc function);
    /// Before start(): handlers for every change.
    void addHandlers(InformerHandlers handlers);

    /// Starts the informer's thread.
    void start();
    /// Stops and joins the thread; an open watch is closed, so this returns promptly (a list
    /// request already on the wire is waited for).
    void stop();

    /// Whether the first list has been stored and its add events delivered.
    [[nodiscard]] bool hasSynced() const { return m_synced; }
    /// Waits until hasSynced() or the deadline; returns hasSynced().
    [[nodiscard]] bool waitForSync(std::chrono::steady_clock::time_point deadline) const;

    [[nodiscard]] const IndexedCache& cache() const { return m_cache; }
    /// The newest resourceVersion seen (list, event or bookmark).
    [[nodiscard]] std::string lastResourceVersion() const;

private:
    enum class WatchEnd { Closed, Quiet, Gone, Failed };

    void run();
    [[nodiscard]] bool relist();
    [[nodiscard]] WatchEnd watchOnce();
    [[nodiscard]] WatchEnd consume(EventStream& stream);
    void apply(const WatchEvent& event);
    void setResourceVersion(std::string rv);
    /// Sleeps for `delay` unless stopped first; returns false when stopped.
    bool pause(std::chrono::milliseconds delay);
    [[nodiscard]] bool stopping() const { return m_stopping; }

    ApiClient& m_client;
    InformerOptions m_options;
    IndexedCache m_cache;
    std::vector<InformerHandlers> m_handlers;
    std::thread m_thread;

    std::atomic<bool> m_stopping{false};
    std::atomic<bool> m_synced{false};
    mutable std::mutex m_mutex; // guards m_rv, m_stream; with m_wake for sync and stop
    mutable std::condition_variable m_wake;
    std::string m_rv;
    EventStream* m_stream = nullptr;
};

} // namespace pilot::kube
