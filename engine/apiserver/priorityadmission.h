#pragma once

#include "engine/apiserver/admissionhook.h"
#include "engine/watchcache/resourcecache.h"

#include <memory>

namespace pilot::apiserver {

/// The Priority admission plugin: a new Pod's `spec.priorityClassName` is resolved against the
/// PriorityClasses into `spec.priority` and `spec.preemptionPolicy`; a Pod without a class gets
/// the globalDefault class when one exists. An unknown class, or a priority that disagrees with
/// its class, is refused (403) with upstream's messages.
class PriorityAdmission : public AdmissionHook {
public:
    explicit PriorityAdmission(std::shared_ptr<watchcache::ResourceCache> priorityClasses);

    [[nodiscard]] bool appliesTo(const kube::ResourceType& type) const override;
    [[nodiscard]] ApiResult<void> admit(const kube::ResourceType& type, boost::json::object& object,
                                        const boost::json::object* old) override;

private:
    std::shared_ptr<watchcache::ResourceCache> m_classes;
};

} // namespace pilot::apiserver
