#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace pilot::watchcache {

/// One version of one object as the cache holds it: the serialized JSON (with
/// `metadata.resourceVersion` set) plus the few values selectors need, extracted once so that
/// LIST and WATCH filtering never re-parse the document. Immutable once built.
struct CachedObject {
    std::string key;
    std::string ns;
    std::string name;
    std::string uid;
    int64_t createRevision = 0;
    int64_t modRevision = 0;
    std::string json;
    std::vector<std::pair<std::string, std::string>> labels;
    /// Values of the resource's selectable fields (`metadata.name`, `spec.nodeName`, ...).
    std::vector<std::pair<std::string, std::string>> fields;

    [[nodiscard]] const std::string* label(std::string_view k) const {
        for (const auto& [lk, lv] : labels) {
            if (lk == k) {
                return &lv;
            }
        }
        return nullptr;
    }
    [[nodiscard]] const std::string* field(std::string_view k) const {
        for (const auto& [fk, fv] : fields) {
            if (fk == k) {
                return &fv;
            }
        }
        return nullptr;
    }
};

using ObjectPtr = std::shared_ptr<const CachedObject>;

enum class EventType { Added, Modified, Deleted };

/// A committed change of one object. For Deleted, `object` is the last state with the
/// deletion's resourceVersion. `previous` is the state before the change (null for Added).
struct WatchEvent {
    EventType type = EventType::Added;
    int64_t revision = 0;
    ObjectPtr object;
    ObjectPtr previous;
};

} // namespace pilot::watchcache
