#pragma once

#include "engine/apiserver/apierror.h"
#include "kube/types/typeregistry.h"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace pilot::apiserver {

/// What a write is beyond the objects, for hooks that must know (quota charging).
struct AdmissionAttributes {
    /// The subresource written through (`status`, `scale`); empty for the object itself.
    std::string_view subresource;
    bool dryRun = false;
    /// A create whose `metadata.name` the server generated from `generateName` (upstream's
    /// admission errors then name the object by its generateName).
    bool generatedName = false;
};

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
    /// The validating phase (upstream's ValidationInterface): runs once the kind's validation
    /// passed, just before the write is stored, for built-in and custom kinds alike. Refusing
    /// here refuses the write; a hook that records state (quota usage) does so here and must
    /// not for a dry run. The default accepts.
    [[nodiscard]] virtual ApiResult<void> validate(const kube::ResourceType& type,
                                                   const boost::json::object& object,
                                                   const boost::json::object* old,
                                                   const AdmissionAttributes& attributes) {
        (void)type;
        (void)object;
        (void)old;
        (void)attributes;
        return {};
    }
    /// Whether admitting a write of `type` in `ns` may write to the store itself (and so wait
    /// for a commit). The default: never.
    [[nodiscard]] virtual bool writesOnAdmission(const kube::ResourceType& type,
                                                 const std::string& ns) const {
        (void)type;
        (void)ns;
        return false;
    }
};

} // namespace pilot::apiserver
