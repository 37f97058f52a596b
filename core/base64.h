#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pilot {

/// Standard base64 (RFC 4648 §4) with padding.
[[nodiscard]] std::string base64Encode(std::string_view data);

/// Decodes standard base64. ASCII whitespace is skipped (as Go's decoder skips line breaks) and
/// padding is optional; any other character outside the alphabet, or data after padding, gives
/// nullopt.
[[nodiscard]] std::optional<std::string> base64Decode(std::string_view text);

} // namespace pilot
