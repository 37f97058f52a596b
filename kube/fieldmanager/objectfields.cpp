#include "kube/fieldmanager/objectfields.h"

#include "kube/fieldmanager/schemanode.h"
#include "kube/jsonutil.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <map>
#include <optional>

namespace pilot::kube::fieldmanager {

namespace json = boost::json;

namespace {

constexpr int MaxDepth = 500;

// --- fieldsOf -------------------------------------------------------------------------------

void collectFields(const json::value& value, const Node& node, Path& path, FieldSet& out,
                   int depth) {
    if (value.is_null()) {
        // A null struct, map or granular list sets nothing (upstream ToFieldSet); a null
        // scalar or atomic value is a leaf.
        const Shape declared = declaredShape(node);
        if (declared != Shape::Struct && declared != Shape::Map && !isList(declared)) {
            out.insert(path);
        }
        return;
    }
    const Shape shape = shapeOf(node, value);
    if (isLeaf(shape) || depth > MaxDepth) {
        out.insert(path);
        return;
    }
    if (shape == Shape::Struct || shape == Shape::Map) {
        // Empty structs, maps and lists set nothing: only what is inside them counts.
        for (const auto& [key, child] : value.get_object()) {
            bool declared = false;
            const Node childNode = memberNode(node, key, declared);
            path.push_back(PathElement::ofField(std::string(key)));
            collectFields(child, childNode, path, out, depth + 1);
            if (!declared) {
                out.insert(path); // map entries are members of their own
            }
            path.pop_back();
        }
        return;
    }
    const json::array& items = value.get_array();
    const Node itemType = itemNode(node);
    for (size_t i = 0; i < items.size(); ++i) {
        auto element = itemElement(node, shape, items[i], i, false);
        path.push_back(std::move(*element));
        collectFields(items[i], itemType, path, out, depth + 1);
        out.insert(path); // list items are members of their own
        path.pop_back();
    }
}

// --- validateApplied --------------------------------------------------------------------------

Status validateNode(const json::value& value, const Node& node, Path& path, int depth) {
    if (depth > MaxDepth) {
        return fail(ErrorCode::InvalidArgument, "the applied configuration is nested too deeply");
    }
    const Shape shape = shapeOf(node, value);
    if (shape == Shape::Struct || shape == Shape::Map) {
        for (const auto& [key, child] : value.get_object()) {
            bool declared = false;
            const Node childNode = memberNode(node, key, declared);
            path.push_back(PathElement::ofField(std::string(key)));
            if (auto st = validateNode(child, childNode, path, depth + 1); !st) {
                return st;
            }
            path.pop_back();
        }
        return {};
    }
    if (!isList(shape)) {
        return {};
    }
    const json::array& items = value.get_array();
    const Node itemType = itemNode(node);
    std::vector<PathElement> seen;
    for (size_t i = 0; i < items.size(); ++i) {
        auto element = itemElement(node, shape, items[i], i, true);
        if (!element) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("{}: {}", pathString(path), element.error().message));
        }
        for (const PathElement& other : seen) {
            if (other == *element) {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("{}: duplicate entries for key {}", pathString(path),
                                        element->toString()));
            }
        }
        seen.push_back(*element);
        path.push_back(std::move(*element));
        if (auto st = validateNode(items[i], itemType, path, depth + 1); !st) {
            return st;
        }
        path.pop_back();
    }
    return {};
}

// --- withNamedFieldsAsMembers ---------------------------------------------------------------

FieldSet namedAsMembers(const FieldSet& set, const Node& node, int depth) {
    FieldSet out;
    for (const PathElement& m : set.members()) {
        out.insertMember(m);
    }
    for (const FieldSet::Child& c : set.children()) {
        if (c.element.kind() == PathElement::Kind::Field &&
            isDeclaredField(node, c.element.name())) {
            out.insertMember(c.element);
        }
        out.child(c.element) = depth > MaxDepth
                                   ? c.set
                                   : namedAsMembers(c.set, elementNode(node, c.element), depth + 1);
    }
    return out;
}

// --- removeFields ---------------------------------------------------------------------------

/// nullopt: the value was emptied by the removal and goes too.
std::optional<json::value> removeFrom(const json::value& value, const FieldSet& set,
                                      const Node& node, int depth) {
    const Shape shape = shapeOf(node, value);
    if (isLeaf(shape) || depth > MaxDepth) {
        return value;
    }
    bool removed = false;
    if (shape == Shape::Struct || shape == Shape::Map) {
        json::object out;
        for (const auto& [key, child] : value.get_object()) {
            const PathElement element = PathElement::ofField(std::string(key));
            if (set.hasMember(element)) {
                removed = true;
                continue;
            }
            const FieldSet* below = set.childAt(element);
            if (below == nullptr) {
                out.emplace(key, child);
                continue;
            }
            bool declared = false;
            auto kept = removeFrom(child, *below, memberNode(node, key, declared), depth + 1);
            if (!kept) {
                removed = true;
                continue;
            }
            out.emplace(key, std::move(*kept));
        }
        if (removed && out.empty()) {
            return std::nullopt;
        }
        return json::value(std::move(out));
    }
    json::array out;
    const json::array& items = value.get_array();
    const Node itemType = itemNode(node);
    for (size_t i = 0; i < items.size(); ++i) {
        const PathElement element = *itemElement(node, shape, items[i], i, false);
        if (set.hasMember(element)) {
            removed = true;
            continue;
        }
        const FieldSet* below = set.childAt(element);
        if (below == nullptr) {
            out.push_back(items[i]);
            continue;
        }
        auto kept = removeFrom(items[i], *below, itemType, depth + 1);
        if (!kept) {
            removed = true;
            continue;
        }
        out.push_back(std::move(*kept));
    }
    if (removed && out.empty()) {
        return std::nullopt;
    }
    return json::value(std::move(out));
}

// --- compareObjects -------------------------------------------------------------------------

class Comparer {
public:
    explicit Comparer(Comparison& out) : m_out(out) {}

    void compare(const json::value* lhs, const json::value* rhs, const Node& node, bool declared,
                 int depth) {
        const Shape shape = shapeOf(node, rhs != nullptr ? *rhs : *lhs);
        const bool shapesDiffer = lhs != nullptr && rhs != nullptr && shapeOf(node, *lhs) != shape;
        const bool bothEmpty =
            (lhs == nullptr || isEmptyValue(*lhs)) && (rhs == nullptr || isEmptyValue(*rhs));
        if (isLeaf(shape) || shapesDiffer || bothEmpty || depth > MaxDepth) {
            leaf(lhs, rhs);
            return;
        }
        if (shape == Shape::Struct || shape == Shape::Map) {
            compareObjects(lhs, rhs, node, depth);
        } else {
            compareLists(lhs, rhs, node, shape, depth);
        }
        if (m_path.empty()) {
            return;
        }
        if (lhs == nullptr && marksWhenAdded(node, declared, shape)) {
            m_out.added.insert(m_path);
        } else if (rhs == nullptr) {
            m_out.removed.insert(m_path);
        }
    }

private:
    void leaf(const json::value* lhs, const json::value* rhs) {
        if (m_path.empty()) {
            return;
        }
        if (lhs == nullptr) {
            m_out.added.insert(m_path);
        } else if (rhs == nullptr) {
            m_out.removed.insert(m_path);
        } else if (!jsonEqual(*lhs, *rhs)) {
            m_out.modified.insert(m_path);
        }
    }

    void compareMember(const json::value* lhs, const json::value* rhs, const Node& node,
                       std::string_view key, int depth) {
        bool declared = false;
        const Node child = memberNode(node, key, declared);
        m_path.push_back(PathElement::ofField(std::string(key)));
        compare(lhs, rhs, child, declared, depth + 1);
        m_path.pop_back();
    }

    void compareObjects(const json::value* lhs, const json::value* rhs, const Node& node,
                        int depth) {
        const json::object* l = lhs != nullptr && lhs->is_object() ? &lhs->get_object() : nullptr;
        const json::object* r = rhs != nullptr && rhs->is_object() ? &rhs->get_object() : nullptr;
        if (l != nullptr) {
            for (const auto& [key, value] : *l) {
                compareMember(&value, r != nullptr ? r->if_contains(key) : nullptr, node, key,
                              depth);
            }
        }
        if (r != nullptr) {
            for (const auto& [key, value] : *r) {
                if (l == nullptr || !l->contains(key)) {
                    compareMember(nullptr, &value, node, key, depth);
                }
            }
        }
    }

    using Indexed = std::map<PathElement, const json::value*>;

    static std::vector<PathElement> index(const json::value* list, const Node& node, Shape shape,
                                          Indexed& byElement) {
        std::vector<PathElement> order;
        if (list == nullptr || !list->is_array()) {
            return order;
        }
        const json::array& items = list->get_array();
        for (size_t i = 0; i < items.size(); ++i) {
            PathElement element = *itemElement(node, shape, items[i], i, false);
            if (byElement.emplace(element, &items[i]).second) {
                order.push_back(std::move(element)); // later duplicates are ignored
            }
        }
        return order;
    }

    void compareLists(const json::value* lhs, const json::value* rhs, const Node& node, Shape shape,
                      int depth) {
        Indexed left;
        Indexed right;
        const std::vector<PathElement> leftOrder = index(lhs, node, shape, left);
        const std::vector<PathElement> rightOrder = index(rhs, node, shape, right);
        const Node items = itemNode(node);
        const auto visit = [&](const PathElement& element, const json::value* l,
                               const json::value* r) {
            m_path.push_back(element);
            compare(l, r, items, false, depth + 1);
            m_path.pop_back();
        };
        for (const PathElement& element : leftOrder) {
            auto it = right.find(element);
            visit(element, left[element], it != right.end() ? it->second : nullptr);
        }
        for (const PathElement& element : rightOrder) {
            if (!left.contains(element)) {
                visit(element, nullptr, right[element]);
            }
        }
    }

    Comparison& m_out;
    Path m_path;
};

} // namespace

FieldSet fieldsOf(const json::value& obj, const schema::Type* type) {
    FieldSet out;
    Path path;
    collectFields(obj, Node{type, nullptr}, path, out, 0);
    return out;
}

Status validateApplied(const json::value& obj, const schema::Type* type) {
    Path path;
    return validateNode(obj, Node{type, nullptr}, path, 0);
}

FieldSet withNamedFieldsAsMembers(const FieldSet& set, const schema::Type* type) {
    return namedAsMembers(set, Node{type, nullptr}, 0);
}

json::value removeFields(const json::value& obj, const FieldSet& set, const schema::Type* type) {
    auto kept = removeFrom(obj, set, Node{type, nullptr}, 0);
    if (!kept) {
        return obj.is_array() ? json::value(json::array()) : json::value(json::object());
    }
    return std::move(*kept);
}

Comparison Comparison::without(const FieldSet& ignored) && {
    if (ignored.empty()) {
        return std::move(*this);
    }
    return Comparison{added.recursiveDifference(ignored), modified.recursiveDifference(ignored),
                      removed.recursiveDifference(ignored)};
}

Comparison compareObjects(const json::value* oldObj, const json::value& newObj,
                          const schema::Type* type) {
    Comparison out;
    Comparer(out).compare(oldObj, &newObj, Node{type, nullptr}, false, 0);
    return out;
}

} // namespace pilot::kube::fieldmanager
