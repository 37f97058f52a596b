#include "kube/fieldmanager/createdfields.h"

#include "kube/fieldmanager/fieldsv1.h"
#include "kube/fieldmanager/schemanode.h"

#include <boost/json.hpp>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace pilot::kube::fieldmanager {

namespace json = boost::json;

namespace {

constexpr int MaxDepth = 500; // as compareObjects

/// Which stripped paths lie directly below a node.
enum class Strip { None, Root, Metadata };

bool isStripped(Strip strip, std::string_view key) {
    if (strip == Strip::Root) {
        return std::find(StrippedRootFields.begin(), StrippedRootFields.end(), key) !=
               StrippedRootFields.end();
    }
    if (strip == Strip::Metadata) {
        return std::find(StrippedMetadataFields.begin(), StrippedMetadataFields.end(), key) !=
               StrippedMetadataFields.end();
    }
    return false;
}

/// Mirrors Comparer::compare with no old value: a leaf (scalar, atomic, empty or too deep)
/// is an added path of its own; a struct, map or list adds what is inside it, and itself when
/// marksWhenAdded says so. Children come out sorted by path element, each as FieldsV1 does.
class Walker {
public:
    explicit Walker(std::string_view ignoredRoot) : m_ignoredRoot(ignoredRoot) {}

    [[nodiscard]] bool failed() const { return m_failed; }

    /// Writes the FieldsV1 node of `value` below its parent to `out` (`{}` for a path of its
    /// own, `{".":{},...}` for one that also leads to others). `member`: whether the path may
    /// be owned itself (not stripped). Returns whether anything at or below the path is owned.
    bool node(const json::value& value, const Node& where, bool declared, int depth, bool member,
              Strip strip, json::object& out) {
        const Shape shape = shapeOf(where, value);
        if (isLeaf(shape) || isEmptyValue(value) || depth > MaxDepth) {
            return member;
        }
        const bool self = member && marksWhenAdded(where, declared, shape);
        if (self) {
            out.emplace(".", json::object());
        }
        if (shape == Shape::Struct || shape == Shape::Map) {
            members(value.get_object(), where, depth, strip, out);
        } else {
            items(value.get_array(), where, shape, depth, out);
        }
        if (self && out.size() == 1) {
            out.clear(); // nothing below after all: only a path of its own
        }
        return self || !out.empty();
    }

private:
    void members(const json::object& object, const Node& parent, int depth, Strip strip,
                 json::object& out) {
        // The members in name order, on a stack shared by the whole walk (no allocation per
        // object once it has grown).
        const size_t base = m_members.size();
        for (const json::key_value_pair& kv : object) {
            m_members.push_back(&kv);
        }
        std::sort(m_members.begin() + static_cast<std::ptrdiff_t>(base), m_members.end(),
                  [](const auto* a, const auto* b) { return a->key() < b->key(); });
        out.reserve(out.size() + object.size());
        for (size_t i = base; i < base + object.size() && !m_failed; ++i) {
            const json::key_value_pair& member = *m_members[i];
            const std::string_view key = member.key();
            if (i > base && m_members[i - 1]->key() == key) {
                m_failed = true; // a repeated member: the general path merges them
                break;
            }
            if (strip == Strip::Root && !m_ignoredRoot.empty() && key == m_ignoredRoot) {
                continue; // the reset fields: nothing at or below them is owned
            }
            bool declared = false;
            const Node child = memberNode(parent, key, declared);
            const Strip below =
                strip == Strip::Root && key == "metadata" ? Strip::Metadata : Strip::None;
            json::object entry;
            if (!node(member.value(), child, declared, depth + 1, !isStripped(strip, key), below,
                      entry) ||
                m_failed) {
                continue;
            }
            m_key.assign("f:");
            m_key.append(key);
            out[m_key] = std::move(entry);
        }
        m_members.resize(base);
    }

    void items(const json::array& list, const Node& parent, Shape shape, int depth,
               json::object& out) {
        std::vector<std::pair<PathElement, const json::value*>> sorted;
        sorted.reserve(list.size());
        for (size_t i = 0; i < list.size(); ++i) {
            sorted.emplace_back(*itemElement(parent, shape, list[i], i, false), &list[i]);
        }
        // Equal elements: the first item wins (compareObjects ignores later duplicates).
        std::stable_sort(sorted.begin(), sorted.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        const Node itemType = itemNode(parent);
        out.reserve(out.size() + sorted.size());
        for (size_t i = 0; i < sorted.size(); ++i) {
            if (i > 0 && sorted[i - 1].first == sorted[i].first) {
                continue;
            }
            json::object entry;
            const bool owned =
                node(*sorted[i].second, itemType, false, depth + 1, true, Strip::None, entry);
            if (m_failed) {
                return;
            }
            if (!owned) {
                continue;
            }
            out[encodePathElement(sorted[i].first)] = std::move(entry);
        }
    }

    std::string_view m_ignoredRoot;
    std::string m_key;
    std::vector<const json::key_value_pair*> m_members;
    bool m_failed = false;
};

} // namespace

std::optional<json::object> createdFieldsV1(const json::value& obj, const schema::Type* type,
                                            std::string_view ignoredRoot) {
    Walker walker(ignoredRoot);
    json::object fields;
    // The root is never a path of its own (its path is empty); its members are.
    walker.node(obj, Node{type, nullptr}, false, 0, false, Strip::Root, fields);
    if (walker.failed()) {
        return std::nullopt;
    }
    return fields;
}

} // namespace pilot::kube::fieldmanager
