#pragma once

#include "core/error.h"
#include "engine/registry/access/rbac.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::registry {

class RegistryDb;

/// A Harbor project: the first path component of its repositories' names.
struct Project {
    int64_t id = 0;
    std::string name;
    bool isPublic = false;
    int64_t ownerId = 0;
    int64_t created = 0; ///< Unix seconds
    int64_t updated = 0;
};

struct User {
    int64_t id = 0;
    std::string username;
    std::string email;
    std::string realname;
    std::string comment;
    bool sysadmin = false;
    int64_t created = 0;
    int64_t updated = 0;
};

/// A user's membership of a project.
struct Member {
    int64_t id = 0;
    int64_t projectId = 0;
    int64_t userId = 0;
    std::string username;
    ProjectRole role = ProjectRole::None;
};

/// One `{resource, action}` a robot may do (Harbor's Access; effect is always allow).
struct RobotAccess {
    std::string resource;
    std::string action;
};

/// Harbor's RobotPermission: `kind` `project` (with `ns` a project name, or `*` for every
/// project) or `system` (`ns` `/`), and what the robot may do there.
struct RobotPermission {
    std::string kind;
    std::string ns;
    std::vector<RobotAccess> access;
};

struct Robot {
    int64_t id = 0;
    /// The full name: `robot$name` (system level) or `robot$project+name` (project level).
    std::string name;
    std::string description;
    /// `system` or `project`.
    std::string level;
    /// The project of a project-level robot, else 0.
    int64_t projectId = 0;
    /// Days the secret is valid, -1 for never (the robot's `duration`).
    int64_t duration = -1;
    /// Unix seconds, -1 for never.
    int64_t expiresAt = -1;
    bool disabled = false;
    std::vector<RobotPermission> permissions;
    int64_t created = 0;
    int64_t updated = 0;
};

/// Harbor's access model kept in the registry database (DATA/registry/registry.db, tables
/// `users`, `projects`, `project_members`, `robots`, created by `open`): users with
/// PBKDF2-hashed passwords, projects (a public `library` project is created on first open, as
/// Harbor does), members with roles, and robot accounts with hashed secrets. Thread-safe (every
/// call is one database transaction).
class AccessStore {
public:
    /// Creates the tables when missing and the `library` project on first open.
    [[nodiscard]] static Result<std::unique_ptr<AccessStore>> open(RegistryDb& db);

    // Users. Usernames are unique; AlreadyExists when taken.
    [[nodiscard]] Result<User> createUser(const User& user, std::string_view password);
    [[nodiscard]] Result<std::optional<User>> user(int64_t id);
    [[nodiscard]] Result<std::optional<User>> userByName(std::string_view username);
    [[nodiscard]] Result<std::vector<User>> users();
    /// The user when `password` is theirs; nullopt otherwise (unknown user or wrong password).
    [[nodiscard]] Result<std::optional<User>> verifyUser(std::string_view username,
                                                         std::string_view password);
    [[nodiscard]] Status setPassword(int64_t userId, std::string_view password);
    [[nodiscard]] Status setSysadmin(int64_t userId, bool sysadmin);
    [[nodiscard]] Status deleteUser(int64_t userId);
    /// Makes sure `username` exists as a system admin whose password is `password` (the
    /// administrator of DATA/registry-admin, synced at every start).
    [[nodiscard]] Result<User> ensureAdministrator(std::string_view username,
                                                   std::string_view password);

    // Projects. Names are unique; the owner becomes the project's admin member.
    [[nodiscard]] Result<Project> createProject(std::string_view name, bool isPublic,
                                                int64_t ownerId);
    [[nodiscard]] Result<std::optional<Project>> project(int64_t id);
    [[nodiscard]] Result<std::optional<Project>> projectByName(std::string_view name);
    [[nodiscard]] Result<std::vector<Project>> projects();
    [[nodiscard]] Status setProjectPublic(int64_t id, bool isPublic);
    /// Deletes the project with its members and robots.
    [[nodiscard]] Status deleteProject(int64_t id);

    // Members.
    [[nodiscard]] Result<std::vector<Member>> members(int64_t projectId);
    [[nodiscard]] Result<std::optional<Member>> member(int64_t projectId, int64_t memberId);
    /// AlreadyExists when the user is already a member.
    [[nodiscard]] Result<Member> addMember(int64_t projectId, int64_t userId, ProjectRole role);
    [[nodiscard]] Status setMemberRole(int64_t projectId, int64_t memberId, ProjectRole role);
    [[nodiscard]] Status removeMember(int64_t projectId, int64_t memberId);
    /// The user's role in the project, None when not a member.
    [[nodiscard]] Result<ProjectRole> role(int64_t projectId, int64_t userId);

    // Robots. Names are unique; the secret is stored hashed.
    [[nodiscard]] Result<Robot> createRobot(const Robot& robot, std::string_view secret);
    [[nodiscard]] Result<std::optional<Robot>> robot(int64_t id);
    [[nodiscard]] Result<std::optional<Robot>> robotByName(std::string_view name);
    /// Every robot, or those of one project (`projectId` > 0).
    [[nodiscard]] Result<std::vector<Robot>> robots(int64_t projectId = 0);
    /// Updates description, duration/expiry, disabled and permissions.
    [[nodiscard]] Status updateRobot(const Robot& robot);
    [[nodiscard]] Status setRobotSecret(int64_t id, std::string_view secret);
    [[nodiscard]] Status deleteRobot(int64_t id);
    /// The robot when `secret` is its secret (whatever its state); nullopt otherwise.
    [[nodiscard]] Result<std::optional<Robot>> verifyRobot(std::string_view name,
                                                           std::string_view secret);

private:
    explicit AccessStore(RegistryDb& db) : m_db(db) {}

    RegistryDb& m_db;
};

/// The project part of a repository name (before the first `/`), empty when there is none.
[[nodiscard]] std::string_view projectOfRepository(std::string_view repository);

} // namespace pilot::registry
