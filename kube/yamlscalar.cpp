#include "kube/yamlscalar.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>

namespace pilot::kube {

namespace json = boost::json;

namespace {

// ---------------------------------------------------------------------------------------------
// Scalar resolution (go-yaml v2 rules, as used by sigs.k8s.io/yaml)
// ---------------------------------------------------------------------------------------------

constexpr std::array TrueWords = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                  "True", "TRUE", "on",  "On",  "ON"};
constexpr std::array FalseWords = {"n",     "N",     "no",  "No",  "NO", "false",
                                   "False", "FALSE", "off", "Off", "OFF"};
constexpr std::array NullWords = {"", "~", "null", "Null", "NULL"};
constexpr std::array SpecialFloatWords = {".nan",  ".NaN",  ".NAN",  ".inf",  ".Inf",  ".INF",
                                          "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"};

template <typename Words>
bool isOneOf(std::string_view s, const Words& words) {
    return std::find(words.begin(), words.end(), s) != words.end();
}

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

/// Go's strconv.ParseInt/ParseUint with base 0 (sign, 0x/0o/0b prefixes, leading-0 octal).
/// Returns the magnitude and sign, or nothing when the text is not an integer or overflows u64.
struct GoInt {
    bool negative = false;
    uint64_t magnitude = 0;
};

std::optional<GoInt> parseGoInt(std::string_view s) {
    GoInt out;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        out.negative = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s.empty()) {
        return std::nullopt;
    }
    unsigned base = 10;
    if (s.size() >= 2 && s[0] == '0') {
        const char p = s[1];
        if (p == 'x' || p == 'X') {
            base = 16;
            s.remove_prefix(2);
        } else if (p == 'o' || p == 'O') {
            base = 8;
            s.remove_prefix(2);
        } else if (p == 'b' || p == 'B') {
            base = 2;
            s.remove_prefix(2);
        } else {
            base = 8;
            s.remove_prefix(1);
        }
        if (s.empty()) {
            return std::nullopt;
        }
    }
    for (char c : s) {
        unsigned d = 0;
        if (isDigit(c)) {
            d = static_cast<unsigned>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            d = static_cast<unsigned>(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            d = static_cast<unsigned>(c - 'A' + 10);
        } else {
            return std::nullopt;
        }
        if (d >= base) {
            return std::nullopt;
        }
        if (out.magnitude > (std::numeric_limits<uint64_t>::max() - d) / base) {
            return std::nullopt;
        }
        out.magnitude = out.magnitude * base + d;
    }
    return out;
}

/// go-yaml's float syntax: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool looksLikeYamlFloat(std::string_view s) {
    size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        ++i;
    }
    if (i < s.size() && s[i] == '.') {
        ++i;
        const size_t start = i;
        while (i < s.size() && isDigit(s[i])) {
            ++i;
        }
        if (i == start) {
            return false;
        }
    } else {
        const size_t start = i;
        while (i < s.size() && isDigit(s[i])) {
            ++i;
        }
        if (i == start) {
            return false;
        }
        if (i < s.size() && s[i] == '.') {
            ++i;
            while (i < s.size() && isDigit(s[i])) {
                ++i;
            }
        }
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
            ++i;
        }
        const size_t start = i;
        while (i < s.size() && isDigit(s[i])) {
            ++i;
        }
        if (i == start) {
            return false;
        }
    }
    return i == s.size();
}

/// A float the way it reaches the API server after Go's JSON round trip: integral values that fit
/// become integers, others stay doubles. Overflowing text yields nothing (Go keeps it a string).
std::optional<json::value> floatValue(const std::string& text) {
    errno = 0;
    char* end = nullptr;
    const double d = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || (errno == ERANGE && std::isinf(d))) {
        return std::nullopt;
    }
    if (std::trunc(d) == d && std::fabs(d) < 9.2e18) {
        return json::value(static_cast<int64_t>(d));
    }
    return json::value(d);
}

} // namespace

PlainScalar resolvePlainScalar(std::string_view s, json::value& out) {
    if (isOneOf(s, NullWords)) {
        out = nullptr;
        return PlainScalar::Value;
    }
    if (isOneOf(s, TrueWords)) {
        out = true;
        return PlainScalar::Value;
    }
    if (isOneOf(s, FalseWords)) {
        out = false;
        return PlainScalar::Value;
    }
    if (s == "<<") {
        return PlainScalar::Merge;
    }
    if (isOneOf(s, SpecialFloatWords)) {
        return PlainScalar::NotJson;
    }
    if (s.empty()) {
        return PlainScalar::String;
    }
    const char hint = s[0];
    if (hint == '.') {
        if (looksLikeYamlFloat(s)) {
            if (auto v = floatValue(std::string(s))) {
                out = std::move(*v);
                return PlainScalar::Value;
            }
        }
        return PlainScalar::String;
    }
    if (!isDigit(hint) && hint != '+' && hint != '-') {
        return PlainScalar::String;
    }
    std::string plain;
    plain.reserve(s.size());
    for (char c : s) {
        if (c != '_') {
            plain.push_back(c);
        }
    }
    if (auto n = parseGoInt(plain)) {
        constexpr uint64_t MaxInt = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
        if (!n->negative && n->magnitude <= MaxInt) {
            out = static_cast<int64_t>(n->magnitude);
            return PlainScalar::Value;
        }
        if (n->negative && n->magnitude <= MaxInt + 1) {
            out = n->magnitude == MaxInt + 1 ? std::numeric_limits<int64_t>::min()
                                             : -static_cast<int64_t>(n->magnitude);
            return PlainScalar::Value;
        }
        if (!n->negative && plain[0] != '+') {
            out = n->magnitude;
            return PlainScalar::Value;
        }
    }
    if (looksLikeYamlFloat(plain)) {
        if (auto v = floatValue(plain)) {
            out = std::move(*v);
            return PlainScalar::Value;
        }
    }
    return PlainScalar::String;
}

} // namespace pilot::kube
