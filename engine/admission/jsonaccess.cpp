#include "engine/admission/jsonaccess.h"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace pilot::admission::detail {
namespace json = boost::json;

std::string goStringMap(const json::object* map) {
    if (map == nullptr) {
        return "map[string]string(nil)";
    }
    std::string out = "map[string]string{";
    bool first = true;
    for (const std::string& key : sortedKeys(*map)) {
        if (!first) {
            out += ", ";
        }
        first = false;
        const json::value& v = map->at(key);
        out += goQuote(key) + ":" + goQuote(v.is_string() ? std::string_view(v.get_string()) : "");
    }
    return out + "}";
}

std::string goStringSlice(const json::array* list) {
    if (list == nullptr) {
        return "[]string(nil)";
    }
    std::string out = "[]string{";
    bool first = true;
    for (const json::value& v : *list) {
        if (!first) {
            out += ", ";
        }
        first = false;
        out += goQuote(v.is_string() ? std::string_view(v.get_string()) : "");
    }
    return out + "}";
}

std::string goLabelSelector(const json::object* selector) {
    const json::object* matchLabels =
        selector == nullptr ? nullptr : objectAt(*selector, "matchLabels");
    const json::array* expressions =
        selector == nullptr ? nullptr : arrayAt(*selector, "matchExpressions");
    std::string out =
        "v1.LabelSelector{MatchLabels:" + goStringMap(matchLabels) + ", MatchExpressions:";
    if (expressions == nullptr) {
        out += "[]v1.LabelSelectorRequirement(nil)";
    } else {
        out += "[]v1.LabelSelectorRequirement{";
        bool first = true;
        for (const json::value& e : *expressions) {
            const json::object* expr = e.if_object();
            if (!first) {
                out += ", ";
            }
            first = false;
            out += fmt::format("v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:{}}}",
                               goQuote(expr ? stringAt(*expr, "key") : ""),
                               goQuote(expr ? stringAt(*expr, "operator") : ""),
                               goStringSlice(expr ? arrayAt(*expr, "values") : nullptr));
        }
        out += "}";
    }
    return out + "}";
}

std::string goIntOrString(const json::value* value) {
    if (value != nullptr && value->is_string()) {
        return fmt::format("intstr.IntOrString{{Type:1, IntVal:0, StrVal:{}}}",
                           goQuote(value->get_string()));
    }
    int64_t i = value == nullptr ? 0 : asInteger(*value).value_or(0);
    return fmt::format("intstr.IntOrString{{Type:0, IntVal:{}, StrVal:\"\"}}", i);
}

std::string goScalar(const json::value& value) {
    switch (value.kind()) {
    case json::kind::string:
        return goQuote(value.get_string());
    case json::kind::null:
        return "null";
    case json::kind::bool_:
        return value.get_bool() ? "true" : "false";
    case json::kind::int64:
        return std::to_string(value.get_int64());
    case json::kind::uint64:
        return std::to_string(value.get_uint64());
    default:
        return json::serialize(value);
    }
}

} // namespace pilot::admission::detail
