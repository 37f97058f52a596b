#include "kube/goquote.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

namespace pilot::kube {

namespace {

/// The escapes strconv.Quote writes by name.
constexpr std::array<std::pair<char, std::string_view>, 9> NamedEscapes{{
    {'"', "\\\""},
    {'\\', "\\\\"},
    {'\a', "\\a"},
    {'\b', "\\b"},
    {'\f', "\\f"},
    {'\n', "\\n"},
    {'\r', "\\r"},
    {'\t', "\\t"},
    {'\v', "\\v"},
}};

} // namespace

std::string goQuote(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    for (char c : text) {
        auto named = std::find_if(NamedEscapes.begin(), NamedEscapes.end(),
                                  [c](const auto& escape) { return escape.first == c; });
        auto byte = static_cast<unsigned char>(c);
        if (named != NamedEscapes.end()) {
            out += named->second;
        } else if (byte < 0x20 || byte == 0x7f) {
            out += fmt::format("\\x{:02x}", byte);
        } else {
            out += c; // UTF-8 passes through as Go prints it
        }
    }
    out += '"';
    return out;
}

} // namespace pilot::kube
