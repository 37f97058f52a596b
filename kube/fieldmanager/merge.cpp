#include "kube/fieldmanager/merge.h"

#include "kube/fieldmanager/schemanode.h"

#include <boost/json.hpp>

#include <map>
#include <set>

namespace pilot::kube::fieldmanager {

namespace json = boost::json;

namespace {

constexpr int MaxDepth = 500;

json::value merge(const json::value* live, const json::value& applied, const Node& node, int depth);

json::value mergeObjects(const json::value* live, const json::object& applied, const Node& node,
                         int depth) {
    json::object out = live != nullptr && live->is_object() ? live->get_object() : json::object();
    for (const auto& [key, value] : applied) {
        if (value.is_null()) {
            out.erase(key);
            continue;
        }
        bool declared = false;
        const Node child = memberNode(node, key, declared);
        json::value merged = merge(out.if_contains(key), value, child, depth + 1);
        out.insert_or_assign(key, std::move(merged));
    }
    return out;
}

struct Indexed {
    std::vector<PathElement> order;
    std::map<PathElement, const json::value*> items; // the first item of each element
    std::map<PathElement, std::vector<const json::value*>> duplicates; // later ones
};

Indexed indexList(const json::array& list, const Node& node, Shape shape) {
    Indexed out;
    for (size_t i = 0; i < list.size(); ++i) {
        PathElement element = *itemElement(node, shape, list[i], i, false);
        if (out.items.emplace(element, &list[i]).second) {
            out.order.push_back(std::move(element));
        } else {
            out.duplicates[element].push_back(&list[i]);
        }
    }
    return out;
}

/// Upstream mergingWalker.visitListItems: walks both lists at once; items only live has stay
/// where they are, items both have follow the applied order, and applied-only items come where
/// the applied list puts them relative to the shared ones.
json::value mergeLists(const json::value* live, const json::array& applied, const Node& node,
                       Shape shape, int depth) {
    static const json::array Empty;
    const json::array& lhs = live != nullptr && live->is_array() ? live->get_array() : Empty;
    const Indexed left = indexList(lhs, node, shape);
    const Indexed right = indexList(applied, node, shape);
    const Node itemType = itemNode(node);

    std::vector<const PathElement*> shared;
    for (const PathElement& e : right.order) {
        if (left.items.contains(e)) {
            shared.push_back(&e);
        }
    }
    size_t nextShared = 0;
    const auto isNextShared = [&](const PathElement& e) {
        return nextShared < shared.size() && *shared[nextShared] == e;
    };
    std::set<PathElement> mergedRight;
    json::array out;
    const auto emit = [&](const PathElement& e) {
        auto l = left.items.find(e);
        const json::value* lv = l != left.items.end() ? l->second : nullptr;
        out.push_back(merge(lv, *right.items.at(e), itemType, depth + 1));
        mergedRight.insert(e);
    };
    size_t li = 0;
    size_t ri = 0;
    while (li < left.order.size() || ri < right.order.size()) {
        if (li < left.order.size() && ri < right.order.size()) {
            const PathElement& e = left.order[li];
            if (e == right.order[ri]) {
                emit(e);
                ++li;
                ++ri;
                if (isNextShared(e)) {
                    ++nextShared;
                }
                continue;
            }
            if (right.items.contains(e) && nextShared < shared.size() && !isNextShared(e)) {
                ++li; // shared, but another shared item comes first in the applied order
                continue;
            }
        }
        if (li < left.order.size()) {
            const PathElement& e = left.order[li];
            if (!right.items.contains(e)) {
                // Untouched live items stay, duplicates included; the applied configuration
                // replaces all duplicates of an item it names.
                out.push_back(*left.items.at(e));
                if (auto dup = left.duplicates.find(e); dup != left.duplicates.end()) {
                    for (const json::value* item : dup->second) {
                        out.push_back(*item);
                    }
                }
                ++li;
                continue;
            }
            if (mergedRight.contains(e)) {
                ++li;
                continue;
            }
        }
        if (ri < right.order.size()) {
            const PathElement& e = right.order[ri];
            emit(e);
            ++ri;
            if (isNextShared(e)) {
                ++nextShared;
            }
        }
    }
    return out;
}

json::value merge(const json::value* live, const json::value& applied, const Node& node,
                  int depth) {
    const Shape shape = shapeOf(node, applied);
    if (isLeaf(shape) || depth > MaxDepth) {
        return applied;
    }
    if (live != nullptr && shapeOf(node, *live) != shape) {
        live = nullptr; // a different kind of value is replaced, not merged
    }
    if (shape == Shape::Struct || shape == Shape::Map) {
        return mergeObjects(live, applied.get_object(), node, depth);
    }
    return mergeLists(live, applied.get_array(), node, shape, depth);
}

} // namespace

json::value mergeApplied(const json::value& live, const json::value& applied,
                         const schema::Type* type) {
    return merge(&live, applied, Node{type, nullptr}, 0);
}

} // namespace pilot::kube::fieldmanager
