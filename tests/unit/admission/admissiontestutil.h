#pragma once

#include "engine/admission/admission.h"
#include "kube/types/typeregistry.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pilot::admission::test {

/// A built-in resource entry: "apps/v1 deployments" style group, version and plural.
inline kube::ResourceType resourceType(std::string group, std::string version, std::string plural,
                                       bool namespaced = true) {
    kube::ResourceType type;
    type.gvk.group = std::move(group);
    type.gvk.version = std::move(version);
    type.plural = std::move(plural);
    type.namespaced = namespaced;
    return type;
}

/// The resource types the tests use, by plural.
inline kube::ResourceType typeFor(std::string_view plural) {
    std::string p(plural);
    if (p == "deployments" || p == "replicasets" || p == "statefulsets" || p == "daemonsets" ||
        p == "controllerrevisions") {
        return resourceType("apps", "v1", p);
    }
    if (p == "jobs" || p == "cronjobs") {
        return resourceType("batch", "v1", p);
    }
    if (p == "horizontalpodautoscalers") {
        return resourceType("autoscaling", "v2", p);
    }
    if (p == "networkpolicies") {
        return resourceType("networking.k8s.io", "v1", p);
    }
    if (p == "storageclasses") {
        return resourceType("storage.k8s.io", "v1", p, false);
    }
    if (p == "priorityclasses") {
        return resourceType("scheduling.k8s.io", "v1", p, false);
    }
    if (p == "roles" || p == "rolebindings") {
        return resourceType("rbac.authorization.k8s.io", "v1", p);
    }
    if (p == "clusterroles" || p == "clusterrolebindings") {
        return resourceType("rbac.authorization.k8s.io", "v1", p, false);
    }
    if (p == "customresourcedefinitions") {
        return resourceType("apiextensions.k8s.io", "v1", p, false);
    }
    bool namespaced = p != "namespaces" && p != "nodes" && p != "persistentvolumes";
    return resourceType("", "v1", p, namespaced);
}

inline boost::json::object parseObject(std::string_view text) {
    return boost::json::parse(text).as_object();
}

/// Errors as kubectl prints them: "<field>: <message>".
inline std::vector<std::string> describe(const kube::FieldErrors& errors) {
    std::vector<std::string> out;
    for (const kube::FieldError& e : errors) {
        out.push_back(e.field.empty() ? e.message : e.field + ": " + e.message);
    }
    return out;
}

/// Defaults then validates, as the API server does on create.
inline std::vector<std::string> createErrors(std::string_view plural, std::string_view json) {
    kube::ResourceType type = typeFor(plural);
    boost::json::object object = parseObject(json);
    applyDefaults(type, object);
    return describe(validate(type, object, nullptr));
}

/// Defaults both versions then validates `updated` against `stored`.
inline std::vector<std::string> updateErrors(std::string_view plural, std::string_view stored,
                                             std::string_view updated) {
    kube::ResourceType type = typeFor(plural);
    boost::json::object old = parseObject(stored);
    boost::json::object object = parseObject(updated);
    applyDefaults(type, old);
    applyDefaults(type, object);
    return describe(validate(type, object, &old));
}

} // namespace pilot::admission::test
