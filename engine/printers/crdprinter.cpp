#include "engine/printers/crdprinter.h"

#include "engine/printers/printutil.h"
#include "kube/jsonpath.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <optional>

namespace pilot::printers {
namespace json = boost::json;

namespace detail {

namespace {

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

} // namespace

std::string jsonPathText(const json::value& value) {
    switch (value.kind()) {
    case json::kind::string:
        return std::string(value.get_string());
    case json::kind::bool_:
        return value.get_bool() ? "true" : "false";
    case json::kind::int64:
        return std::to_string(value.get_int64());
    case json::kind::uint64:
        return std::to_string(value.get_uint64());
    case json::kind::double_:
        return goFloat(value.get_double(), false);
    case json::kind::null:
        return "null";
    default: {
        std::string out;
        appendGoJson(out, value);
        return out;
    }
    }
}

} // namespace detail

CrdPrinter::CrdPrinter(const std::vector<kube::PrinterColumn>& columns) {
    m_columns.push_back(detail::nameColumn());
    if (columns.empty()) {
        m_columns.push_back(detail::column("Age", "date", detail::AgeDescription));
        m_paths.push_back(kube::JsonPath::parse(".metadata.creationTimestamp").value());
        return;
    }
    for (const kube::PrinterColumn& c : columns) {
        ColumnDefinition def;
        def.name = c.name;
        def.type = c.type;
        def.format = c.format;
        def.description =
            c.description.empty()
                ? fmt::format("Custom resource definition column (in JSONPath format): {}",
                              c.jsonPath)
                : c.description;
        def.priority = c.priority;
        m_columns.push_back(std::move(def));
        Result<kube::JsonPath> path = kube::JsonPath::parse(c.jsonPath);
        m_paths.push_back(path ? std::optional<kube::JsonPath>(std::move(*path)) : std::nullopt);
    }
}

namespace {

// cellForJSONValue: typed conversion of a matched value; null when the type does not fit.
json::value typedCell(std::string_view type, const json::value& value, TimePoint now) {
    if (type == "integer") {
        if (value.is_int64() || value.is_uint64() || value.is_double()) {
            return *detail::asInteger(value);
        }
        return nullptr;
    }
    if (type == "number") {
        if (value.is_double()) {
            return value.get_double();
        }
        if (std::optional<int64_t> i = detail::asInteger(value)) {
            return static_cast<double>(*i);
        }
        return nullptr;
    }
    if (type == "boolean") {
        return value.is_bool() ? json::value(value.get_bool()) : json::value(nullptr);
    }
    if (type == "date") {
        if (!value.is_string()) {
            return nullptr;
        }
        std::string_view text = value.get_string();
        if (text.starts_with("0001-01-01")) {
            return "<unknown>";
        }
        if (!parseTime(text)) {
            return "<invalid>";
        }
        return json::string(detail::since(&value, now));
    }
    return nullptr;
}

} // namespace

json::array CrdPrinter::cells(const json::object& object, TimePoint now) const {
    json::array cells;
    cells.emplace_back(detail::str(object, {"metadata", "name"}));
    if (m_paths.empty()) {
        return cells;
    }
    const json::value root = object;
    for (size_t i = 0; i < m_paths.size(); ++i) {
        std::vector<const json::value*> matches;
        if (m_paths[i]) {
            matches = m_paths[i]->evaluate(root);
        }
        if (matches.empty()) {
            cells.emplace_back(nullptr);
            continue;
        }
        const json::value& value = *matches.front();
        const std::string& type = m_columns[i + 1].type;
        if (type == "string") {
            cells.emplace_back(value.is_null() ? json::value(nullptr)
                                               : json::value(detail::jsonPathText(value)));
        } else {
            cells.push_back(typedCell(type, value, now));
        }
    }
    return cells;
}

} // namespace pilot::printers
