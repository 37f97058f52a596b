#include "kube/mergepatch.h"

#include "kube/jsonutil.h"

#include <boost/json.hpp>

namespace pilot::kube {

namespace json = boost::json;

namespace {

void mergeInto(json::value& target, const json::value& patch) {
    if (!patch.is_object()) {
        target = patch;
        return;
    }
    if (!target.is_object()) {
        target = json::object();
    }
    json::object& obj = target.get_object();
    for (const auto& [key, value] : patch.get_object()) {
        if (value.is_null()) {
            obj.stable_erase(key);
            continue;
        }
        auto it = obj.find(key);
        if (it == obj.end()) {
            json::value added;
            mergeInto(added, value);
            obj.emplace(key, std::move(added));
        } else {
            mergeInto(it->value(), value);
        }
    }
}

} // namespace

json::value applyMergePatch(const json::value& doc, const json::value& patch) {
    json::value result = doc;
    mergeInto(result, patch);
    return result;
}

json::value createMergePatch(const json::value& original, const json::value& modified) {
    if (!original.is_object() || !modified.is_object()) {
        return modified;
    }
    const json::object& from = original.get_object();
    const json::object& to = modified.get_object();
    json::object patch;
    for (const auto& [key, value] : from) {
        if (!to.contains(key)) {
            patch.emplace(key, nullptr);
        }
    }
    for (const auto& [key, value] : to) {
        const json::value* old = from.if_contains(key);
        if (old == nullptr) {
            patch.emplace(key, value);
            continue;
        }
        if (old->is_object() && value.is_object()) {
            json::value sub = createMergePatch(*old, value);
            if (!sub.get_object().empty()) {
                patch.emplace(key, std::move(sub));
            }
            continue;
        }
        if (!jsonEqual(*old, value)) {
            patch.emplace(key, value);
        }
    }
    return patch;
}

} // namespace pilot::kube
