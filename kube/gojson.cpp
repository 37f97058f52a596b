#include "kube/gojson.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace pilot::kube {
namespace json = boost::json;

namespace {

void appendJsonString(std::string& out, std::string_view text) {
    out += '"';
    for (char c : text) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        case '<':
            out += "\\u003c";
            break;
        case '>':
            out += "\\u003e";
            break;
        case '&':
            out += "\\u0026";
            break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
            } else {
                out += c;
            }
        }
    }
    out += '"';
}

} // namespace

// Go's formatting of a float64 with the shortest representation: exponent notation when the
// decimal exponent is < -4 or >= 6 (fmt's %v) or < -6 or >= 21 (encoding/json).
std::string goFloat(double v, bool forJson) {
    if (std::isnan(v) || std::isinf(v)) {
        return v != v ? "NaN" : (v > 0 ? "+Inf" : "-Inf");
    }
    if (v == 0) {
        return "0";
    }
    char buffer[64];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::scientific);
    std::string sci(buffer, result.ptr);
    size_t e = sci.find('e');
    std::string mantissa = sci.substr(0, e);
    int exponent = std::atoi(sci.c_str() + e + 1);
    bool negative = mantissa.front() == '-';
    if (negative) {
        mantissa.erase(0, 1);
    }
    std::string digits;
    for (char c : mantissa) {
        if (c != '.') {
            digits += c;
        }
    }
    int lowLimit = forJson ? -6 : -4;
    int highLimit = forJson ? 21 : 6;
    std::string out;
    if (exponent < lowLimit || exponent >= highLimit) {
        out = digits.substr(0, 1);
        if (digits.size() > 1) {
            out += "." + digits.substr(1);
        }
        out += fmt::format("e{}{:02}", exponent < 0 ? '-' : '+', std::abs(exponent));
        if (forJson) {
            // encoding/json trims a leading zero of a two-digit negative exponent.
            size_t pos = out.find("e-0");
            if (pos != std::string::npos) {
                out.erase(pos + 2, 1);
            }
        }
    } else if (exponent < 0) {
        out = "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
    } else if (static_cast<size_t>(exponent) + 1 >= digits.size()) {
        out = digits + std::string(static_cast<size_t>(exponent) + 1 - digits.size(), '0');
    } else {
        out = digits.substr(0, static_cast<size_t>(exponent) + 1) + "." +
              digits.substr(static_cast<size_t>(exponent) + 1);
    }
    return negative ? "-" + out : out;
}

// Compact JSON as Go's encoding/json writes it: object keys sorted, HTML characters escaped.
void appendGoJson(std::string& out, const json::value& v) {
    switch (v.kind()) {
    case json::kind::null:
        out += "null";
        break;
    case json::kind::bool_:
        out += v.get_bool() ? "true" : "false";
        break;
    case json::kind::int64:
        out += std::to_string(v.get_int64());
        break;
    case json::kind::uint64:
        out += std::to_string(v.get_uint64());
        break;
    case json::kind::double_:
        out += goFloat(v.get_double(), true);
        break;
    case json::kind::string:
        appendJsonString(out, v.get_string());
        break;
    case json::kind::array: {
        out += '[';
        bool first = true;
        for (const json::value& item : v.get_array()) {
            if (!first) {
                out += ',';
            }
            first = false;
            appendGoJson(out, item);
        }
        out += ']';
        break;
    }
    case json::kind::object: {
        std::vector<std::string_view> keys;
        for (const auto& member : v.get_object()) {
            keys.push_back(member.key());
        }
        std::sort(keys.begin(), keys.end());
        out += '{';
        bool first = true;
        for (std::string_view key : keys) {
            if (!first) {
                out += ',';
            }
            first = false;
            appendJsonString(out, key);
            out += ':';
            appendGoJson(out, v.get_object().at(key));
        }
        out += '}';
        break;
    }
    }
}

std::string toGoJson(const json::value& value) {
    std::string out;
    appendGoJson(out, value);
    return out;
}

} // namespace pilot::kube
