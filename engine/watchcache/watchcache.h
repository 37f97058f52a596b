#pragma once

#include "core/error.h"
#include "engine/store/store.h"
#include "engine/watchcache/resourcecache.h"

#include <boost/json/object.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pilot::watchcache {

/// Builds the cached form of a stored value: parses it, sets `metadata.resourceVersion` to
/// `modRevision`, serializes it once, and extracts labels and the values of the layout's
/// selectable fields.
[[nodiscard]] Result<ObjectPtr> buildCachedObject(const std::string& key, std::string_view value,
                                                  int64_t createRevision, int64_t modRevision,
                                                  const FieldLayoutPtr& fieldLayout);

/// The cached form of an object worked out before its write commits, by whoever writes it:
/// everything but the revision, which the commit splices into the text. Handed to the store as
/// the write's attachment (store::Write::attachment), it spares the store's writer thread the
/// parse and serialization buildCachedObject does.
struct PreparedObject {
    std::string ns;
    std::string name;
    std::string uid;
    std::vector<std::pair<std::string, std::string>> labels;
    FieldLayoutPtr fieldLayout;
    PackedStrings fieldValues;
    std::string text;       // the object's JSON as stored (no resourceVersion)
    size_t metadataEnd = 0; // offset in `text` of the brace that closes its metadata
};

/// `text` with `"resourceVersion":"<revision>"` as the last member of the metadata that closes
/// at `metadataEnd`: where buildCachedObject puts it.
[[nodiscard]] std::string withResourceVersion(std::string_view text, size_t metadataEnd,
                                              int64_t revision);

/// `/registry/apps/deployments/default/web` -> `/registry/apps/deployments`.
[[nodiscard]] std::string resourcePrefixOf(std::string_view key);

/// The size of one resource cache at a moment.
struct ResourceCount {
    std::string prefix;  // `/registry/<group>/<plural>` (`core` for the core group)
    size_t objects = 0;  // objects stored now
    size_t watchers = 0; // open watchers
};

/// All resource caches of one engine. Install `observer()` as the store's commit observer
/// before opening the store, then call load(). Every committed write reaches the caches before
/// the writer is acknowledged, so reads served from here are read-your-writes consistent.
class WatchCache {
public:
    /// `hotVersionsPerResource`: how many of each resource's newest object versions are kept
    /// uncompressed (ResourceCache::compressCold).
    explicit WatchCache(store::Store& store, size_t historyPerResource = 10000,
                        size_t hotVersionsPerResource = ResourceCache::DefaultHotVersions);

    /// Declares a resource and the field paths its selectors may use (besides metadata.name and
    /// metadata.namespace, which are always extracted). Call before load() for built-ins; CRDs
    /// may register at run time (their existing objects are loaded then).
    Status registerResource(const std::string& prefix, std::vector<std::string> fieldPaths);

    /// Fills every registered cache from the store (objects and replayable history).
    [[nodiscard]] Status load();

    [[nodiscard]] store::CommitObserver observer();

    /// The cached form of `object`, stored under `key` as `text` (json::serialize's output, its
    /// metadata closing at `metadataEnd` and holding no resourceVersion), for the write's
    /// attachment. Null when the text has no metadata.
    [[nodiscard]] std::shared_ptr<const PreparedObject> prepare(const std::string& key,
                                                                const boost::json::object& object,
                                                                std::string text,
                                                                size_t metadataEnd);

    /// The cache of a resource prefix; created on first use.
    [[nodiscard]] std::shared_ptr<ResourceCache> resource(const std::string& prefix);

    /// The newest revision every cache has seen.
    [[nodiscard]] int64_t revision() const;

    /// Objects and open watchers of every cache, sorted by prefix (for /metrics).
    [[nodiscard]] std::vector<ResourceCount> counts() const;

    void stopWatchers();

private:
    void onCommit(const std::vector<store::Event>& events);
    [[nodiscard]] Status loadResource(ResourceCache& cache);

    store::Store& m_store;
    size_t m_historySize;
    size_t m_hotVersions;
    mutable std::mutex m_mutex;
    std::map<std::string, std::shared_ptr<ResourceCache>, std::less<>> m_caches;
    std::atomic<int64_t> m_revision{0};
    bool m_loaded = false;
};

} // namespace pilot::watchcache
