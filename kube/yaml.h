#pragma once

#include "core/error.h"

#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::kube {

/// Deepest nesting `parseJson` accepts; deeper input is rejected without recursion.
constexpr std::size_t MaxJsonDepth = 10000;

/// Parses a `---`-separated stream of YAML documents into JSON values the way kubectl and the
/// API server do (sigs.k8s.io/yaml, YAML 1.1 scalars): unquoted `true`/`yes`/`on`, `null`/`~`,
/// integers (including `0755` octal, `0x1F`, `1_000`) and floats become JSON booleans, null and
/// numbers; quoted scalars and `!!str` stay strings; map keys are always strings; `<<` merge keys
/// are honoured. Empty documents and documents that are just `null` are skipped. Errors carry the
/// 1-based line and column. Nesting is limited to about 500 levels (yaml-cpp), aliases may not
/// expand a document beyond 20 nodes per input byte. Never throws.
[[nodiscard]] Result<std::vector<boost::json::value>> parseYamlDocuments(std::string_view text);

/// Like `parseYamlDocuments` but requires exactly one (non-empty) document.
[[nodiscard]] Result<boost::json::value> parseYaml(std::string_view text);

/// Renders a JSON value as block-style YAML like `kubectl -o yaml`: keys sorted as go-yaml sorts
/// them, sequences under a key not indented, empty collections as `{}`/`[]`, strings that would
/// re-parse as another type (`"true"`, `"0755"`, `""`, timestamps) double-quoted, strings with
/// YAML indicators single-quoted, multi-line strings as literal blocks (`|`, `|-`, `|+`).
/// The output ends with a newline and re-parses (with `parseYaml`) to an equal value.
[[nodiscard]] std::string toYaml(const boost::json::value& value);

/// Parses one JSON text (RFC 8259, no comments, trailing data rejected). Nesting deeper than
/// `MaxJsonDepth` is rejected safely. Error messages follow Go's encoding/json wording, e.g.
/// `invalid character 'x' looking for beginning of value (line 1, column 7)` or
/// `unexpected end of JSON input`.
[[nodiscard]] Result<boost::json::value> parseJson(std::string_view text);

} // namespace pilot::kube
