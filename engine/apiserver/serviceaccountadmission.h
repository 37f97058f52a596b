#pragma once

#include "engine/apiserver/admissionhook.h"
#include "engine/apiserver/resourceservice.h"

#include <functional>
#include <string>

namespace pilot::apiserver {

/// The ServiceAccount admission plugin: a new Pod runs as `spec.serviceAccountName` (defaulting
/// made it `default`), which must exist (else 403 `error looking up service account NS/NAME:
/// serviceaccount "NAME" not found`). Unless the pod or the ServiceAccount sets
/// `automountServiceAccountToken: false`, the pod gets upstream's projected volume
/// `kube-api-access-XXXXX` (token, kube-root-ca.crt's ca.crt, the namespace) mounted read-only at
/// /var/run/secrets/kubernetes.io/serviceaccount in every container and init container that
/// does not already mount something there. Mirror pods and updates are left alone.
class ServiceAccountAdmission : public AdmissionHook {
public:
    static constexpr std::string_view VolumePrefix = "kube-api-access-";
    static constexpr std::string_view MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// `suffix` makes the 5-character volume name suffix (random by default; tests pin it).
    /// `suffix` names the projected volume (random by default); `pause` runs between looks
    /// for a namespace's `default` ServiceAccount that does not exist yet (150 ms by default).
    explicit ServiceAccountAdmission(ResourceService& service,
                                     std::function<std::string()> suffix = {},
                                     std::function<void()> pause = {});

    [[nodiscard]] bool appliesTo(const kube::ResourceType& type) const override;
    [[nodiscard]] ApiResult<void> admit(const kube::ResourceType& type, boost::json::object& object,
                                        const boost::json::object* old) override;

private:
    ResourceService& m_service;
    std::function<std::string()> m_suffix;
    std::function<void()> m_pause;
};

} // namespace pilot::apiserver
