#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace pilot::registry {

/// Harbor's project roles with Harbor's role ids (src/common/const.go).
enum class ProjectRole {
    None = 0,
    ProjectAdmin = 1,
    Developer = 2,
    Guest = 3,
    Maintainer = 4,
    LimitedGuest = 5,
};

/// The role for a `role_id`, or nullopt when it is not one of the five.
[[nodiscard]] std::optional<ProjectRole> roleFromId(int64_t id);
/// `projectAdmin`, `maintainer`, `developer`, `guest`, `limitedGuest`: Harbor's role names,
/// also the member API's `role_name`.
[[nodiscard]] std::string_view roleName(ProjectRole role);

/// One permission: a Harbor resource (`repository`, `artifact`, `tag`, `member`, ... and ""
/// for the project itself) and an action (`pull`, `push`, `create`, `read`, `update`,
/// `delete`, `list`, `operate`, `stop`).
struct Permission {
    std::string_view resource;
    std::string_view action;
};

namespace rbac {
inline constexpr std::string_view ResourceSelf = "";
inline constexpr std::string_view ResourceMember = "member";
inline constexpr std::string_view ResourceMetadata = "metadata";
inline constexpr std::string_view ResourceLog = "log";
inline constexpr std::string_view ResourceLabel = "label";
inline constexpr std::string_view ResourceQuota = "quota";
inline constexpr std::string_view ResourceRepository = "repository";
inline constexpr std::string_view ResourceTagRetention = "tag-retention";
inline constexpr std::string_view ResourceImmutableTag = "immutable-tag";
inline constexpr std::string_view ResourceConfiguration = "configuration";
inline constexpr std::string_view ResourceRobot = "robot";
inline constexpr std::string_view ResourceNotificationPolicy = "notification-policy";
inline constexpr std::string_view ResourceScan = "scan";
inline constexpr std::string_view ResourceScanner = "scanner";
inline constexpr std::string_view ResourceArtifact = "artifact";
inline constexpr std::string_view ResourceArtifactAddition = "artifact-addition";
inline constexpr std::string_view ResourceTag = "tag";
inline constexpr std::string_view ResourceAccessory = "accessory";
inline constexpr std::string_view ResourceArtifactLabel = "artifact-label";
inline constexpr std::string_view ResourcePreheatPolicy = "preheat-policy";

inline constexpr std::string_view ActionAll = "*";
inline constexpr std::string_view ActionPull = "pull";
inline constexpr std::string_view ActionPush = "push";
inline constexpr std::string_view ActionCreate = "create";
inline constexpr std::string_view ActionRead = "read";
inline constexpr std::string_view ActionUpdate = "update";
inline constexpr std::string_view ActionDelete = "delete";
inline constexpr std::string_view ActionList = "list";
inline constexpr std::string_view ActionOperate = "operate";
inline constexpr std::string_view ActionStop = "stop";
} // namespace rbac

/// What a project role may do in its project: Harbor's `rolePoliciesMap`
/// (src/common/rbac/project/rbac_role.go, v2.7, without the Helm chart rows Harbor 2.8 dropped).
[[nodiscard]] std::span<const Permission> rolePermissions(ProjectRole role);
/// What anyone, anonymous included, may do in a public project (Harbor's
/// `publicProjectPolicies`).
[[nodiscard]] std::span<const Permission> publicProjectPermissions();

/// Whether `role` grants (resource, action).
[[nodiscard]] bool roleAllows(ProjectRole role, std::string_view resource, std::string_view action);
/// Whether everyone may do (resource, action) in a public project.
[[nodiscard]] bool publicAllows(std::string_view resource, std::string_view action);

} // namespace pilot::registry
