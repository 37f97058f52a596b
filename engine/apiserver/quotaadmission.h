#pragma once

#include "engine/apiserver/admissionhook.h"
#include "engine/apiserver/resourceservice.h"

#include <mutex>

namespace pilot::apiserver {

/// The ResourceQuota admission plugin. A create (or an update of a Service or a claim) in a
/// namespace with quotas is checked against every quota that covers it, as upstream: refused
/// (403) when a quota's status is not known yet ("status unknown for quota: ..."), when a pod
/// leaves out a cpu or memory request or limit a quota limits ("failed quota: <name>: must
/// specify ..."), or when it would take usage over `status.hard` ("exceeded quota: <name>,
/// requested: ..., used: ..., limited: ..."). Otherwise the usage is added to the quotas'
/// `status.used` before the object is stored: written with each quota's resourceVersion,
/// re-checked on conflict and serialized within the process, so concurrent creates never
/// exceed a quota. A dry run is checked but not charged. Runs in the validating phase, after
/// the other hooks have filled in defaults; the ResourceQuota controller gives usage back.
class QuotaAdmission : public AdmissionHook {
public:
    /// Quotas are read from and charged through `service`, which must outlive the hook.
    explicit QuotaAdmission(ResourceService& service);

    [[nodiscard]] bool appliesTo(const kube::ResourceType& type) const override;
    [[nodiscard]] ApiResult<void> admit(const kube::ResourceType& type, boost::json::object& object,
                                        const boost::json::object* old) override;
    [[nodiscard]] ApiResult<void> validate(const kube::ResourceType& type,
                                           const boost::json::object& object,
                                           const boost::json::object* old,
                                           const AdmissionAttributes& attributes) override;
    /// While any quota exists (a cheap, conservative test).
    [[nodiscard]] bool writesOnAdmission(const kube::ResourceType& type,
                                         const std::string& ns) const override;

private:
    ResourceService& m_service;
    kube::ResourceTypePtr m_quotas;
    std::mutex m_mutex; // one charge at a time: conflicts only come from other writers
};

} // namespace pilot::apiserver
