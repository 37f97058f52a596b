#pragma once

#include "core/error.h"

#include <boost/json/value.hpp>

#include <string_view>

namespace pilot::kube {

/// Parses a schema file's YAML into a JSON tree in which every scalar stays a string holding
/// its source text (the schema loader interprets scalars by position, so a short name `no`
/// stays "no"). Mappings keep their key order. Errors name the file, line and column.
/// Used at run time and by the build-time schema compiler.
[[nodiscard]] Result<boost::json::value> schemaYamlToJson(std::string_view text,
                                                          std::string_view fileName);

} // namespace pilot::kube
