#pragma once

#include "core/error.h"

#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::kube {

/// Most operations one JSON Patch may hold (the API server's limit).
constexpr std::size_t MaxJsonPatchOperations = 10000;

/// Splits an RFC 6901 JSON Pointer into unescaped reference tokens ("/a~1b/~0c" -> {"a/b",
/// "~c"}). "" is the whole document. Fails on a pointer not starting with '/' or a bad `~`
/// escape.
[[nodiscard]] Result<std::vector<std::string>> parseJsonPointer(std::string_view pointer);

/// Applies an RFC 6902 JSON Patch (an array of add/remove/replace/move/copy/test operations) to
/// a copy of `doc`, atomically: on any failure nothing is returned but the error, whose message
/// names the operation index, op and path, e.g.
/// `json patch operation 1 (replace /spec/foo): path not found`. Array index `-` appends (add
/// only); indices must be decimal without leading zeros and in range.
[[nodiscard]] Result<boost::json::value> applyJsonPatch(const boost::json::value& doc,
                                                        const boost::json::value& patch);

} // namespace pilot::kube
