#pragma once

#include "core/error.h"
#include "kube/schema.h"

#include <boost/json/value.hpp>

namespace pilot::kube {

/// Applies a Kubernetes strategic merge patch (`application/strategic-merge-patch+json`) to a
/// copy of `original`, the way the API server does, using the patch metadata of `type`
/// (`Field::patchStrategy` / `patchMergeKey`). Where the schema is unknown (`type` null, an
/// unknown field, Kind::Any) it behaves as a JSON merge patch: maps merge, lists are replaced.
///
/// Supported: null deletes a key; maps merge recursively; lists with strategy "merge" and a
/// merge key merge item by item (new items added, `{"$patch":"delete", <key>}` removes items);
/// scalar lists with strategy "merge" form a set union; other lists are replaced;
/// `$setElementOrder/<list>`, `$retainKeys`, `$deleteFromPrimitiveList/<list>`,
/// `{"$patch":"replace"}` on maps and lists, `{"$patch":"delete"}` on a map (removes that map;
/// at the top level the result is `{}`) and `{"$patch":"merge"}` on a map (explicit default).
/// Item order follows upstream: `$setElementOrder` first, then the patch's own order; items only
/// the server has keep their place relative to the patched ones, which puts a lone new item
/// ahead of them (as the real API server does). Directives never appear in the result.
/// Malformed directives (unknown `$patch` values, a `$retainKeys` list missing a patched key,
/// an order list that contradicts the patch, items without their merge key, ...) are errors, as
/// is nesting deeper than 500 levels.
[[nodiscard]] Result<boost::json::value>
applyStrategicMergePatch(const boost::json::value& original, const boost::json::value& patch,
                         const schema::Type* type);

} // namespace pilot::kube
