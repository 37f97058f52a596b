#pragma once

// Private to pilot::registry_harbor: the preamble the built-in /api/v2.0 handlers share
// (path ids, JSON fields, the project of the path with its permission check, paging and q=).

#include "engine/registry/harbor/apirouter.h"
#include "engine/registry/harbor/harborquery.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::registry::harbor {

/// A value a handler needs, or the response that ends the request (an error or a denial).
template <typename T>
using Checked = std::expected<T, RegistryResponse>;

/// A decimal id path parameter (`{robot_id}`, `{user_id}`, `{mid}`), nullopt when malformed.
[[nodiscard]] std::optional<int64_t> parseId(std::string_view text);
/// The string member `key` of `o`, empty when absent or not a string.
[[nodiscard]] std::string stringField(const boost::json::object& o, std::string_view key);
/// Harbor's password (and robot secret) rule: 8 to 128 characters with an upper-case letter,
/// a lower-case letter and a digit.
[[nodiscard]] bool strongPassword(std::string_view password);

/// The project of the path parameter `param`, if the caller may do `action` on `resource` in
/// it: its NotFound error, else requireProject's denial.
[[nodiscard]] Checked<Project> authorizedProject(ApiCall& call, std::string_view param,
                                                 std::string_view resource,
                                                 std::string_view action);

/// What a list request asks for: `page`/`page_size` and the parsed `q=` (empty when absent).
struct ListRequest {
    Paging paging;
    Query q;
};
/// Paging, then `q=`; InvalidArgument for either one Harbor rejects.
[[nodiscard]] Result<ListRequest> listRequest(const ApiCall& call);

/// The page `paging` of `all`, each element as `toJson(element)`.
template <typename T, typename F>
boost::json::array pageOf(const std::vector<T>& all, const Paging& paging, F toJson) {
    boost::json::array items;
    for (size_t i = static_cast<size_t>(paging.offset());
         i < all.size() && items.size() < static_cast<size_t>(paging.pageSize); ++i) {
        items.push_back(toJson(all[i]));
    }
    return items;
}

/// pageResponse for the page `paging` of `all` (X-Total-Count is all's size).
template <typename T, typename F>
RegistryResponse listResponse(const ApiCall& call, const Paging& paging, const std::vector<T>& all,
                              F toJson) {
    return pageResponse(call, paging, static_cast<int64_t>(all.size()),
                        pageOf(all, paging, toJson));
}

} // namespace pilot::registry::harbor
