#include "engine/quota/resourcelist.h"

#include <boost/json.hpp>

namespace pilot::quota {
namespace json = boost::json;

ResourceList resourceListFromJson(const json::object* list) {
    ResourceList out;
    if (list == nullptr) {
        return out;
    }
    for (const auto& entry : *list) {
        if (auto q = kube::Quantity::fromJson(entry.value())) {
            out.emplace(std::string(entry.key()), *q);
        }
    }
    return out;
}

json::object toJson(const ResourceList& list) {
    json::object out;
    for (const auto& [name, quantity] : list) {
        out[name] = quantity.toString();
    }
    return out;
}

ResourceNames namesOf(const ResourceList& list) {
    ResourceNames out;
    for (const auto& entry : list) {
        out.insert(entry.first);
    }
    return out;
}

ResourceList add(const ResourceList& a, const ResourceList& b) {
    ResourceList out = a;
    for (const auto& [name, quantity] : b) {
        auto [it, inserted] = out.emplace(name, quantity);
        if (!inserted) {
            it->second.add(quantity);
        }
    }
    return out;
}

ResourceList subtractNonNegative(const ResourceList& a, const ResourceList& b) {
    ResourceList out;
    for (const auto& [name, quantity] : a) {
        kube::Quantity value = quantity;
        if (auto other = b.find(name); other != b.end()) {
            value.sub(other->second);
        }
        out.emplace(name, value.sign() < 0 ? kube::Quantity() : value);
    }
    return out;
}

ResourceList mask(const ResourceList& list, const ResourceNames& names) {
    ResourceList out;
    for (const auto& [name, quantity] : list) {
        if (names.contains(name)) {
            out.emplace(name, quantity);
        }
    }
    return out;
}

ResourceList removeZeros(const ResourceList& list) {
    ResourceList out;
    for (const auto& [name, quantity] : list) {
        if (!quantity.isZero()) {
            out.emplace(name, quantity);
        }
    }
    return out;
}

ResourceNames exceeding(const ResourceList& a, const ResourceList& b) {
    ResourceNames out;
    for (const auto& [name, quantity] : a) {
        if (auto other = b.find(name); other != b.end() && quantity.compare(other->second) > 0) {
            out.insert(name);
        }
    }
    return out;
}

bool equals(const ResourceList& a, const ResourceList& b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (const auto& [name, quantity] : a) {
        auto other = b.find(name);
        if (other == b.end() || quantity.compare(other->second) != 0) {
            return false;
        }
    }
    return true;
}

std::string prettyPrint(const ResourceList& list) {
    std::string out;
    for (const auto& [name, quantity] : list) {
        if (!out.empty()) {
            out += ',';
        }
        out += name + "=" + quantity.toString();
    }
    return out;
}

std::string prettyPrint(const ResourceNames& names) {
    std::string out;
    for (const std::string& name : names) {
        if (!out.empty()) {
            out += ',';
        }
        out += name;
    }
    return out;
}

} // namespace pilot::quota
