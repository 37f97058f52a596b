#include "kube/client/apiresource.h"

namespace pilot::kube {

std::string ApiResource::apiVersion() const {
    return group.empty() ? version : group + "/" + version;
}

std::string ApiResource::collectionPath(std::string_view ns) const {
    std::string path = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
    if (namespaced && !ns.empty()) {
        path += "/namespaces/";
        path += ns;
    }
    path += "/";
    path += resource;
    return path;
}

std::string ApiResource::objectPath(std::string_view ns, std::string_view name,
                                    std::string_view subresource) const {
    std::string path = collectionPath(ns);
    path += "/";
    path += name;
    if (!subresource.empty()) {
        path += "/";
        path += subresource;
    }
    return path;
}

std::string ApiResource::qualifiedName() const {
    return group.empty() ? resource : resource + "." + group;
}

} // namespace pilot::kube
