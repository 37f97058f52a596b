#include "kube/fieldmanager/schemanode.h"

#include "kube/patchmeta.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace pilot::kube::fieldmanager {

namespace json = boost::json;

namespace {

/// Structs Kubernetes declares atomic (`+structType=atomic` / `x-kubernetes-map-type: atomic`):
/// they are owned and replaced as a whole. The schema files do not carry the marker, so the
/// known definitions are listed here.
bool isAtomicStruct(const schema::Type& type) {
    static constexpr std::array Names{
        "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
        "io.k8s.api.core.v1.LocalObjectReference",
        "io.k8s.api.core.v1.ObjectReference",
        "io.k8s.api.core.v1.TypedLocalObjectReference",
        "io.k8s.api.core.v1.TypedObjectReference",
        "io.k8s.api.core.v1.ConfigMapKeySelector",
        "io.k8s.api.core.v1.SecretKeySelector",
        "io.k8s.api.core.v1.ObjectFieldSelector",
        "io.k8s.api.core.v1.ResourceFieldSelector",
        "io.k8s.api.core.v1.NodeSelector",
        "io.k8s.api.core.v1.NodeSelectorTerm",
        "io.k8s.api.core.v1.TopologySelectorTerm",
    };
    return std::find(Names.begin(), Names.end(), std::string_view(type.name)) != Names.end();
}

bool isScalarKind(const schema::Type* type) {
    if (type == nullptr) {
        return false;
    }
    switch (type->kind) {
    case schema::Kind::Object:
    case schema::Kind::Map:
    case schema::Kind::Array:
    case schema::Kind::Any:
        return false;
    default:
        return true;
    }
}

/// The keys of a keyed list: `x-kubernetes-list-map-keys`, else the patch merge key.
std::vector<std::string> listKeys(const Node& list) {
    if (list.field == nullptr) {
        return {};
    }
    if (!list.field->listMapKeys.empty()) {
        return list.field->listMapKeys;
    }
    if (!list.field->patchMergeKey.empty()) {
        return {list.field->patchMergeKey};
    }
    return {};
}

Shape listShape(const Node& node) {
    const schema::Field* field = node.field;
    if (field == nullptr) {
        return Shape::Atomic;
    }
    if (field->listType == "map") {
        return listKeys(node).empty() ? Shape::Atomic : Shape::KeyedList;
    }
    if (field->listType == "set") {
        return Shape::SetList;
    }
    if (field->listType == "atomic") {
        return Shape::Atomic;
    }
    if (!hasPatchStrategy(field->patchStrategy, "merge")) {
        return Shape::Atomic;
    }
    if (!field->patchMergeKey.empty()) {
        return Shape::KeyedList;
    }
    return isScalarKind(node.type != nullptr ? node.type->items : nullptr) ? Shape::SetList
                                                                           : Shape::Atomic;
}

/// Schema defaults of list-map key fields (upstream declares `default: TCP` on the protocol of
/// container, service and endpoint ports).
const json::value* keyDefault(std::string_view key) {
    static const json::value Tcp = "TCP";
    return key == "protocol" ? &Tcp : nullptr;
}

} // namespace

Shape shapeOf(const Node& node, const json::value& value) {
    if (value.is_null()) {
        return Shape::Scalar;
    }
    const schema::Type* type = node.type;
    if (type == nullptr || type->kind == schema::Kind::Any) {
        if (value.is_object()) {
            return Shape::Map;
        }
        return value.is_array() ? Shape::Atomic : Shape::Scalar;
    }
    switch (type->kind) {
    case schema::Kind::Object:
        if (!value.is_object()) {
            return Shape::Scalar;
        }
        return isAtomicStruct(*type) ? Shape::Atomic : Shape::Struct;
    case schema::Kind::Map:
        return value.is_object() ? Shape::Map : Shape::Scalar;
    case schema::Kind::Array:
        return value.is_array() ? listShape(node) : Shape::Scalar;
    default:
        return Shape::Scalar;
    }
}

Shape declaredShape(const Node& node) {
    const schema::Type* type = node.type;
    if (type == nullptr) {
        return Shape::Scalar;
    }
    switch (type->kind) {
    case schema::Kind::Object:
        return isAtomicStruct(*type) ? Shape::Atomic : Shape::Struct;
    case schema::Kind::Map:
        return Shape::Map;
    case schema::Kind::Array:
        return listShape(node);
    default:
        return Shape::Scalar;
    }
}

bool isEmptyValue(const json::value& value) {
    return value.is_null() || (value.is_object() && value.get_object().empty()) ||
           (value.is_array() && value.get_array().empty());
}

bool marksWhenAdded(const Node& node, bool declared, Shape shape) {
    if (!declared) {
        return true; // map entries, list items, unknown members
    }
    if (shape == Shape::Map) {
        return true;
    }
    if (isList(shape)) {
        return node.field == nullptr || !node.field->required;
    }
    return false;
}

Node memberNode(const Node& parent, std::string_view key, bool& declared) {
    // What lookupPatchMeta gives for the type and field, without parsing the patch strategy.
    declared = false;
    const schema::Type* type = parent.type;
    if (type == nullptr) {
        return {};
    }
    if (type->kind == schema::Kind::Map) {
        return Node{type->values, nullptr};
    }
    if (type->kind != schema::Kind::Object) {
        return {};
    }
    const schema::Field* field = type->field(key);
    if (field == nullptr) {
        return {};
    }
    declared = true;
    return Node{field->type, field};
}

Node itemNode(const Node& list) {
    if (list.type == nullptr || list.type->kind != schema::Kind::Array) {
        return {};
    }
    return Node{list.type->items, nullptr};
}

Node elementNode(const Node& parent, const PathElement& element) {
    if (element.kind() == PathElement::Kind::Field) {
        bool declared = false;
        return memberNode(parent, element.name(), declared);
    }
    return itemNode(parent);
}

bool isDeclaredField(const Node& node, std::string_view name) {
    return node.type != nullptr && node.type->kind == schema::Kind::Object &&
           node.type->field(name) != nullptr;
}

Result<PathElement> itemElement(const Node& list, Shape shape, const json::value& item,
                                size_t index, bool strict) {
    if (shape == Shape::SetList) {
        return PathElement::ofValue(item);
    }
    if (!item.is_object()) {
        if (strict) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("element {}: associative list with keys may not have "
                                    "non-map elements",
                                    index));
        }
        return PathElement::ofIndex(static_cast<int64_t>(index));
    }
    std::vector<PathElement::KeyField> fields;
    for (const std::string& key : listKeys(list)) {
        if (const json::value* v = item.get_object().if_contains(key); v && !v->is_null()) {
            fields.emplace_back(key, *v);
        } else if (const json::value* def = keyDefault(key)) {
            fields.emplace_back(key, *def);
        } else if (strict) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("element {}: associative list with keys has an element "
                                    "that omits key field {:?} (and doesn't have default value)",
                                    index, key));
        }
    }
    if (fields.empty()) {
        return PathElement::ofIndex(static_cast<int64_t>(index));
    }
    return PathElement::ofKey(std::move(fields));
}

} // namespace pilot::kube::fieldmanager
