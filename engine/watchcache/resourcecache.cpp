#include "engine/watchcache/resourcecache.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

namespace pilot::watchcache {

ResourceCache::ResourceCache(std::string prefix, std::vector<std::string> fieldPaths,
                             size_t historySize, size_t hotVersions)
    : m_prefix(std::move(prefix)), m_fieldPaths(std::move(fieldPaths)),
      m_fieldLayout(FieldLayout::fromSpecs(m_fieldPaths)), m_historySize(historySize),
      m_hotVersions(hotVersions) {}

ObjectPtr ResourceCache::get(const std::string& key) const {
    std::lock_guard lock(m_mutex);
    auto it = m_objects.find(key);
    return it == m_objects.end() ? nullptr : it->second;
}

std::map<std::string, ObjectPtr> ResourceCache::snapshotAt(int64_t revision) const {
    // Roll the current state back through the events newer than `revision`.
    std::map<std::string, ObjectPtr> state = m_objects;
    for (auto it = m_history.rbegin(); it != m_history.rend() && it->revision > revision; ++it) {
        const std::string& key = it->object->key;
        switch (it->type) {
        case EventType::Added:
            state.erase(key);
            break;
        case EventType::Modified:
        case EventType::Deleted:
            if (it->previous) {
                state[key] = it->previous;
            } else {
                state.erase(key);
            }
            break;
        }
    }
    return state;
}

Result<ListPage> ResourceCache::list(const ListRequest& request) const {
    std::lock_guard lock(m_mutex);
    ListPage page;
    const std::map<std::string, ObjectPtr>* source = &m_objects;
    std::map<std::string, ObjectPtr> rolledBack;
    page.revision = m_revision;
    if (request.atRevision > 0 && request.atRevision < m_revision) {
        if (request.atRevision < m_historyStart) {
            return fail(ErrorCode::Gone, fmt::format("too old resource version: {} ({})",
                                                     request.atRevision, m_historyStart + 1));
        }
        rolledBack = snapshotAt(request.atRevision);
        source = &rolledBack;
        page.revision = request.atRevision;
    }
    auto it = request.afterKey.empty() ? source->begin() : source->upper_bound(request.afterKey);
    if (!request.filter.ns.empty() && request.afterKey.empty()) {
        // Keys are `<prefix>/<ns>/<name>`: jump to the namespace's range.
        it = source->lower_bound(m_prefix + "/" + request.filter.ns + "/");
    }
    for (; it != source->end(); ++it) {
        const CachedObject& object = *it->second;
        if (!request.filter.ns.empty() && object.ns != request.filter.ns) {
            if (object.ns > request.filter.ns) {
                break;
            }
            continue;
        }
        if (!request.filter.matches(object)) {
            continue;
        }
        if (request.limit > 0 && static_cast<int64_t>(page.items.size()) >= request.limit) {
            ++page.remainingItems;
            continue;
        }
        page.items.push_back(it->second);
    }
    if (page.remainingItems > 0 && !page.items.empty()) {
        page.continueKey = page.items.back()->key;
    }
    return page;
}

Result<std::shared_ptr<Watcher>> ResourceCache::watch(Filter filter, int64_t fromRevision,
                                                      size_t queueCapacity) {
    std::lock_guard lock(m_mutex);
    if (fromRevision > 0 && fromRevision < m_historyStart) {
        return fail(ErrorCode::Gone, fmt::format("too old resource version: {} ({})", fromRevision,
                                                 m_historyStart + 1));
    }
    size_t initial = fromRevision == 0 ? m_objects.size() : 0;
    auto watcher = std::make_shared<Watcher>(std::move(filter), queueCapacity + initial);
    if (fromRevision == 0) {
        for (const auto& [key, object] : m_objects) {
            if (watcher->filter().matches(*object)) {
                watcher->push(WatchEvent{EventType::Added, object->modRevision, object, nullptr});
            }
        }
    } else {
        for (const WatchEvent& event : m_history) {
            if (event.revision > fromRevision) {
                watcher->offer(event);
            }
        }
    }
    m_watchers.push_back(watcher);
    return watcher;
}

int64_t ResourceCache::revision() const {
    std::lock_guard lock(m_mutex);
    return m_revision;
}

size_t ResourceCache::size() const {
    std::lock_guard lock(m_mutex);
    return m_objects.size();
}

size_t ResourceCache::watcherCount() const {
    std::lock_guard lock(m_mutex);
    return static_cast<size_t>(std::count_if(m_watchers.begin(), m_watchers.end(),
                                             [](const auto& w) { return !w->stopped(); }));
}

void ResourceCache::load(std::vector<ObjectPtr> objects, std::vector<WatchEvent> history,
                         int64_t revision, int64_t historyStart) {
    std::lock_guard lock(m_mutex);
    m_objects.clear();
    for (ObjectPtr& object : objects) {
        std::string key = object->key;
        m_objects.emplace(std::move(key), std::move(object));
    }
    m_history.assign(std::make_move_iterator(history.begin()),
                     std::make_move_iterator(history.end()));
    // Oldest first, so the newest versions are the ones left hot.
    m_hot.clear();
    std::unordered_set<const CachedObject*> inHistory;
    for (const WatchEvent& event : m_history) {
        m_hot.push_back(event.object);
        inHistory.insert(event.object.get());
    }
    for (const auto& [key, object] : m_objects) {
        if (!inHistory.contains(object.get())) {
            m_hot.push_front(object);
        }
    }
    m_historyStart = historyStart;
    m_revision = std::max(m_revision, revision);
    trimHistory();
}

std::vector<std::shared_ptr<Watcher>> ResourceCache::apply(const std::vector<WatchEvent>& events,
                                                           int64_t batchRevision) {
    std::vector<std::shared_ptr<Watcher>> watchers;
    {
        std::lock_guard lock(m_mutex);
        for (const WatchEvent& event : events) {
            if (event.type == EventType::Deleted) {
                m_objects.erase(event.object->key);
            } else {
                m_objects[event.object->key] = event.object;
            }
            m_history.push_back(event);
            m_hot.push_back(event.object);
        }
        m_revision = std::max(m_revision, batchRevision);
        trimHistory();
        std::erase_if(m_watchers, [](const auto& w) { return w->stopped(); });
        watchers = m_watchers;
    }
    return watchers;
}

void ResourceCache::fanOut(const std::vector<std::shared_ptr<Watcher>>& watchers,
                           const std::vector<WatchEvent>& events) {
    // Fan-out happens outside the cache lock: readers are never blocked by slow filters.
    // Watchers registered after the lock was released saw these events in the history.
    for (const auto& watcher : watchers) {
        for (const WatchEvent& event : events) {
            watcher->offer(event);
        }
    }
}

void ResourceCache::advance(int64_t revision) {
    std::lock_guard lock(m_mutex);
    m_revision = std::max(m_revision, revision);
}

void ResourceCache::compressCold() {
    std::lock_guard serial(m_compressMutex);
    std::vector<ObjectPtr> cold;
    std::vector<ObjectPtr> samples;
    std::shared_ptr<const TextCodec> codec;
    {
        std::lock_guard lock(m_mutex);
        if (m_hot.size() <= m_hotVersions) {
            return;
        }
        while (m_hot.size() > m_hotVersions) {
            cold.push_back(std::move(m_hot.front()));
            m_hot.pop_front();
        }
        if (!m_codec || m_compressedWithCodec >= CodecRefreshCompressions) {
            // The dictionary is made of the newest versions, still uncompressed.
            constexpr size_t SampleVersions = 64;
            size_t from = m_hot.size() > SampleVersions ? m_hot.size() - SampleVersions : 0;
            samples.assign(m_hot.begin() + static_cast<std::ptrdiff_t>(from), m_hot.end());
        }
        codec = m_codec;
    }
    if (!samples.empty()) {
        std::vector<std::string_view> views;
        views.reserve(samples.size());
        for (const ObjectPtr& sample : samples) {
            views.push_back(sample->json.rawView());
        }
        if (auto fresh = TextCodec::fromSamples(views)) {
            codec = std::move(fresh);
            std::lock_guard lock(m_mutex);
            m_codec = codec;
            m_compressedWithCodec = 0;
        }
    }
    if (!codec) {
        return;
    }
    size_t compressed = 0;
    for (const ObjectPtr& object : cold) {
        // Held by nothing but the hot queue: the version is gone, nothing to keep small.
        if (object.use_count() > 1) {
            object->json.compress(codec);
            object->protobuf.reset();
            ++compressed;
        }
    }
    std::lock_guard lock(m_mutex);
    if (m_codec == codec) {
        m_compressedWithCodec += compressed;
    }
}

ResourceCache::TextStats ResourceCache::textStats() const {
    std::lock_guard lock(m_mutex);
    TextStats stats;
    for (const auto& [key, object] : m_objects) {
        ++stats.objects;
        stats.compressed += object->json.compressed() ? 1 : 0;
        stats.jsonBytes += object->json.size();
        stats.heldBytes += object->json.heldBytes();
    }
    return stats;
}

void ResourceCache::stopWatchers() {
    std::vector<std::shared_ptr<Watcher>> watchers;
    {
        std::lock_guard lock(m_mutex);
        watchers.swap(m_watchers);
    }
    for (const auto& watcher : watchers) {
        watcher->stop();
    }
}

void ResourceCache::trimHistory() {
    while (m_history.size() > m_historySize) {
        m_historyStart = m_history.front().revision;
        m_history.pop_front();
    }
}

} // namespace pilot::watchcache
