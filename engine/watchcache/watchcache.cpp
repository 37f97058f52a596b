#include "engine/watchcache/watchcache.h"
#include "kube/jsonutil.h"

#include "core/log.h"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace pilot::watchcache {
namespace json = boost::json;

namespace {

const json::value* lookup(const json::value& root, std::string_view path) {
    const json::value* current = &root;
    while (!path.empty()) {
        size_t dot = path.find('.');
        std::string_view part = path.substr(0, dot);
        const json::object* object = current->if_object();
        if (!object) {
            return nullptr;
        }
        auto it = object->find(part);
        if (it == object->end()) {
            return nullptr;
        }
        current = &it->value();
        path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    }
    return current;
}

std::string scalarText(const json::value& v) {
    if (const json::string* s = v.if_string()) {
        return std::string(*s);
    }
    if (v.is_null()) {
        return "";
    }
    return json::serialize(v);
}

const std::vector<std::string> DefaultFields = {"metadata.name", "metadata.namespace"};

} // namespace

std::shared_ptr<const FieldLayout> FieldLayout::fromSpecs(const std::vector<std::string>& specs) {
    auto layout = std::make_shared<FieldLayout>();
    for (const auto& list : {std::cref(DefaultFields), std::cref(specs)}) {
        for (const std::string& spec : list.get()) {
            // `NAME=PATH`: the field is selected as NAME and read from PATH.
            size_t eq = spec.find('=');
            std::string name = spec.substr(0, eq);
            if (layout->indexOf(name)) {
                continue;
            }
            layout->paths.push_back(eq == std::string::npos ? spec : spec.substr(eq + 1));
            layout->names.push_back(std::move(name));
        }
    }
    return layout;
}

PackedStrings::PackedStrings(const std::vector<std::string>& values)
    : m_count(static_cast<uint32_t>(values.size())) {
    size_t text = 0;
    for (const std::string& v : values) {
        text += v.size();
    }
    m_data.reserve(values.size() * sizeof(uint32_t) + text);
    uint32_t end = 0;
    for (const std::string& v : values) {
        end += static_cast<uint32_t>(v.size());
        m_data.append(reinterpret_cast<const char*>(&end), sizeof end);
    }
    for (const std::string& v : values) {
        m_data += v;
    }
}

std::string resourcePrefixOf(std::string_view key) {
    // "/registry/<group>/<plural>/..." -> first three segments.
    size_t pos = 0;
    for (int segment = 0; segment < 3; ++segment) {
        pos = key.find('/', pos + 1);
        if (pos == std::string_view::npos) {
            return std::string(key);
        }
    }
    return std::string(key.substr(0, pos));
}

namespace {

/// What selectors need of an object, read from its parsed form.
template <typename Target>
void extractSelectable(const json::object& doc, const FieldLayoutPtr& fieldLayout, Target& out) {
    const json::object* metadata = nullptr;
    if (const json::value* m = doc.if_contains("metadata"); m && m->is_object()) {
        metadata = &m->get_object();
    }
    if (metadata != nullptr) {
        if (auto* name = metadata->if_contains("name"); name && name->is_string()) {
            out.name = std::string(name->get_string());
        }
        if (auto* ns = metadata->if_contains("namespace"); ns && ns->is_string()) {
            out.ns = std::string(ns->get_string());
        }
        if (auto* uid = metadata->if_contains("uid"); uid && uid->is_string()) {
            out.uid = std::string(uid->get_string());
        }
        if (auto* labels = metadata->if_contains("labels"); labels && labels->is_object()) {
            out.labels.reserve(labels->get_object().size());
            for (const auto& [k, v] : labels->get_object()) {
                out.labels.emplace_back(std::string(k), scalarText(v));
            }
        }
    }
    if (fieldLayout) {
        std::vector<std::string> values;
        values.reserve(fieldLayout->paths.size());
        for (const std::string& path : fieldLayout->paths) {
            const size_t dot = path.find('.');
            const json::value* v = nullptr;
            if (auto it = doc.find(std::string_view(path).substr(0, dot)); it != doc.end()) {
                v = dot == std::string::npos
                        ? &it->value()
                        : lookup(it->value(), std::string_view(path).substr(dot + 1));
            }
            values.push_back(v ? scalarText(*v) : std::string());
        }
        out.fieldLayout = fieldLayout;
        out.fieldValues = PackedStrings(values);
    }
}

} // namespace

std::string withResourceVersion(std::string_view text, size_t metadataEnd, int64_t revision) {
    const std::string member = fmt::format("\"resourceVersion\":\"{}\"", revision);
    std::string out;
    out.reserve(text.size() + member.size() + 1);
    out.append(text.substr(0, metadataEnd));
    if (metadataEnd > 0 && text[metadataEnd - 1] != '{') {
        out += ',';
    }
    out += member;
    out.append(text.substr(metadataEnd));
    return out;
}

std::shared_ptr<const PreparedObject> WatchCache::prepare(const std::string& key,
                                                          const json::object& object,
                                                          std::string text, size_t metadataEnd) {
    if (metadataEnd == 0 || metadataEnd >= text.size() || text[metadataEnd] != '}') {
        return nullptr;
    }
    auto prepared = std::make_shared<PreparedObject>();
    extractSelectable(object, resource(resourcePrefixOf(key))->fieldLayout(), *prepared);
    prepared->text = std::move(text);
    prepared->metadataEnd = metadataEnd;
    return prepared;
}

namespace {

ObjectPtr fromPrepared(const PreparedObject& prepared, const store::Event& e) {
    auto object = std::make_shared<CachedObject>();
    object->key = e.key;
    object->ns = prepared.ns;
    object->name = prepared.name;
    object->uid = prepared.uid;
    object->createRevision = e.createRevision;
    object->modRevision = e.revision;
    object->labels = prepared.labels;
    object->fieldLayout = prepared.fieldLayout;
    object->fieldValues = prepared.fieldValues;
    object->json.assign(withResourceVersion(prepared.text, prepared.metadataEnd, e.revision));
    return object;
}

} // namespace

Result<ObjectPtr> buildCachedObject(const std::string& key, std::string_view value,
                                    int64_t createRevision, int64_t modRevision,
                                    const FieldLayoutPtr& fieldLayout) {
    boost::system::error_code ec;
    json::value doc = kube::parseJsonText(value, ec);
    if (ec || !doc.is_object()) {
        return fail(ErrorCode::Internal, fmt::format("stored object {} is not valid JSON", key));
    }
    auto object = std::make_shared<CachedObject>();
    object->key = key;
    object->createRevision = createRevision;
    object->modRevision = modRevision;
    json::value& metaValue = doc.as_object()["metadata"];
    if (!metaValue.is_object()) {
        metaValue = json::object();
    }
    metaValue.as_object()["resourceVersion"] = std::to_string(modRevision);
    extractSelectable(doc.as_object(), fieldLayout, *object);
    // assign() trims the capacity serialize() grew by doubling.
    object->json.assign(json::serialize(doc));
    return ObjectPtr(std::move(object));
}

WatchCache::WatchCache(store::Store& store, size_t historyPerResource,
                       size_t hotVersionsPerResource)
    : m_store(store), m_historySize(historyPerResource), m_hotVersions(hotVersionsPerResource) {}

Status WatchCache::registerResource(const std::string& prefix,
                                    std::vector<std::string> fieldPaths) {
    std::shared_ptr<ResourceCache> cache;
    bool loaded = false;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_caches.find(prefix);
        if (it != m_caches.end() && it->second->fieldPaths() == fieldPaths) {
            return {};
        }
        cache = std::make_shared<ResourceCache>(prefix, std::move(fieldPaths), m_historySize,
                                                m_hotVersions);
        m_caches[prefix] = cache;
        loaded = m_loaded;
    }
    if (loaded) {
        return loadResource(*cache);
    }
    return {};
}

Status WatchCache::loadResource(ResourceCache& cache) {
    auto listed = m_store.list(cache.prefix() + "/");
    if (!listed) {
        return std::unexpected(listed.error());
    }
    // Rebuild the replayable history from the store's event log so that watches resumed after a
    // restart continue without gaps.
    int64_t historyStart = m_store.compactedRevision();
    std::vector<WatchEvent> history;
    std::map<std::string, ObjectPtr> last;
    auto events = m_store.eventsSince(historyStart, cache.prefix() + "/");
    if (events) {
        for (const store::Event& e : *events) {
            auto object = buildCachedObject(e.key, e.value, e.createRevision, e.revision,
                                            cache.fieldLayout());
            if (!object) {
                continue;
            }
            auto it = last.find(e.key);
            ObjectPtr previous = it == last.end() ? nullptr : it->second;
            EventType type = e.type == store::EventType::Delete ? EventType::Deleted
                             : e.prevModRevision == 0           ? EventType::Added
                                                                : EventType::Modified;
            history.push_back(WatchEvent{type, e.revision, *object, previous});
            if (type == EventType::Deleted) {
                last.erase(e.key);
            } else {
                last[e.key] = *object;
            }
        }
    } else {
        historyStart = listed->revision;
    }
    std::vector<ObjectPtr> objects;
    objects.reserve(listed->items.size());
    for (const store::KeyValue& kv : listed->items) {
        // A current object whose last change is in the history is that event's object.
        if (auto it = last.find(kv.key);
            it != last.end() && it->second->modRevision == kv.modRevision) {
            objects.push_back(it->second);
            continue;
        }
        auto object = buildCachedObject(kv.key, kv.value, kv.createRevision, kv.modRevision,
                                        cache.fieldLayout());
        if (!object) {
            log::warn("watchcache", "{}", object.error().message);
            continue;
        }
        objects.push_back(std::move(*object));
    }
    cache.load(std::move(objects), std::move(history), listed->revision, historyStart);
    cache.compressCold();
    return {};
}

Status WatchCache::load() {
    std::vector<std::shared_ptr<ResourceCache>> caches;
    {
        std::lock_guard lock(m_mutex);
        for (const auto& [prefix, cache] : m_caches) {
            caches.push_back(cache);
        }
        m_loaded = true;
    }
    m_revision.store(m_store.currentRevision());
    for (const auto& cache : caches) {
        if (auto status = loadResource(*cache); !status) {
            return status;
        }
    }
    return {};
}

store::CommitObserver WatchCache::observer() {
    return [this](const std::vector<store::Event>& events) { onCommit(events); };
}

std::shared_ptr<ResourceCache> WatchCache::resource(const std::string& prefix) {
    std::lock_guard lock(m_mutex);
    auto it = m_caches.find(prefix);
    if (it != m_caches.end()) {
        return it->second;
    }
    auto cache = std::make_shared<ResourceCache>(prefix, std::vector<std::string>{}, m_historySize,
                                                 m_hotVersions);
    cache->advance(m_revision.load());
    m_caches.emplace(prefix, cache);
    return cache;
}

int64_t WatchCache::revision() const {
    return m_revision.load();
}

std::vector<ResourceCount> WatchCache::counts() const {
    std::vector<std::shared_ptr<ResourceCache>> caches;
    {
        std::lock_guard lock(m_mutex);
        for (const auto& [prefix, cache] : m_caches) {
            caches.push_back(cache);
        }
    }
    std::vector<ResourceCount> out;
    out.reserve(caches.size());
    for (const auto& cache : caches) {
        out.push_back(ResourceCount{cache->prefix(), cache->size(), cache->watcherCount()});
    }
    return out;
}

void WatchCache::onCommit(const std::vector<store::Event>& events) {
    if (events.empty()) {
        return;
    }
    int64_t batchRevision = events.back().revision;
    std::map<std::string, std::vector<WatchEvent>> byResource;
    std::map<std::string, std::shared_ptr<ResourceCache>> caches;
    for (const store::Event& e : events) {
        std::string prefix = resourcePrefixOf(e.key);
        auto& cache = caches[prefix];
        if (!cache) {
            cache = resource(prefix);
        }
        // A write prepared by prepare() for this layout (a CRD's may have changed since) needs
        // no parsing here, on the store's writer thread.
        const auto* prepared = static_cast<const PreparedObject*>(e.attachment.get());
        auto object = prepared != nullptr && e.type == store::EventType::Put &&
                              prepared->fieldLayout == cache->fieldLayout()
                          ? Result<ObjectPtr>(fromPrepared(*prepared, e))
                          : buildCachedObject(e.key, e.value, e.createRevision, e.revision,
                                              cache->fieldLayout());
        if (!object) {
            log::error("watchcache", "{}", object.error().message);
            continue;
        }
        ObjectPtr previous = cache->get(e.key);
        // Several writes to one key in one batch: chain from the batch's own earlier event.
        auto& list = byResource[prefix];
        for (auto it = list.rbegin(); it != list.rend(); ++it) {
            if (it->object->key == e.key) {
                previous = it->type == EventType::Deleted ? nullptr : it->object;
                break;
            }
        }
        EventType type = e.type == store::EventType::Delete ? EventType::Deleted
                         : previous                         ? EventType::Modified
                                                            : EventType::Added;
        list.push_back(WatchEvent{type, e.revision, *object, previous});
    }
    std::vector<std::shared_ptr<ResourceCache>> all;
    {
        std::lock_guard lock(m_mutex);
        for (const auto& [prefix, cache] : m_caches) {
            all.push_back(cache);
        }
    }
    std::vector<std::pair<std::vector<std::shared_ptr<Watcher>>, const std::vector<WatchEvent>*>>
        fanOuts;
    for (const auto& cache : all) {
        auto it = byResource.find(cache->prefix());
        if (it == byResource.end()) {
            cache->advance(batchRevision);
        } else {
            fanOuts.emplace_back(cache->apply(it->second, batchRevision), &it->second);
        }
    }
    m_revision.store(batchRevision);
    // Watchers hear of the batch only now: whoever they wake finds revision() covering it.
    for (const auto& [watchers, resourceEvents] : fanOuts) {
        ResourceCache::fanOut(watchers, *resourceEvents);
    }
    for (const auto& cache : all) {
        if (byResource.contains(cache->prefix())) {
            cache->compressCold();
        }
    }
}

void WatchCache::stopWatchers() {
    std::lock_guard lock(m_mutex);
    for (const auto& [prefix, cache] : m_caches) {
        cache->stopWatchers();
    }
}

} // namespace pilot::watchcache
