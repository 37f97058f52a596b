#include "engine/printers/crdprinter.h"

#include "engine/printers/printutil.h"
#include "kube/gojson.h"
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
        return kube::goFloat(value.get_double(), false);
    case json::kind::null:
        return "null";
    default: {
        std::string out;
        kube::appendGoJson(out, value);
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
