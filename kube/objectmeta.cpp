#include "kube/objectmeta.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <charconv>

namespace pilot::kube {

namespace json = boost::json;

namespace {

std::string_view stringField(const json::object* obj, std::string_view key) {
    if (obj == nullptr) {
        return {};
    }
    const json::value* v = obj->if_contains(key);
    if (v == nullptr || !v->is_string()) {
        return {};
    }
    return v->get_string();
}

const json::object* objectField(const json::object* obj, std::string_view key) {
    if (obj == nullptr) {
        return nullptr;
    }
    const json::value* v = obj->if_contains(key);
    return v != nullptr && v->is_object() ? &v->get_object() : nullptr;
}

std::optional<std::string_view> mapEntry(const json::object* map, std::string_view key) {
    if (map == nullptr) {
        return std::nullopt;
    }
    const json::value* v = map->if_contains(key);
    if (v == nullptr || !v->is_string()) {
        return std::nullopt;
    }
    return std::string_view(v->get_string());
}

} // namespace

std::string_view apiVersion(const json::object& obj) {
    return stringField(&obj, "apiVersion");
}

std::string_view kind(const json::object& obj) {
    return stringField(&obj, "kind");
}

const json::object* metadataOf(const json::object& obj) {
    return objectField(&obj, "metadata");
}

json::object& ensureMetadata(json::object& obj) {
    json::value& meta = obj["metadata"];
    if (!meta.is_object()) {
        meta = json::object();
    }
    return meta.get_object();
}

std::string_view name(const json::object& obj) {
    return stringField(metadataOf(obj), "name");
}

std::string_view generateName(const json::object& obj) {
    return stringField(metadataOf(obj), "generateName");
}

std::string_view namespaceOf(const json::object& obj) {
    return stringField(metadataOf(obj), "namespace");
}

std::string_view uid(const json::object& obj) {
    return stringField(metadataOf(obj), "uid");
}

std::string_view resourceVersion(const json::object& obj) {
    return stringField(metadataOf(obj), "resourceVersion");
}

int64_t generation(const json::object& obj) {
    const json::object* meta = metadataOf(obj);
    if (meta == nullptr) {
        return 0;
    }
    const json::value* v = meta->if_contains("generation");
    if (v == nullptr) {
        return 0;
    }
    if (v->is_int64()) {
        return v->get_int64();
    }
    if (v->is_uint64()) {
        return static_cast<int64_t>(v->get_uint64());
    }
    if (v->is_double()) {
        return static_cast<int64_t>(v->get_double());
    }
    return 0;
}

std::string_view creationTimestamp(const json::object& obj) {
    return stringField(metadataOf(obj), "creationTimestamp");
}

std::string_view deletionTimestamp(const json::object& obj) {
    return stringField(metadataOf(obj), "deletionTimestamp");
}

bool hasDeletionTimestamp(const json::object& obj) {
    return !deletionTimestamp(obj).empty();
}

const json::object* labels(const json::object& obj) {
    return objectField(metadataOf(obj), "labels");
}

const json::object* annotations(const json::object& obj) {
    return objectField(metadataOf(obj), "annotations");
}

std::optional<std::string_view> label(const json::object& obj, std::string_view key) {
    return mapEntry(labels(obj), key);
}

std::optional<std::string_view> annotation(const json::object& obj, std::string_view key) {
    return mapEntry(annotations(obj), key);
}

std::vector<std::string_view> finalizers(const json::object& obj) {
    std::vector<std::string_view> out;
    const json::object* meta = metadataOf(obj);
    if (meta == nullptr) {
        return out;
    }
    const json::value* v = meta->if_contains("finalizers");
    if (v == nullptr || !v->is_array()) {
        return out;
    }
    for (const json::value& f : v->get_array()) {
        if (f.is_string()) {
            out.emplace_back(f.get_string());
        }
    }
    return out;
}

bool hasFinalizer(const json::object& obj, std::string_view finalizer) {
    for (std::string_view f : finalizers(obj)) {
        if (f == finalizer) {
            return true;
        }
    }
    return false;
}

const json::array* ownerReferences(const json::object& obj) {
    const json::object* meta = metadataOf(obj);
    if (meta == nullptr) {
        return nullptr;
    }
    const json::value* v = meta->if_contains("ownerReferences");
    return v != nullptr && v->is_array() ? &v->get_array() : nullptr;
}

const json::object* controllerRef(const json::object& obj) {
    const json::array* refs = ownerReferences(obj);
    if (refs == nullptr) {
        return nullptr;
    }
    for (const json::value& ref : *refs) {
        if (!ref.is_object()) {
            continue;
        }
        const json::value* controller = ref.get_object().if_contains("controller");
        if (controller != nullptr && controller->is_bool() && controller->get_bool()) {
            return &ref.get_object();
        }
    }
    return nullptr;
}

void setResourceVersion(json::object& obj, int64_t rv) {
    ensureMetadata(obj)["resourceVersion"] = std::to_string(rv);
}

const json::value* at(const json::value& root, std::string_view dottedPath) {
    const json::value* cur = &root;
    if (dottedPath.empty()) {
        return cur;
    }
    size_t start = 0;
    while (true) {
        const size_t dot = dottedPath.find('.', start);
        const std::string_view segment = dottedPath.substr(
            start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (cur->is_object()) {
            cur = cur->get_object().if_contains(segment);
        } else if (cur->is_array()) {
            size_t index = 0;
            const auto [ptr, ec] =
                std::from_chars(segment.data(), segment.data() + segment.size(), index);
            if (ec != std::errc() || ptr != segment.data() + segment.size() ||
                index >= cur->get_array().size()) {
                return nullptr;
            }
            cur = &cur->get_array()[index];
        } else {
            return nullptr;
        }
        if (cur == nullptr || dot == std::string_view::npos) {
            return cur;
        }
        start = dot + 1;
    }
}

std::string scalarString(const json::value& value) {
    switch (value.kind()) {
    case json::kind::null:
        return {};
    case json::kind::string:
        return std::string(value.get_string());
    case json::kind::bool_:
        return value.get_bool() ? "true" : "false";
    case json::kind::int64:
        return std::to_string(value.get_int64());
    case json::kind::uint64:
        return std::to_string(value.get_uint64());
    case json::kind::double_:
        return fmt::format("{}", value.get_double());
    default:
        return json::serialize(value);
    }
}

} // namespace pilot::kube
