#pragma once

#include <boost/json/object.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pilot::kube {

/// Objects are shared, immutable snapshots: handlers and listers may keep them.
using ObjectPtr = std::shared_ptr<const boost::json::object>;

/// The index values of one object (an object may be in several buckets, or none).
using IndexFunc = std::function<std::vector<std::string>(const boost::json::object&)>;

/// An informer's local copy of a resource: objects by `namespace/name` key plus named secondary
/// indexes. Thread-safe; readers get shared snapshots and never block the informer for long.
class IndexedCache {
public:
    /// Adds an index and fills it from the objects already present.
    void addIndex(const std::string& name, IndexFunc function);

    [[nodiscard]] ObjectPtr get(std::string_view key) const;
    [[nodiscard]] std::vector<ObjectPtr> list() const;
    [[nodiscard]] std::vector<std::string> keys() const;
    [[nodiscard]] std::size_t size() const;
    /// Objects whose index `name` yields `value`, in key order. Empty for an unknown index.
    [[nodiscard]] std::vector<ObjectPtr> byIndex(std::string_view name,
                                                 std::string_view value) const;

    /// Stores an object under `key`; returns the previous one (nullptr if new).
    ObjectPtr upsert(const std::string& key, ObjectPtr object);
    /// Removes `key`; returns what was stored (nullptr if absent).
    ObjectPtr erase(std::string_view key);

private:
    struct Index {
        IndexFunc function;
        std::map<std::string, std::set<std::string>, std::less<>> buckets;
    };
    void indexLocked(const std::string& key, const boost::json::object& object, bool add);

    mutable std::mutex m_mutex;
    std::map<std::string, ObjectPtr, std::less<>> m_objects;
    std::map<std::string, Index, std::less<>> m_indexes;
};

/// Index by `metadata.namespace`.
[[nodiscard]] IndexFunc namespaceIndex();
/// Index by the uid of every owner reference (find what a ReplicaSet or Job owns).
[[nodiscard]] IndexFunc ownerUidIndex();
/// Index by the string form of a field (`spec.nodeName`); objects without it are not indexed.
[[nodiscard]] IndexFunc fieldIndex(std::string dottedPath);

} // namespace pilot::kube
