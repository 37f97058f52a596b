#pragma once

#include "core/error.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pilot::registry {

/// Which /v2/ endpoint a request targets (distribution-spec end-1..13 plus `_catalog`).
enum class RouteKind {
    Unknown,
    Base,        ///< /v2/
    Catalog,     ///< /v2/_catalog
    Tags,        ///< /v2/<name>/tags/list
    Manifest,    ///< /v2/<name>/manifests/<reference>
    Blob,        ///< /v2/<name>/blobs/<digest>
    UploadStart, ///< /v2/<name>/blobs/uploads/
    Upload,      ///< /v2/<name>/blobs/uploads/<id>
    Referrers,   ///< /v2/<name>/referrers/<digest>
};

/// A request target taken apart: endpoint, repository name, reference, decoded query.
struct Route {
    RouteKind kind = RouteKind::Unknown;
    std::string repository;
    /// The tag or digest, blob digest, upload id or subject digest.
    std::string reference;
    std::vector<std::pair<std::string, std::string>> query;

    /// The first value of query parameter `name`, or nullptr.
    [[nodiscard]] const std::string* param(std::string_view name) const;
    [[nodiscard]] std::vector<std::string> params(std::string_view name) const;
};

/// Parses an origin-form target (`/v2/library/busybox/manifests/1.36?x=y`) with Boost.URL;
/// path segments and query parameters come back percent-decoded. InvalidArgument when the
/// target is not a valid origin-form URI; a valid path outside the API is RouteKind::Unknown.
[[nodiscard]] Result<Route> parseRoute(std::string_view target);

/// The spec's repository name grammar (`[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/...)*`), at most
/// 255 characters.
[[nodiscard]] bool isValidRepositoryName(std::string_view name);
/// The spec's tag grammar: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
[[nodiscard]] bool isValidTag(std::string_view tag);
/// `text` percent-encoded for use in a query value or path segment.
[[nodiscard]] std::string percentEncode(std::string_view text);

} // namespace pilot::registry
