#include "engine/apiserver/mediatype.h"

#include <algorithm>
#include <cctype>

namespace pilot::apiserver {

namespace {

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
        s.remove_prefix(1);
    }
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
        s.remove_suffix(1);
    }
    return std::string(s);
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

} // namespace

std::string MediaType::param(std::string_view name) const {
    for (const auto& [k, v] : params) {
        if (k == name) {
            return v;
        }
    }
    return {};
}

MediaType parseMediaType(std::string_view text) {
    MediaType media;
    size_t semi = text.find(';');
    media.type = lower(trim(text.substr(0, semi)));
    while (semi != std::string_view::npos) {
        text = text.substr(semi + 1);
        semi = text.find(';');
        std::string_view part = text.substr(0, semi);
        size_t eq = part.find('=');
        if (eq == std::string_view::npos) {
            continue;
        }
        std::string value = trim(part.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
            value = value.substr(1, value.size() - 2);
        }
        media.params.emplace_back(lower(trim(part.substr(0, eq))), value);
    }
    return media;
}

std::vector<MediaType> parseAccept(std::string_view header) {
    std::vector<MediaType> out;
    while (!header.empty()) {
        size_t comma = header.find(',');
        std::string_view part = header.substr(0, comma);
        if (!trim(part).empty()) {
            out.push_back(parseMediaType(part));
        }
        header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    }
    return out;
}

Negotiated negotiate(std::string_view accept, bool protobufCapable) {
    Negotiated result;
    std::vector<MediaType> types = parseAccept(accept);
    if (types.empty()) {
        return result;
    }
    for (const MediaType& m : types) {
        std::string as = m.param("as");
        if (m.type == ProtobufMediaType && as.empty() && protobufCapable) {
            result.protobuf = true;
            return result;
        }
        bool json = m.type == "application/json" || m.type == "application/*" || m.type == "*/*" ||
                    m.type == "application/yaml";
        if (!json) {
            continue;
        }
        if (as == "Table" && m.param("g") == "meta.k8s.io") {
            std::string v = m.param("v");
            if (v == "v1" || v == "v1beta1") {
                result.representation = Representation::Table;
                result.tableVersion = v;
                return result;
            }
            continue;
        }
        if (as == "PartialObjectMetadata" || as == "PartialObjectMetadataList") {
            std::string v = m.param("v");
            if (m.param("g") == "meta.k8s.io" && (v.empty() || v == "v1" || v == "v1beta1")) {
                result.representation = Representation::PartialObjectMetadata;
                result.tableVersion = v.empty() ? "v1" : v;
                return result;
            }
            continue;
        }
        if (!as.empty()) {
            continue;
        }
        result.representation = Representation::Object;
        return result;
    }
    result.acceptable = false;
    return result;
}

std::string aggregatedDiscoveryVersion(std::string_view accept) {
    for (const MediaType& m : parseAccept(accept)) {
        if (m.type == "application/json" && m.param("g") == "apidiscovery.k8s.io" &&
            m.param("as") == "APIGroupDiscoveryList") {
            std::string v = m.param("v");
            if (v == "v2" || v == "v2beta1") {
                return v;
            }
        }
        if (m.type == "application/json" && m.param("as").empty()) {
            return {};
        }
    }
    return {};
}

} // namespace pilot::apiserver
