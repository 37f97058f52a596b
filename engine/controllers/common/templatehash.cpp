#include "engine/controllers/common/templatehash.h"

#include "kube/gojson.h"
#include "kube/jsonutil.h"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <vector>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

constexpr std::string_view SafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

bool isEmpty(const json::value& v) {
    return v.is_null() || (v.is_object() && v.get_object().empty()) ||
           (v.is_array() && v.get_array().empty());
}

json::value withoutHashLabel(const json::value& podTemplate) {
    json::value copy = podTemplate;
    if (json::object* t = copy.if_object()) {
        if (json::object* meta = kube::mutableObject(*t, "metadata")) {
            if (json::object* labels = kube::mutableObject(*meta, "labels")) {
                labels->erase(PodTemplateHashLabel);
            }
        }
    }
    return normalizedJson(copy);
}

} // namespace

uint32_t fnv32a(std::string_view data, uint32_t hash) {
    for (unsigned char c : data) {
        hash ^= c;
        hash *= 16777619U;
    }
    return hash;
}

std::string safeEncodeString(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        out += SafeAlphabet[c % SafeAlphabet.size()];
    }
    return out;
}

json::value normalizedJson(const json::value& value) {
    if (const json::object* o = value.if_object()) {
        json::object out;
        for (const auto& member : *o) {
            json::value v = normalizedJson(member.value());
            if (!isEmpty(v)) {
                out[member.key()] = std::move(v);
            }
        }
        return out;
    }
    if (const json::array* a = value.if_array()) {
        json::array out;
        for (const json::value& v : *a) {
            out.push_back(normalizedJson(v));
        }
        return out;
    }
    return value;
}

std::string canonicalJson(const json::value& value) {
    std::string out;
    kube::appendGoJson(out, normalizedJson(value));
    return out;
}

std::string computeTemplateHash(const json::value& podTemplate,
                                std::optional<int64_t> collisionCount) {
    uint32_t hash = fnv32a(canonicalJson(podTemplate));
    if (collisionCount) {
        auto count = static_cast<uint32_t>(*collisionCount);
        std::array<char, 8> bytes{};
        for (size_t i = 0; i < 4; ++i) {
            bytes[i] = static_cast<char>((count >> (8 * i)) & 0xFFU);
        }
        hash = fnv32a(std::string_view(bytes.data(), bytes.size()), hash);
    }
    return safeEncodeString(std::to_string(hash));
}

bool equalIgnoreHash(const json::value* a, const json::value* b) {
    if (a == nullptr || b == nullptr) {
        return a == b;
    }
    return kube::jsonEqual(withoutHashLabel(*a), withoutHashLabel(*b));
}

} // namespace pilot::controllers
