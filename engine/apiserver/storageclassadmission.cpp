#include "engine/apiserver/storageclassadmission.h"

#include "engine/apiserver/resourceservice.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>

namespace pilot::apiserver {
namespace json = boost::json;

StorageClassAdmission::StorageClassAdmission(
    std::shared_ptr<watchcache::ResourceCache> storageClasses)
    : m_classes(std::move(storageClasses)) {}

bool StorageClassAdmission::appliesTo(const kube::ResourceType& type) const {
    return type.gvk.group.empty() && type.plural == "persistentvolumeclaims";
}

ApiResult<void> StorageClassAdmission::admit(const kube::ResourceType& type, json::object& object,
                                             const json::object* old) {
    (void)type;
    if (old != nullptr) {
        return {};
    }
    json::object* spec = kube::mutableObject(object, "spec");
    if (spec == nullptr || kube::has(*spec, "storageClassName") ||
        kube::annotation(object, "volume.beta.kubernetes.io/storage-class")) {
        return {};
    }
    auto page = m_classes->list(watchcache::ListRequest{});
    if (!page) {
        return {};
    }
    std::optional<std::pair<std::string, std::string>> chosen; // creationTimestamp, name
    for (const watchcache::ObjectPtr& item : page->items) {
        if (item->json.str().find("is-default-class") == std::string::npos) {
            continue;
        }
        json::object sc = parseObject(*item);
        if (kube::annotation(sc, "storageclass.kubernetes.io/is-default-class") != "true" &&
            kube::annotation(sc, "storageclass.beta.kubernetes.io/is-default-class") != "true") {
            continue;
        }
        std::string created(kube::creationTimestamp(sc));
        // Newest first (RFC 3339 UTC compares as text), then by name.
        if (!chosen || created > chosen->first ||
            (created == chosen->first && item->name < chosen->second)) {
            chosen.emplace(created, item->name);
        }
    }
    if (chosen) {
        (*spec)["storageClassName"] = chosen->second;
    }
    return {};
}

} // namespace pilot::apiserver
