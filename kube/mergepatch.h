#pragma once

#include <boost/json/value.hpp>

namespace pilot::kube {

/// Applies an RFC 7386 JSON Merge Patch: an object patch merges key by key (null deletes,
/// objects recurse, anything else replaces, including arrays); a non-object patch replaces the
/// document. Nulls inside newly added objects are dropped. Cannot fail.
[[nodiscard]] boost::json::value applyMergePatch(const boost::json::value& doc,
                                                 const boost::json::value& patch);

/// The merge patch that turns `original` into `modified`: removed keys become null, changed or
/// added values are included, unchanged ones omitted; objects are diffed recursively. When
/// either side is not an object the patch is `modified` itself. `{}` means "no change".
/// (Setting a key to null cannot be expressed and comes out as a deletion.)
[[nodiscard]] boost::json::value createMergePatch(const boost::json::value& original,
                                                  const boost::json::value& modified);

} // namespace pilot::kube
