#pragma once

#include "engine/watchcache/objecttext.h"

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pilot::watchcache {

/// The selectable fields of one resource, shared by all its cached objects: each field's name
/// as selectors use it and the JSON path it is read from (`NAME=PATH` in the type registry).
/// `metadata.name` and `metadata.namespace` come first; a name is listed once.
struct FieldLayout {
    std::vector<std::string> names;
    std::vector<std::string> paths;

    [[nodiscard]] static std::shared_ptr<const FieldLayout>
    fromSpecs(const std::vector<std::string>& specs);
    [[nodiscard]] std::optional<size_t> indexOf(std::string_view name) const {
        for (size_t i = 0; i < names.size(); ++i) {
            if (names[i] == name) {
                return i;
            }
        }
        return std::nullopt;
    }
};
using FieldLayoutPtr = std::shared_ptr<const FieldLayout>;

/// A few short strings in one allocation: end offsets (uint32 each) followed by the characters.
/// An event's thirteen selectable values held as strings in pairs with their names took more
/// memory than the event's JSON.
class PackedStrings {
public:
    PackedStrings() = default;
    explicit PackedStrings(const std::vector<std::string>& values);

    [[nodiscard]] size_t size() const { return m_count; }
    [[nodiscard]] std::string_view at(size_t i) const {
        const char* ends = m_data.data();
        auto endOf = [ends](size_t k) {
            uint32_t e = 0;
            std::memcpy(&e, ends + k * sizeof(uint32_t), sizeof e);
            return e;
        };
        size_t text = m_count * sizeof(uint32_t);
        uint32_t begin = i == 0 ? 0 : endOf(i - 1);
        return std::string_view(m_data).substr(text + begin, endOf(i) - begin);
    }

private:
    std::string m_data;
    uint32_t m_count = 0;
};

/// A value derived from an immutable object on first use and shared by every reader after it
/// (thread-safe). Copies start empty.
template <class T>
class LazySlot {
public:
    LazySlot() = default;
    LazySlot(const LazySlot& /*other*/) {}
    LazySlot& operator=(const LazySlot& /*other*/) { return *this; }

    [[nodiscard]] std::shared_ptr<const T> get() const {
        return m_value.load(std::memory_order_acquire);
    }
    /// Keeps `value` unless another reader got there first; returns whichever is kept.
    std::shared_ptr<const T> offer(std::shared_ptr<const T> value) const {
        std::shared_ptr<const T> expected;
        if (m_value.compare_exchange_strong(expected, value, std::memory_order_acq_rel)) {
            return value;
        }
        return expected;
    }
    void reset() const { m_value.store(nullptr, std::memory_order_release); }

private:
    mutable std::atomic<std::shared_ptr<const T>> m_value;
};

/// One version of one object as the cache holds it: the serialized JSON (with
/// `metadata.resourceVersion` set; compressed once the version is no longer recent) plus the few
/// values selectors need, extracted once so that LIST and WATCH filtering never re-parse the
/// document. Immutable once built.
struct CachedObject {
    std::string key;
    std::string ns;
    std::string name;
    std::string uid;
    int64_t createRevision = 0;
    int64_t modRevision = 0;
    ObjectText json;
    std::vector<std::pair<std::string, std::string>> labels;
    /// Values of the resource's selectable fields (`metadata.name`, `spec.nodeName`, ...), in
    /// the order of `fieldLayout`.
    FieldLayoutPtr fieldLayout;
    PackedStrings fieldValues;
    /// The enveloped protobuf form, made for the first protobuf watcher that gets this version
    /// and sent as it is to the others; dropped when the version turns cold.
    LazySlot<std::string> protobuf;

    [[nodiscard]] const std::string* label(std::string_view k) const {
        for (const auto& [lk, lv] : labels) {
            if (lk == k) {
                return &lv;
            }
        }
        return nullptr;
    }
    /// The value of a selectable field; nullopt for a field the resource does not have. A field
    /// absent from the object reads as "".
    [[nodiscard]] std::optional<std::string_view> field(std::string_view k) const {
        if (!fieldLayout) {
            return std::nullopt;
        }
        std::optional<size_t> i = fieldLayout->indexOf(k);
        return i ? std::optional(fieldValues.at(*i)) : std::nullopt;
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
