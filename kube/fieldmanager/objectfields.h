#pragma once

#include "core/error.h"
#include "kube/fieldmanager/fieldset.h"
#include "kube/schema.h"

#include <boost/json/value.hpp>

namespace pilot::kube::fieldmanager {

/// The fields an object sets, as structured-merge-diff's ToFieldSet computes them under
/// `type` (null: schema-less). Scalars, atomic lists and atomic structs are leaves; struct
/// fields and map entries are `f:` elements; items of keyed lists (`listType: map`, or a
/// patch merge key) are `k:` elements and items of set lists (`listType: set`, or scalars under
/// patch strategy merge) `v:` elements, both members of their own as well as prefixes of their
/// fields; map entries are members too. Empty structs, maps and lists set nothing (only what
/// is inside them counts); a null scalar or atomic value is a leaf. Unknown members are
/// deduced: objects as maps, lists as atomic. Lenient: list items without their keys are named
/// by the keys they have, or by index.
[[nodiscard]] FieldSet fieldsOf(const boost::json::value& obj, const schema::Type* type);

/// Checks what server-side apply requires of an applied configuration beyond the schema:
/// every keyed-list item carries its keys (or their defaults) and no key or set value appears
/// twice. The message names the list (`.spec.template.spec.containers: element 1: ...`).
[[nodiscard]] Status validateApplied(const boost::json::value& obj, const schema::Type* type);

/// `set` plus every declared struct field on the way to its paths as a member of its own
/// (upstream EnsureNamedFieldsAreMembers; map entries and list items are not added).
[[nodiscard]] FieldSet withNamedFieldsAsMembers(const FieldSet& set, const schema::Type* type);

/// A copy of `obj` without the paths of `set` (a removed path takes everything below it).
/// Objects and lists that removal empties are removed as well.
[[nodiscard]] boost::json::value removeFields(const boost::json::value& obj, const FieldSet& set,
                                              const schema::Type* type);

/// What changed between two versions of an object (upstream TypedValue.Compare). Leaves that
/// differ are `modified`; paths only in the new version are `added`, only in the old one
/// `removed`. Intermediate nodes that appear or disappear are added/removed as well, except
/// struct fields and required lists (Go zero values upstream, so never "added" there).
struct Comparison {
    FieldSet added;
    FieldSet modified;
    FieldSet removed;

    [[nodiscard]] bool same() const { return added.empty() && modified.empty() && removed.empty(); }
    /// The comparison without the given paths and everything below them.
    [[nodiscard]] Comparison without(const FieldSet& ignored) &&;
};

/// Compares `oldObj` (null: nothing) with `newObj` under `type`.
[[nodiscard]] Comparison compareObjects(const boost::json::value* oldObj,
                                        const boost::json::value& newObj, const schema::Type* type);

} // namespace pilot::kube::fieldmanager
