#pragma once

#include "kube/types/typeregistry.h"

#include <string>

namespace pilot::apiserver {

/// Discovery documents generated from the type registry, in both the legacy and the aggregated
/// (apidiscovery.k8s.io v2/v2beta1) formats that kubectl and client-go read.
class Discovery {
public:
    explicit Discovery(const kube::TypeRegistry& types) : m_types(types) {}

    /// `GET /api` legacy APIVersions.
    [[nodiscard]] std::string coreVersions() const;
    /// `GET /apis` legacy APIGroupList.
    [[nodiscard]] std::string groupList() const;
    /// `GET /apis/<group>`; empty when the group is not served.
    [[nodiscard]] std::string group(const std::string& name) const;
    /// `GET /api/v1`, `GET /apis/<group>/<version>`; empty when not served.
    [[nodiscard]] std::string resourceList(const std::string& group,
                                           const std::string& version) const;
    /// Aggregated discovery: `core` true for `/api`, false for `/apis`.
    [[nodiscard]] std::string aggregated(bool core, const std::string& version) const;

private:
    const kube::TypeRegistry& m_types;
};

} // namespace pilot::apiserver
