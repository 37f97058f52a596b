#include "kube/jsonutil.h"

#include "kube/yaml.h"

#include <boost/json/parse.hpp>

#include <boost/json.hpp>

namespace pilot::kube {

namespace json = boost::json;

bool isNumber(const json::value& v) {
    return v.is_int64() || v.is_uint64() || v.is_double();
}

namespace {

bool numbersEqual(const json::value& a, const json::value& b) {
    if (a.is_double() || b.is_double()) {
        return a.to_number<double>() == b.to_number<double>();
    }
    if (a.is_int64() && b.is_int64()) {
        return a.get_int64() == b.get_int64();
    }
    if (a.is_uint64() && b.is_uint64()) {
        return a.get_uint64() == b.get_uint64();
    }
    // One signed, one unsigned: equal only when the signed one is non-negative.
    const int64_t s = a.is_int64() ? a.get_int64() : b.get_int64();
    const uint64_t u = a.is_uint64() ? a.get_uint64() : b.get_uint64();
    return s >= 0 && static_cast<uint64_t>(s) == u;
}

} // namespace

bool jsonEqual(const json::value& a, const json::value& b) {
    if (isNumber(a) && isNumber(b)) {
        return numbersEqual(a, b);
    }
    if (a.kind() != b.kind()) {
        return false;
    }
    switch (a.kind()) {
    case json::kind::null:
        return true;
    case json::kind::bool_:
        return a.get_bool() == b.get_bool();
    case json::kind::string:
        return a.get_string() == b.get_string();
    case json::kind::array: {
        const json::array& x = a.get_array();
        const json::array& y = b.get_array();
        if (x.size() != y.size()) {
            return false;
        }
        for (size_t i = 0; i < x.size(); ++i) {
            if (!jsonEqual(x[i], y[i])) {
                return false;
            }
        }
        return true;
    }
    case json::kind::object: {
        const json::object& x = a.get_object();
        const json::object& y = b.get_object();
        if (x.size() != y.size()) {
            return false;
        }
        for (const auto& [key, value] : x) {
            const json::value* other = y.if_contains(key);
            if (other == nullptr || !jsonEqual(value, *other)) {
                return false;
            }
        }
        return true;
    }
    default:
        return false; // numbers handled above
    }
}

std::string_view jsonTypeName(const json::value& v) {
    switch (v.kind()) {
    case json::kind::null:
        return "null";
    case json::kind::bool_:
        return "boolean";
    case json::kind::string:
        return "string";
    case json::kind::array:
        return "array";
    case json::kind::object:
        return "object";
    default:
        return "number";
    }
}

const json::object* objectAt(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v == nullptr ? nullptr : v->if_object();
}

const json::array* arrayAt(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v == nullptr ? nullptr : v->if_array();
}

std::string stringAt(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) {
        return {};
    }
    return std::string(v->get_string());
}

bool has(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v != nullptr && !v->is_null();
}

std::optional<int64_t> asInteger(const json::value& v) {
    switch (v.kind()) {
    case json::kind::int64:
        return v.get_int64();
    case json::kind::uint64:
        return static_cast<int64_t>(v.get_uint64());
    case json::kind::double_:
        return static_cast<int64_t>(v.get_double());
    default:
        return std::nullopt;
    }
}

std::optional<int64_t> integerAt(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v == nullptr ? std::nullopt : asInteger(*v);
}

std::optional<bool> boolAt(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || !v->is_bool()) {
        return std::nullopt;
    }
    return v->get_bool();
}

std::vector<std::string> stringsAt(const json::object& o, std::string_view key) {
    std::vector<std::string> out;
    if (const json::array* a = arrayAt(o, key)) {
        for (const json::value& v : *a) {
            if (v.is_string()) {
                out.emplace_back(v.get_string());
            }
        }
    }
    return out;
}

std::vector<std::string> sortedKeys(const json::object& o) {
    std::vector<std::string> keys;
    keys.reserve(o.size());
    for (const auto& member : o) {
        keys.emplace_back(member.key());
    }
    std::sort(keys.begin(), keys.end());
    return keys;
}

json::object* ensureObject(json::object& o, std::string_view key) {
    json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) {
        return &o[key].emplace_object();
    }
    return v->if_object();
}

json::array* mutableArray(json::object& o, std::string_view key) {
    json::value* v = o.if_contains(key);
    return v == nullptr ? nullptr : v->if_array();
}

json::object* mutableObject(json::object& o, std::string_view key) {
    json::value* v = o.if_contains(key);
    return v == nullptr ? nullptr : v->if_object();
}

void setDefault(json::object& o, std::string_view key, json::value value) {
    json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) {
        o[key] = std::move(value);
    }
}

const json::object* objectAt(const json::object* o, std::string_view key) {
    return o == nullptr ? nullptr : objectAt(*o, key);
}

std::string stringAt(const json::object* o, std::string_view key) {
    return o == nullptr ? std::string() : stringAt(*o, key);
}

boost::json::value parseJsonText(std::string_view text, boost::system::error_code& ec) {
    boost::json::parse_options options;
    options.max_depth = MaxJsonDepth;
    return boost::json::parse(text, ec, {}, options);
}

boost::json::value parseJsonText(std::string_view text) {
    boost::system::error_code ec;
    boost::json::value value = parseJsonText(text, ec);
    if (ec) {
        throw boost::system::system_error(ec);
    }
    return value;
}

} // namespace pilot::kube
