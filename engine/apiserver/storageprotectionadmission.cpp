#include "engine/apiserver/storageprotectionadmission.h"

#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>

namespace pilot::apiserver {
namespace json = boost::json;

bool StorageProtectionAdmission::appliesTo(const kube::ResourceType& type) const {
    return type.gvk.group.empty() &&
           (type.plural == "persistentvolumeclaims" || type.plural == "persistentvolumes");
}

ApiResult<void> StorageProtectionAdmission::admit(const kube::ResourceType& type,
                                                  json::object& object, const json::object* old) {
    if (old != nullptr) {
        return {};
    }
    std::string_view finalizer = type.plural == "persistentvolumes"
                                     ? "kubernetes.io/pv-protection"
                                     : "kubernetes.io/pvc-protection";
    if (kube::hasFinalizer(object, finalizer)) {
        return {};
    }
    json::object& meta = kube::ensureMetadata(object);
    json::value& finalizers = meta["finalizers"];
    if (!finalizers.is_array()) {
        finalizers = json::array();
    }
    finalizers.as_array().emplace_back(finalizer);
    return {};
}

} // namespace pilot::apiserver
