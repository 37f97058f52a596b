#pragma once

#include "engine/apiserver/apierror.h"
#include "kube/types/typeregistry.h"

#include <boost/json/object.hpp>

namespace pilot::apiserver {

/// A kind-specific step of the write path that needs cluster state, run on every create and
/// update after defaulting and before validation (Service IP and node port allocation, ...).
/// `old` is null on create. Implementations are thread-safe.
class AdmissionHook {
public:
    virtual ~AdmissionHook() = default;
    [[nodiscard]] virtual bool appliesTo(const kube::ResourceType& type) const = 0;
    [[nodiscard]] virtual ApiResult<void> admit(const kube::ResourceType& type,
                                                boost::json::object& object,
                                                const boost::json::object* old) = 0;
};

} // namespace pilot::apiserver
