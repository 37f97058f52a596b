#include "engine/registry/distribution/registryhttp.h"

#include <boost/algorithm/string/predicate.hpp>

namespace pilot::registry {

const std::string* RegistryRequest::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (boost::algorithm::iequals(key, name)) {
            return &value;
        }
    }
    return nullptr;
}

void RegistryResponse::set(std::string_view name, std::string value) {
    for (auto& [key, existing] : headers) {
        if (boost::algorithm::iequals(key, name)) {
            existing = std::move(value);
            return;
        }
    }
    headers.emplace_back(std::string(name), std::move(value));
}

const std::string* RegistryResponse::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (boost::algorithm::iequals(key, name)) {
            return &value;
        }
    }
    return nullptr;
}

} // namespace pilot::registry
