#pragma once

#include "core/error.h"
#include "engine/watchcache/cachedobject.h"
#include "engine/watchcache/watcher.h"

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pilot::watchcache {

/// A consistent page of a list.
struct ListPage {
    std::vector<ObjectPtr> items;
    int64_t revision = 0;       // the revision the page is consistent with
    std::string continueKey;    // last key returned when more items remain, else empty
    int64_t remainingItems = 0; // matching items after this page
};

struct ListRequest {
    Filter filter;
    int64_t atRevision = 0; // 0: newest; otherwise the exact revision to list at
    std::string afterKey;   // continue after this key (exclusive)
    int64_t limit = 0;      // 0: no limit
};

/// The in-memory state of one resource (all namespaces): current objects by key plus a ring of
/// recent events for watch replay and for listing at a recent revision. Fed by the store's
/// commit observer before writes are acknowledged, so reads from it are always up to date.
class ResourceCache {
public:
    /// `hotVersions`: how many of the newest object versions stay uncompressed (see
    /// compressCold).
    ResourceCache(std::string prefix, std::vector<std::string> fieldPaths, size_t historySize,
                  size_t hotVersions = DefaultHotVersions);

    static constexpr size_t DefaultHotVersions = 1024;
    /// A new dictionary is sampled from recent versions after this many compressions, so it
    /// follows what the resource's objects look like now.
    static constexpr size_t CodecRefreshCompressions = 20000;

    [[nodiscard]] const std::string& prefix() const { return m_prefix; }
    [[nodiscard]] const std::vector<std::string>& fieldPaths() const { return m_fieldPaths; }
    [[nodiscard]] const FieldLayoutPtr& fieldLayout() const { return m_fieldLayout; }

    [[nodiscard]] ObjectPtr get(const std::string& key) const;
    /// Fails with Gone when `atRevision` is older than the retained history.
    [[nodiscard]] Result<ListPage> list(const ListRequest& request) const;
    /// Starts a watch. `fromRevision` 0 first delivers every matching object as ADDED; otherwise
    /// only events after it are delivered, and an expired revision fails with Gone.
    [[nodiscard]] Result<std::shared_ptr<Watcher>> watch(Filter filter, int64_t fromRevision,
                                                         size_t queueCapacity);

    [[nodiscard]] int64_t revision() const;
    [[nodiscard]] size_t size() const;
    [[nodiscard]] size_t watcherCount() const;

    // Writer side (the WatchCache calls these on the store's writer thread).
    void load(std::vector<ObjectPtr> objects, std::vector<WatchEvent> history, int64_t revision,
              int64_t historyStart);
    /// Applies a batch's events; returns the watchers to offer them to (see fanOut), which the
    /// WatchCache does once every resource holds the batch, so a woken watcher never sees the
    /// cache revision behind an event it was handed.
    [[nodiscard]] std::vector<std::shared_ptr<Watcher>> apply(const std::vector<WatchEvent>& events,
                                                              int64_t batchRevision);
    static void fanOut(const std::vector<std::shared_ptr<Watcher>>& watchers,
                       const std::vector<WatchEvent>& events);
    void advance(int64_t revision);
    /// Compresses the JSON of every version older than the newest `hotVersions` (current
    /// objects and history alike). Recent versions, which watchers and readers of new objects
    /// copy most, stay as they are. The WatchCache calls it after fan-out, on the writer thread,
    /// and after loading the resource.
    void compressCold();
    /// Bytes held by the JSON of the current objects, and how many of them are compressed.
    struct TextStats {
        size_t objects = 0;
        size_t compressed = 0;
        size_t jsonBytes = 0;
        size_t heldBytes = 0;
    };
    [[nodiscard]] TextStats textStats() const;
    /// Closes every watcher (engine shutdown).
    void stopWatchers();

private:
    void trimHistory();
    [[nodiscard]] std::map<std::string, ObjectPtr> snapshotAt(int64_t revision) const;

    std::string m_prefix;
    std::vector<std::string> m_fieldPaths;
    FieldLayoutPtr m_fieldLayout;
    size_t m_historySize;

    mutable std::mutex m_mutex;
    std::map<std::string, ObjectPtr> m_objects;
    std::deque<WatchEvent> m_history;
    int64_t m_historyStart = 0; // every event with revision > this is in m_history
    int64_t m_revision = 0;
    std::vector<std::shared_ptr<Watcher>> m_watchers;

    size_t m_hotVersions;
    /// Held for a whole compressCold: the store's writer thread and a resource loaded at run
    /// time (a new CRD) may both compress, and the dictionary samples must stay uncompressed
    /// while it is built from them.
    std::mutex m_compressMutex;
    std::deque<ObjectPtr> m_hot; ///< Versions not yet compressed, oldest first.
    std::shared_ptr<const TextCodec> m_codec;
    size_t m_compressedWithCodec = 0;
};

} // namespace pilot::watchcache
