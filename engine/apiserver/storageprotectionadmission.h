#pragma once

#include "engine/apiserver/admissionhook.h"

namespace pilot::apiserver {

/// The StorageObjectInUseProtection admission plugin: every new PersistentVolumeClaim gets the
/// `kubernetes.io/pvc-protection` finalizer and every new PersistentVolume
/// `kubernetes.io/pv-protection`, so neither goes away while a pod or a claim still uses it
/// (the protection controllers remove the finalizers once it is unused).
class StorageProtectionAdmission : public AdmissionHook {
public:
    [[nodiscard]] bool appliesTo(const kube::ResourceType& type) const override;
    [[nodiscard]] ApiResult<void> admit(const kube::ResourceType& type, boost::json::object& object,
                                        const boost::json::object* old) override;
};

} // namespace pilot::apiserver
