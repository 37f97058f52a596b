#pragma once

#include "engine/apiserver/admissionhook.h"
#include "engine/watchcache/resourcecache.h"

#include <memory>

namespace pilot::apiserver {

/// The DefaultStorageClass admission plugin: a new PersistentVolumeClaim that names no class
/// (no `spec.storageClassName` and no `volume.beta.kubernetes.io/storage-class` annotation)
/// gets the default StorageClass, the one annotated
/// `storageclass.kubernetes.io/is-default-class: "true"` (or the beta annotation); with several,
/// the newest, then the first by name. `storageClassName: ""` asks for no class and is kept.
class StorageClassAdmission : public AdmissionHook {
public:
    explicit StorageClassAdmission(std::shared_ptr<watchcache::ResourceCache> storageClasses);

    [[nodiscard]] bool appliesTo(const kube::ResourceType& type) const override;
    [[nodiscard]] ApiResult<void> admit(const kube::ResourceType& type, boost::json::object& object,
                                        const boost::json::object* old) override;

private:
    std::shared_ptr<watchcache::ResourceCache> m_classes;
};

} // namespace pilot::apiserver
