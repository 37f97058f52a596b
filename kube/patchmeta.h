#pragma once

#include "kube/schema.h"

#include <string_view>

namespace pilot::kube {

/// Whether a comma-separated `x-kubernetes-patch-strategy` value ("merge,retainKeys") lists
/// `wanted`.
[[nodiscard]] bool hasPatchStrategy(std::string_view strategies, std::string_view wanted);

/// The patch metadata of one member of an object, looked up in the parent's schema. Shared by
/// strategic merge patch and server-side apply so both read the schema the same way.
struct PatchMeta {
    const schema::Type* type = nullptr; // null: unknown member or schema-less parent
    bool mergeList = false;             // patchStrategy contains "merge"
    bool replaceMap = false;            // patchStrategy contains "replace"
    std::string_view mergeKey;
    /// The declared field (null for map values and unknown members); carries `listType` and
    /// `listMapKeys`.
    const schema::Field* field = nullptr;

    [[nodiscard]] const schema::Type* itemType() const {
        return type != nullptr && type->kind == schema::Kind::Array ? type->items : nullptr;
    }
};

/// Metadata of member `key` of `parent`: a declared field of an Object, the value type of a
/// Map, or nothing (unknown member, Any, null parent).
[[nodiscard]] PatchMeta lookupPatchMeta(const schema::Type* parent, std::string_view key);

} // namespace pilot::kube
