#pragma once

// Internal to pilot::fieldmanager: how the schema shapes a value for field management.

#include "core/error.h"
#include "kube/fieldmanager/fieldset.h"
#include "kube/schema.h"

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pilot::kube::fieldmanager {

/// How structured-merge-diff treats a value: a leaf (scalars, atomic lists and structs, and
/// anything that does not match its schema), a struct whose declared fields are named members,
/// a string-keyed map whose entries are members of their own, a list keyed by some of its
/// items' fields, or a set of scalars.
enum class Shape { Scalar, Struct, Map, Atomic, KeyedList, SetList };

/// Where a value sits in the schema: its type and, when it is an object's member, the field
/// declaration (which carries the list metadata). Both null: unknown (deduced from the value:
/// objects are maps, lists are atomic).
struct Node {
    const schema::Type* type = nullptr;
    const schema::Field* field = nullptr;
};

[[nodiscard]] Shape shapeOf(const Node& node, const boost::json::value& value);
/// The shape the schema gives a node whatever its value (Scalar for unknown nodes).
[[nodiscard]] Shape declaredShape(const Node& node);
[[nodiscard]] inline bool isLeaf(Shape shape) {
    return shape == Shape::Scalar || shape == Shape::Atomic;
}
[[nodiscard]] inline bool isList(Shape shape) {
    return shape == Shape::KeyedList || shape == Shape::SetList;
}
/// Null, `{}` or `[]`.
[[nodiscard]] bool isEmptyValue(const boost::json::value& value);

/// Whether a struct, map or list at `node` that appears where nothing was counts as added
/// itself (besides what is inside it). Upstream compares against a Go zero value in which
/// struct fields and required (non-omitempty) lists already exist, so those do not; map
/// entries, list items and unknown members (`declared` false) do.
[[nodiscard]] bool marksWhenAdded(const Node& node, bool declared, Shape shape);

/// The node of member `key` of an object node; `declared` tells whether it is a declared field
/// of a struct (as opposed to a map entry or an unknown member).
[[nodiscard]] Node memberNode(const Node& parent, std::string_view key, bool& declared);
/// The node of the items of a list node.
[[nodiscard]] Node itemNode(const Node& list);
/// The node a path element leads to from `parent`.
[[nodiscard]] Node elementNode(const Node& parent, const PathElement& element);
/// Whether `name` is a declared field of the struct at `node`.
[[nodiscard]] bool isDeclaredField(const Node& node, std::string_view name);

/// The path element of list item `index`. Keyed lists name items by their key fields; a missing
/// key field takes its schema default (only `protocol`, "TCP", has one among list-map keys).
/// Strict: an item that is not an object or lacks a key without default is an error (as for
/// applied configurations). Lenient: such items are named by the keys they have, or by index.
[[nodiscard]] Result<PathElement> itemElement(const Node& list, Shape shape,
                                              const boost::json::value& item, size_t index,
                                              bool strict);

} // namespace pilot::kube::fieldmanager
