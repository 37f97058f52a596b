#include "kube/client/indexedcache.h"

#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>

namespace pilot::kube {
namespace json = boost::json;

void IndexedCache::addIndex(const std::string& name, IndexFunc function) {
    std::lock_guard lock(m_mutex);
    Index& index = m_indexes[name];
    index.function = std::move(function);
    index.buckets.clear();
    for (const auto& [key, object] : m_objects) {
        for (std::string& value : index.function(*object)) {
            index.buckets[value].insert(key);
        }
    }
}

ObjectPtr IndexedCache::get(std::string_view key) const {
    std::lock_guard lock(m_mutex);
    auto it = m_objects.find(key);
    return it == m_objects.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> IndexedCache::list() const {
    std::lock_guard lock(m_mutex);
    std::vector<ObjectPtr> out;
    out.reserve(m_objects.size());
    for (const auto& [key, object] : m_objects) {
        out.push_back(object);
    }
    return out;
}

std::vector<std::string> IndexedCache::keys() const {
    std::lock_guard lock(m_mutex);
    std::vector<std::string> out;
    out.reserve(m_objects.size());
    for (const auto& [key, object] : m_objects) {
        out.push_back(key);
    }
    return out;
}

std::size_t IndexedCache::size() const {
    std::lock_guard lock(m_mutex);
    return m_objects.size();
}

std::vector<ObjectPtr> IndexedCache::byIndex(std::string_view name, std::string_view value) const {
    std::lock_guard lock(m_mutex);
    std::vector<ObjectPtr> out;
    auto index = m_indexes.find(name);
    if (index == m_indexes.end()) {
        return out;
    }
    auto bucket = index->second.buckets.find(value);
    if (bucket == index->second.buckets.end()) {
        return out;
    }
    for (const std::string& key : bucket->second) {
        if (auto it = m_objects.find(key); it != m_objects.end()) {
            out.push_back(it->second);
        }
    }
    return out;
}

void IndexedCache::indexLocked(const std::string& key, const json::object& object, bool add) {
    for (auto& [name, index] : m_indexes) {
        for (const std::string& value : index.function(object)) {
            if (add) {
                index.buckets[value].insert(key);
                continue;
            }
            if (auto bucket = index.buckets.find(value); bucket != index.buckets.end()) {
                bucket->second.erase(key);
                if (bucket->second.empty()) {
                    index.buckets.erase(bucket);
                }
            }
        }
    }
}

ObjectPtr IndexedCache::upsert(const std::string& key, ObjectPtr object) {
    std::lock_guard lock(m_mutex);
    ObjectPtr previous;
    if (auto it = m_objects.find(key); it != m_objects.end()) {
        previous = std::move(it->second);
        indexLocked(key, *previous, false);
        it->second = object;
    } else {
        m_objects.emplace(key, object);
    }
    indexLocked(key, *object, true);
    return previous;
}

ObjectPtr IndexedCache::erase(std::string_view key) {
    std::lock_guard lock(m_mutex);
    auto it = m_objects.find(key);
    if (it == m_objects.end()) {
        return nullptr;
    }
    ObjectPtr previous = std::move(it->second);
    m_objects.erase(it);
    indexLocked(std::string(key), *previous, false);
    return previous;
}

IndexFunc namespaceIndex() {
    return [](const json::object& object) {
        return std::vector<std::string>{std::string(namespaceOf(object))};
    };
}

IndexFunc ownerUidIndex() {
    return [](const json::object& object) {
        std::vector<std::string> out;
        if (const json::array* owners = ownerReferences(object)) {
            for (const json::value& owner : *owners) {
                if (owner.is_object()) {
                    if (std::string id = stringAt(owner.get_object(), "uid"); !id.empty()) {
                        out.push_back(std::move(id));
                    }
                }
            }
        }
        return out;
    };
}

IndexFunc fieldIndex(std::string dottedPath) {
    return [path = std::move(dottedPath)](const json::object& object) {
        std::vector<std::string> out;
        const json::object* current = &object;
        std::string_view rest = path;
        while (current) {
            size_t dot = rest.find('.');
            const json::value* v = current->if_contains(rest.substr(0, dot));
            if (!v) {
                break;
            }
            if (dot == std::string_view::npos) {
                if (!v->is_null()) {
                    out.push_back(scalarString(*v));
                }
                break;
            }
            rest.remove_prefix(dot + 1);
            current = v->if_object();
        }
        return out;
    };
}

} // namespace pilot::kube
