#pragma once

#include <boost/json/value.hpp>

#include <string_view>

namespace pilot::kube {

/// How a plain (unquoted, untagged) YAML scalar reads in go-yaml v2, the parser behind
/// sigs.k8s.io/yaml that kubectl and the API server use.
enum class PlainScalar {
    String,  // stays a string
    Value,   // a JSON null, boolean or number, stored in `out`
    Merge,   // the `<<` merge key
    NotJson, // .inf / .nan: a YAML float JSON cannot represent
};

/// Resolves a plain scalar with YAML 1.1 rules: null/~, y/yes/on/true and n/no/off/false (any
/// capitalisation go-yaml accepts), Go integer syntax (0755 octal, 0x, 0o, 0b, `_` separators),
/// floats. Integral floats become integers, as after Go's JSON round trip (`2.0` -> 2).
PlainScalar resolvePlainScalar(std::string_view text, boost::json::value& out);

} // namespace pilot::kube
