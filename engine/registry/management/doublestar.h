#pragma once

#include <string_view>

namespace pilot::registry::management {

/// Whether `text` matches `pattern` as Harbor's doublestar selectors match repository names and
/// tags (bmatcuk/doublestar): `*` any run of characters except `/`, `**` any run including `/`
/// (as a whole segment `a/**/b` also matches `a/b`), `?` one character except `/`, `[abc]`,
/// `[a-z]`, `[!a]`/`[^a]` classes, `{x,y}` alternatives, `\` escapes the next character. An
/// empty pattern matches everything, as Harbor's selector treats it; a malformed pattern (an
/// unclosed `[` or `{`) matches nothing.
[[nodiscard]] bool doublestarMatch(std::string_view pattern, std::string_view text);

} // namespace pilot::registry::management
