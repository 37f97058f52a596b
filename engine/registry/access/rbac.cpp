#include "engine/registry/access/rbac.h"

#include <array>
#include <cstdint>

namespace pilot::registry {

namespace {

using namespace rbac;

constexpr Permission ProjectAdminPermissions[] = {
    {ResourceSelf, ActionRead},
    {ResourceSelf, ActionUpdate},
    {ResourceSelf, ActionDelete},
    {ResourceMember, ActionCreate},
    {ResourceMember, ActionRead},
    {ResourceMember, ActionUpdate},
    {ResourceMember, ActionDelete},
    {ResourceMember, ActionList},
    {ResourceMetadata, ActionCreate},
    {ResourceMetadata, ActionRead},
    {ResourceMetadata, ActionUpdate},
    {ResourceMetadata, ActionDelete},
    {ResourceLog, ActionList},
    {ResourceLabel, ActionCreate},
    {ResourceLabel, ActionRead},
    {ResourceLabel, ActionUpdate},
    {ResourceLabel, ActionDelete},
    {ResourceLabel, ActionList},
    {ResourceQuota, ActionRead},
    {ResourceRepository, ActionCreate},
    {ResourceRepository, ActionRead},
    {ResourceRepository, ActionUpdate},
    {ResourceRepository, ActionDelete},
    {ResourceRepository, ActionList},
    {ResourceRepository, ActionPull},
    {ResourceRepository, ActionPush},
    {ResourceTagRetention, ActionCreate},
    {ResourceTagRetention, ActionRead},
    {ResourceTagRetention, ActionUpdate},
    {ResourceTagRetention, ActionDelete},
    {ResourceTagRetention, ActionList},
    {ResourceTagRetention, ActionOperate},
    {ResourceImmutableTag, ActionCreate},
    {ResourceImmutableTag, ActionUpdate},
    {ResourceImmutableTag, ActionDelete},
    {ResourceImmutableTag, ActionList},
    {ResourceConfiguration, ActionRead},
    {ResourceConfiguration, ActionUpdate},
    {ResourceRobot, ActionCreate},
    {ResourceRobot, ActionRead},
    {ResourceRobot, ActionUpdate},
    {ResourceRobot, ActionDelete},
    {ResourceRobot, ActionList},
    {ResourceNotificationPolicy, ActionCreate},
    {ResourceNotificationPolicy, ActionUpdate},
    {ResourceNotificationPolicy, ActionDelete},
    {ResourceNotificationPolicy, ActionList},
    {ResourceNotificationPolicy, ActionRead},
    {ResourceScan, ActionCreate},
    {ResourceScan, ActionRead},
    {ResourceScan, ActionStop},
    {ResourceScanner, ActionRead},
    {ResourceScanner, ActionCreate},
    {ResourceArtifact, ActionCreate},
    {ResourceArtifact, ActionRead},
    {ResourceArtifact, ActionDelete},
    {ResourceArtifact, ActionList},
    {ResourceArtifactAddition, ActionRead},
    {ResourceTag, ActionList},
    {ResourceTag, ActionCreate},
    {ResourceTag, ActionDelete},
    {ResourceAccessory, ActionList},
    {ResourceArtifactLabel, ActionCreate},
    {ResourceArtifactLabel, ActionDelete},
    {ResourcePreheatPolicy, ActionCreate},
    {ResourcePreheatPolicy, ActionRead},
    {ResourcePreheatPolicy, ActionUpdate},
    {ResourcePreheatPolicy, ActionDelete},
    {ResourcePreheatPolicy, ActionList},
};

constexpr Permission MaintainerPermissions[] = {
    {ResourceSelf, ActionRead},
    {ResourceMember, ActionRead},
    {ResourceMember, ActionList},
    {ResourceMetadata, ActionCreate},
    {ResourceMetadata, ActionRead},
    {ResourceMetadata, ActionUpdate},
    {ResourceMetadata, ActionDelete},
    {ResourceLog, ActionList},
    {ResourceQuota, ActionRead},
    {ResourceLabel, ActionCreate},
    {ResourceLabel, ActionRead},
    {ResourceLabel, ActionUpdate},
    {ResourceLabel, ActionDelete},
    {ResourceLabel, ActionList},
    {ResourceRepository, ActionCreate},
    {ResourceRepository, ActionRead},
    {ResourceRepository, ActionUpdate},
    {ResourceRepository, ActionDelete},
    {ResourceRepository, ActionList},
    {ResourceRepository, ActionPush},
    {ResourceRepository, ActionPull},
    {ResourceTagRetention, ActionCreate},
    {ResourceTagRetention, ActionRead},
    {ResourceTagRetention, ActionUpdate},
    {ResourceTagRetention, ActionDelete},
    {ResourceTagRetention, ActionList},
    {ResourceTagRetention, ActionOperate},
    {ResourceAccessory, ActionList},
    {ResourceImmutableTag, ActionCreate},
    {ResourceImmutableTag, ActionUpdate},
    {ResourceImmutableTag, ActionDelete},
    {ResourceImmutableTag, ActionList},
    {ResourceConfiguration, ActionRead},
    {ResourceRobot, ActionRead},
    {ResourceRobot, ActionList},
    {ResourceNotificationPolicy, ActionList},
    {ResourceScan, ActionCreate},
    {ResourceScan, ActionRead},
    {ResourceScan, ActionStop},
    {ResourceScanner, ActionRead},
    {ResourceArtifact, ActionCreate},
    {ResourceArtifact, ActionRead},
    {ResourceArtifact, ActionDelete},
    {ResourceArtifact, ActionList},
    {ResourceArtifactAddition, ActionRead},
    {ResourceTag, ActionList},
    {ResourceTag, ActionCreate},
    {ResourceTag, ActionDelete},
    {ResourceArtifactLabel, ActionCreate},
    {ResourceArtifactLabel, ActionDelete},
};

constexpr Permission DeveloperPermissions[] = {
    {ResourceSelf, ActionRead},
    {ResourceMember, ActionRead},
    {ResourceMember, ActionList},
    {ResourceLog, ActionList},
    {ResourceLabel, ActionRead},
    {ResourceLabel, ActionList},
    {ResourceQuota, ActionRead},
    {ResourceRepository, ActionCreate},
    {ResourceRepository, ActionRead},
    {ResourceRepository, ActionUpdate},
    {ResourceRepository, ActionList},
    {ResourceRepository, ActionPush},
    {ResourceRepository, ActionPull},
    {ResourceConfiguration, ActionRead},
    {ResourceRobot, ActionRead},
    {ResourceRobot, ActionList},
    {ResourceScan, ActionRead},
    {ResourceScanner, ActionRead},
    {ResourceArtifact, ActionCreate},
    {ResourceArtifact, ActionRead},
    {ResourceArtifact, ActionList},
    {ResourceArtifactAddition, ActionRead},
    {ResourceTag, ActionList},
    {ResourceTag, ActionCreate},
    {ResourceAccessory, ActionList},
    {ResourceArtifactLabel, ActionCreate},
    {ResourceArtifactLabel, ActionDelete},
};

constexpr Permission GuestPermissions[] = {
    {ResourceSelf, ActionRead},          {ResourceMember, ActionRead},
    {ResourceMember, ActionList},        {ResourceLog, ActionList},
    {ResourceLabel, ActionRead},         {ResourceLabel, ActionList},
    {ResourceQuota, ActionRead},         {ResourceRepository, ActionRead},
    {ResourceRepository, ActionList},    {ResourceRepository, ActionPull},
    {ResourceConfiguration, ActionRead}, {ResourceRobot, ActionRead},
    {ResourceRobot, ActionList},         {ResourceScan, ActionRead},
    {ResourceScanner, ActionRead},       {ResourceTag, ActionList},
    {ResourceAccessory, ActionList},     {ResourceArtifact, ActionRead},
    {ResourceArtifact, ActionList},      {ResourceArtifactAddition, ActionRead},
};

constexpr Permission LimitedGuestPermissions[] = {
    {ResourceSelf, ActionRead},          {ResourceQuota, ActionRead},
    {ResourceRepository, ActionList},    {ResourceRepository, ActionPull},
    {ResourceConfiguration, ActionRead}, {ResourceScan, ActionRead},
    {ResourceScanner, ActionRead},       {ResourceTag, ActionList},
    {ResourceAccessory, ActionList},     {ResourceArtifact, ActionRead},
    {ResourceArtifact, ActionList},      {ResourceArtifactAddition, ActionRead},
};

constexpr Permission PublicPermissions[] = {
    {ResourceSelf, ActionRead},
    {ResourceLabel, ActionRead},
    {ResourceLabel, ActionList},
    {ResourceRepository, ActionList},
    {ResourceRepository, ActionPull},
    {ResourceScan, ActionRead},
    {ResourceScanner, ActionRead},
    {ResourceTag, ActionList},
    {ResourceArtifact, ActionRead},
    {ResourceArtifact, ActionList},
    {ResourceArtifactAddition, ActionRead},
};

bool contains(std::span<const Permission> permissions, std::string_view resource,
              std::string_view action) {
    for (const Permission& p : permissions) {
        if (p.resource == resource && p.action == action) {
            return true;
        }
    }
    return false;
}

} // namespace

std::optional<ProjectRole> roleFromId(int64_t id) {
    if (id < 1 || id > 5) {
        return std::nullopt;
    }
    return static_cast<ProjectRole>(id);
}

std::string_view roleName(ProjectRole role) {
    switch (role) {
    case ProjectRole::ProjectAdmin:
        return "projectAdmin";
    case ProjectRole::Maintainer:
        return "maintainer";
    case ProjectRole::Developer:
        return "developer";
    case ProjectRole::Guest:
        return "guest";
    case ProjectRole::LimitedGuest:
        return "limitedGuest";
    case ProjectRole::None:
        break;
    }
    return "";
}

std::span<const Permission> rolePermissions(ProjectRole role) {
    switch (role) {
    case ProjectRole::ProjectAdmin:
        return ProjectAdminPermissions;
    case ProjectRole::Maintainer:
        return MaintainerPermissions;
    case ProjectRole::Developer:
        return DeveloperPermissions;
    case ProjectRole::Guest:
        return GuestPermissions;
    case ProjectRole::LimitedGuest:
        return LimitedGuestPermissions;
    case ProjectRole::None:
        break;
    }
    return {};
}

std::span<const Permission> publicProjectPermissions() {
    return PublicPermissions;
}

bool roleAllows(ProjectRole role, std::string_view resource, std::string_view action) {
    return contains(rolePermissions(role), resource, action);
}

bool publicAllows(std::string_view resource, std::string_view action) {
    return contains(PublicPermissions, resource, action);
}

} // namespace pilot::registry
