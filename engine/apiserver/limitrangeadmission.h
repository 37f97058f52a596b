#pragma once

#include "engine/apiserver/admissionhook.h"
#include "engine/watchcache/resourcecache.h"

#include <memory>

namespace pilot::apiserver {

/// The LimitRanger admission plugin over the namespace's LimitRanges. On pod create, containers
/// (and init containers) without a request or limit get the `Container` item's defaultRequest
/// and default, noted in the `kubernetes.io/limit-ranger` annotation; then, in the validating
/// phase, pods are checked against the min, max and maxLimitRequestRatio of `Container` and
/// `Pod` items, and claims (create and update) against `PersistentVolumeClaim` items. A
/// violation is refused (403) with upstream's messages, e.g. `pods "x" is forbidden: maximum
/// cpu usage per Container is 500m, but limit is 1`. Subresource writes are not checked.
class LimitRangeAdmission : public AdmissionHook {
public:
    explicit LimitRangeAdmission(std::shared_ptr<watchcache::ResourceCache> limitRanges);

    [[nodiscard]] bool appliesTo(const kube::ResourceType& type) const override;
    [[nodiscard]] ApiResult<void> admit(const kube::ResourceType& type, boost::json::object& object,
                                        const boost::json::object* old) override;
    [[nodiscard]] ApiResult<void> validate(const kube::ResourceType& type,
                                           const boost::json::object& object,
                                           const boost::json::object* old,
                                           const AdmissionAttributes& attributes) override;

private:
    [[nodiscard]] std::vector<boost::json::object> limitRangesIn(const std::string& ns) const;

    std::shared_ptr<watchcache::ResourceCache> m_limitRanges;
};

} // namespace pilot::apiserver
