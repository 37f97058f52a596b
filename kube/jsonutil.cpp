#include "kube/jsonutil.h"

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

} // namespace pilot::kube
