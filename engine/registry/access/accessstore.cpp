#include "engine/registry/access/accessstore.h"

#include "engine/registry/access/passwordhash.h"
#include "engine/registry/storage/registrydb.h"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <chrono>

namespace pilot::registry {

namespace {

namespace json = boost::json;

// Harbor's access model. Times are Unix seconds. `robots.permissions` is the robot's Harbor
// permission list as JSON; `project_id` is 0 for system-level robots. Deleting a project takes
// its members and project robots with it (the triggers below: robots of a system level keep
// living when a project they name goes).
constexpr std::string_view Schema = R"sql(
CREATE TABLE IF NOT EXISTS users(
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL DEFAULT '',
    realname TEXT NOT NULL DEFAULT '',
    comment TEXT NOT NULL DEFAULT '',
    password TEXT NOT NULL,
    sysadmin INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS projects(
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    public INTEGER NOT NULL,
    owner_id INTEGER NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS project_members(
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role INTEGER NOT NULL,
    created INTEGER NOT NULL,
    UNIQUE(project_id, user_id));
CREATE TABLE IF NOT EXISTS robots(
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    level TEXT NOT NULL,
    project_id INTEGER NOT NULL,
    secret TEXT NOT NULL,
    duration INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    disabled INTEGER NOT NULL,
    permissions TEXT NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS robots_by_project ON robots(project_id);
)sql";

constexpr std::string_view LibraryProject = "library";

int64_t now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

template <typename T>
Result<std::optional<T>> one(Result<std::vector<T>> rows) {
    if (!rows) {
        return std::unexpected(rows.error());
    }
    if (rows->empty()) {
        return std::optional<T>();
    }
    return std::optional<T>(std::move(rows->front()));
}

/// Runs `sql` with `bind` applied, reading each row with `read`.
template <typename T, typename Bind, typename Read>
Result<std::vector<T>> select(DbConnection& db, std::string_view sql, Bind bind, Read read) {
    auto query = db.query(sql);
    if (!query) {
        return std::unexpected(query.error());
    }
    bind(*query);
    std::vector<T> out;
    for (;;) {
        auto row = query->next();
        if (!row) {
            return std::unexpected(row.error());
        }
        if (!*row) {
            return out;
        }
        out.push_back(read(*query));
    }
}

bool isUniqueViolation(const Error& error) {
    return error.message.find("UNIQUE") != std::string::npos;
}

constexpr std::string_view UserColumns =
    "id, username, email, realname, comment, sysadmin, created, updated, password";

User readUser(Query& q) {
    User u;
    u.id = q.integer(0);
    u.username = q.text(1);
    u.email = q.text(2);
    u.realname = q.text(3);
    u.comment = q.text(4);
    u.sysadmin = q.integer(5) != 0;
    u.created = q.integer(6);
    u.updated = q.integer(7);
    return u;
}

constexpr std::string_view ProjectColumns = "id, name, public, owner_id, created, updated";

Project readProject(Query& q) {
    return Project{q.integer(0), std::string(q.text(1)), q.integer(2) != 0,
                   q.integer(3), q.integer(4),           q.integer(5)};
}

constexpr std::string_view RobotColumns = "id, name, description, level, project_id, duration, "
                                          "expires_at, disabled, permissions, created, updated";

std::string permissionsJson(const std::vector<RobotPermission>& permissions) {
    json::array out;
    for (const RobotPermission& p : permissions) {
        json::array access;
        for (const RobotAccess& a : p.access) {
            access.push_back(json::object{{"resource", a.resource}, {"action", a.action}});
        }
        out.push_back(json::object{{"kind", p.kind}, {"namespace", p.ns}, {"access", access}});
    }
    return json::serialize(out);
}

std::vector<RobotPermission> parsePermissions(std::string_view text) {
    std::vector<RobotPermission> out;
    boost::system::error_code ec;
    json::value value = json::parse(text, ec);
    if (ec || !value.is_array()) {
        return out;
    }
    for (const json::value& item : value.get_array()) {
        const json::object* o = item.if_object();
        if (!o) {
            continue;
        }
        RobotPermission p;
        auto str = [](const json::object& obj, std::string_view key) {
            const json::value* v = obj.if_contains(key);
            return v && v->is_string() ? std::string(v->get_string()) : std::string();
        };
        p.kind = str(*o, "kind");
        p.ns = str(*o, "namespace");
        if (const json::value* access = o->if_contains("access"); access && access->is_array()) {
            for (const json::value& a : access->get_array()) {
                if (const json::object* ao = a.if_object()) {
                    p.access.push_back(RobotAccess{str(*ao, "resource"), str(*ao, "action")});
                }
            }
        }
        out.push_back(std::move(p));
    }
    return out;
}

Robot readRobot(Query& q) {
    Robot r;
    r.id = q.integer(0);
    r.name = q.text(1);
    r.description = q.text(2);
    r.level = q.text(3);
    r.projectId = q.integer(4);
    r.duration = q.integer(5);
    r.expiresAt = q.integer(6);
    r.disabled = q.integer(7) != 0;
    r.permissions = parsePermissions(q.text(8));
    r.created = q.integer(9);
    r.updated = q.integer(10);
    return r;
}

Result<int64_t> insertProject(DbConnection& db, std::string_view name, bool isPublic,
                              int64_t ownerId, int64_t t) {
    auto ok = db.execute("INSERT INTO projects(name, public, owner_id, created, updated) "
                         "VALUES(?, ?, ?, ?, ?)",
                         name, isPublic ? 1 : 0, ownerId, t, t);
    if (!ok) {
        if (isUniqueViolation(ok.error())) {
            return fail(ErrorCode::AlreadyExists, fmt::format("project {} already exists", name));
        }
        return std::unexpected(ok.error());
    }
    return db.lastInsertRowId();
}

} // namespace

std::string_view projectOfRepository(std::string_view repository) {
    size_t slash = repository.find('/');
    return slash == std::string_view::npos ? std::string_view() : repository.substr(0, slash);
}

Result<std::unique_ptr<AccessStore>> AccessStore::open(RegistryDb& db) {
    auto created = db.write([](DbConnection& c) -> Status {
        if (auto ok = c.exec(Schema); !ok) {
            return ok;
        }
        auto existing = select<int64_t>(
            c, "SELECT id FROM projects WHERE name = ?", [](Query& q) { q.bind(LibraryProject); },
            [](Query& q) { return q.integer(0); });
        if (!existing) {
            return std::unexpected(existing.error());
        }
        auto seeded = select<int64_t>(
            c, "SELECT COUNT(*) FROM projects", [](Query&) {},
            [](Query& q) { return q.integer(0); });
        if (!seeded) {
            return std::unexpected(seeded.error());
        }
        // Only on the very first open: an administrator who deleted `library` keeps it deleted.
        if (existing->empty() && seeded->front() == 0) {
            auto id = insertProject(c, LibraryProject, true, 1, now());
            if (!id) {
                return std::unexpected(id.error());
            }
        }
        return {};
    });
    if (!created) {
        return std::unexpected(created.error());
    }
    return std::unique_ptr<AccessStore>(new AccessStore(db));
}

// -- users ------------------------------------------------------------------------------------

Result<User> AccessStore::createUser(const User& user, std::string_view password) {
    std::string hash = hashPassword(password);
    int64_t t = now();
    return m_db.write([&](DbConnection& db) -> Result<User> {
        auto ok = db.execute("INSERT INTO users(username, email, realname, comment, password, "
                             "sysadmin, created, updated) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                             user.username, user.email, user.realname, user.comment, hash,
                             user.sysadmin ? 1 : 0, t, t);
        if (!ok) {
            if (isUniqueViolation(ok.error())) {
                return fail(ErrorCode::AlreadyExists,
                            fmt::format("user {} already exists", user.username));
            }
            return std::unexpected(ok.error());
        }
        User out = user;
        out.id = db.lastInsertRowId();
        out.created = out.updated = t;
        return out;
    });
}

Result<std::optional<User>> AccessStore::user(int64_t id) {
    return m_db.read([&](DbConnection& db) {
        return one(select<User>(
            db, fmt::format("SELECT {} FROM users WHERE id = ?", UserColumns),
            [&](Query& q) { q.bind(id); }, readUser));
    });
}

Result<std::optional<User>> AccessStore::userByName(std::string_view username) {
    return m_db.read([&](DbConnection& db) {
        return one(select<User>(
            db, fmt::format("SELECT {} FROM users WHERE username = ?", UserColumns),
            [&](Query& q) { q.bind(username); }, readUser));
    });
}

Result<std::vector<User>> AccessStore::users() {
    return m_db.read([&](DbConnection& db) {
        return select<User>(
            db, fmt::format("SELECT {} FROM users ORDER BY id", UserColumns), [](Query&) {},
            readUser);
    });
}

Result<std::optional<User>> AccessStore::verifyUser(std::string_view username,
                                                    std::string_view password) {
    using Row = std::pair<User, std::string>;
    auto rows = m_db.read([&](DbConnection& db) {
        return select<Row>(
            db, fmt::format("SELECT {} FROM users WHERE username = ?", UserColumns),
            [&](Query& q) { q.bind(username); },
            [](Query& q) {
                return Row{readUser(q), std::string(q.text(8))};
            });
    });
    if (!rows) {
        return std::unexpected(rows.error());
    }
    if (rows->empty()) {
        // Spend the same time as a wrong password, so that names cannot be probed by timing.
        (void)verifyPassword(password, hashPassword("-"));
        return std::optional<User>();
    }
    if (!verifyPassword(password, rows->front().second)) {
        return std::optional<User>();
    }
    return std::optional<User>(std::move(rows->front().first));
}

Status AccessStore::setPassword(int64_t userId, std::string_view password) {
    std::string hash = hashPassword(password);
    int64_t t = now();
    return m_db.write([&](DbConnection& db) {
        return db.execute("UPDATE users SET password = ?, updated = ? WHERE id = ?", hash, t,
                          userId);
    });
}

Status AccessStore::setSysadmin(int64_t userId, bool sysadmin) {
    int64_t t = now();
    return m_db.write([&](DbConnection& db) -> Status {
        auto ok = db.execute("UPDATE users SET sysadmin = ?, updated = ? WHERE id = ?",
                             sysadmin ? 1 : 0, t, userId);
        if (ok && db.changes() == 0) {
            return fail(ErrorCode::NotFound, fmt::format("user {} not found", userId));
        }
        return ok;
    });
}

Status AccessStore::deleteUser(int64_t userId) {
    return m_db.write([&](DbConnection& db) -> Status {
        if (auto ok = db.execute("DELETE FROM project_members WHERE user_id = ?", userId); !ok) {
            return ok;
        }
        auto ok = db.execute("DELETE FROM users WHERE id = ?", userId);
        if (ok && db.changes() == 0) {
            return fail(ErrorCode::NotFound, fmt::format("user {} not found", userId));
        }
        return ok;
    });
}

Result<User> AccessStore::ensureAdministrator(std::string_view username,
                                              std::string_view password) {
    auto existing = verifyUser(username, password);
    if (!existing) {
        return std::unexpected(existing.error());
    }
    if (*existing) {
        if (!(*existing)->sysadmin) {
            if (auto ok = setSysadmin((*existing)->id, true); !ok) {
                return std::unexpected(ok.error());
            }
            (*existing)->sysadmin = true;
        }
        return **existing;
    }
    auto named = userByName(username);
    if (!named) {
        return std::unexpected(named.error());
    }
    if (*named) {
        // DATA/registry-admin was edited: it is the source of truth for this account.
        if (auto ok = setPassword((*named)->id, password); !ok) {
            return std::unexpected(ok.error());
        }
        if (auto ok = setSysadmin((*named)->id, true); !ok) {
            return std::unexpected(ok.error());
        }
        (*named)->sysadmin = true;
        return **named;
    }
    User admin;
    admin.username = username;
    admin.realname = "system admin";
    admin.comment = "the registry's first administrator (DATA/registry-admin)";
    admin.sysadmin = true;
    return createUser(admin, password);
}

// -- projects ---------------------------------------------------------------------------------

Result<Project> AccessStore::createProject(std::string_view name, bool isPublic, int64_t ownerId) {
    int64_t t = now();
    return m_db.write([&](DbConnection& db) -> Result<Project> {
        auto id = insertProject(db, name, isPublic, ownerId, t);
        if (!id) {
            return std::unexpected(id.error());
        }
        if (ownerId > 0) {
            auto ok = db.execute("INSERT INTO project_members(project_id, user_id, role, created) "
                                 "SELECT ?, id, ?, ? FROM users WHERE id = ?",
                                 *id, static_cast<int64_t>(ProjectRole::ProjectAdmin), t, ownerId);
            if (!ok) {
                return std::unexpected(ok.error());
            }
        }
        return Project{*id, std::string(name), isPublic, ownerId, t, t};
    });
}

Result<std::optional<Project>> AccessStore::project(int64_t id) {
    return m_db.read([&](DbConnection& db) {
        return one(select<Project>(
            db, fmt::format("SELECT {} FROM projects WHERE id = ?", ProjectColumns),
            [&](Query& q) { q.bind(id); }, readProject));
    });
}

Result<std::optional<Project>> AccessStore::projectByName(std::string_view name) {
    return m_db.read([&](DbConnection& db) {
        return one(select<Project>(
            db, fmt::format("SELECT {} FROM projects WHERE name = ?", ProjectColumns),
            [&](Query& q) { q.bind(name); }, readProject));
    });
}

Result<std::vector<Project>> AccessStore::projects() {
    return m_db.read([&](DbConnection& db) {
        return select<Project>(
            db, fmt::format("SELECT {} FROM projects ORDER BY name", ProjectColumns), [](Query&) {},
            readProject);
    });
}

Status AccessStore::setProjectPublic(int64_t id, bool isPublic) {
    int64_t t = now();
    return m_db.write([&](DbConnection& db) -> Status {
        auto ok = db.execute("UPDATE projects SET public = ?, updated = ? WHERE id = ?",
                             isPublic ? 1 : 0, t, id);
        if (ok && db.changes() == 0) {
            return fail(ErrorCode::NotFound, fmt::format("project {} not found", id));
        }
        return ok;
    });
}

Status AccessStore::deleteProject(int64_t id) {
    return m_db.write([&](DbConnection& db) -> Status {
        for (std::string_view sql : {"DELETE FROM project_members WHERE project_id = ?",
                                     "DELETE FROM robots WHERE project_id = ?"}) {
            if (auto ok = db.execute(sql, id); !ok) {
                return ok;
            }
        }
        auto ok = db.execute("DELETE FROM projects WHERE id = ?", id);
        if (ok && db.changes() == 0) {
            return fail(ErrorCode::NotFound, fmt::format("project {} not found", id));
        }
        return ok;
    });
}

// -- members ----------------------------------------------------------------------------------

namespace {

constexpr std::string_view MemberSelect =
    "SELECT m.id, m.project_id, m.user_id, u.username, m.role FROM project_members m "
    "JOIN users u ON u.id = m.user_id ";

Member readMember(Query& q) {
    return Member{q.integer(0), q.integer(1), q.integer(2), std::string(q.text(3)),
                  roleFromId(q.integer(4)).value_or(ProjectRole::None)};
}

} // namespace

Result<std::vector<Member>> AccessStore::members(int64_t projectId) {
    return m_db.read([&](DbConnection& db) {
        return select<Member>(
            db, fmt::format("{} WHERE m.project_id = ? ORDER BY m.id", MemberSelect),
            [&](Query& q) { q.bind(projectId); }, readMember);
    });
}

Result<std::optional<Member>> AccessStore::member(int64_t projectId, int64_t memberId) {
    return m_db.read([&](DbConnection& db) {
        return one(select<Member>(
            db, fmt::format("{} WHERE m.project_id = ? AND m.id = ?", MemberSelect),
            [&](Query& q) { q.bind(projectId).bind(memberId); }, readMember));
    });
}

Result<Member> AccessStore::addMember(int64_t projectId, int64_t userId, ProjectRole role) {
    int64_t t = now();
    return m_db.write([&](DbConnection& db) -> Result<Member> {
        auto ok = db.execute(
            "INSERT INTO project_members(project_id, user_id, role, created) VALUES(?, ?, ?, ?)",
            projectId, userId, static_cast<int64_t>(role), t);
        if (!ok) {
            if (isUniqueViolation(ok.error())) {
                return fail(ErrorCode::AlreadyExists,
                            "the user is already a member of the project");
            }
            return std::unexpected(ok.error());
        }
        int64_t id = db.lastInsertRowId();
        auto found = one(select<Member>(
            db, fmt::format("{} WHERE m.id = ?", MemberSelect), [&](Query& q) { q.bind(id); },
            readMember));
        if (!found) {
            return std::unexpected(found.error());
        }
        if (!*found) {
            return fail(ErrorCode::NotFound, fmt::format("user {} not found", userId));
        }
        return **found;
    });
}

Status AccessStore::setMemberRole(int64_t projectId, int64_t memberId, ProjectRole role) {
    return m_db.write([&](DbConnection& db) -> Status {
        auto ok = db.execute("UPDATE project_members SET role = ? WHERE project_id = ? AND id = ?",
                             static_cast<int64_t>(role), projectId, memberId);
        if (ok && db.changes() == 0) {
            return fail(ErrorCode::NotFound, fmt::format("member {} not found", memberId));
        }
        return ok;
    });
}

Status AccessStore::removeMember(int64_t projectId, int64_t memberId) {
    return m_db.write([&](DbConnection& db) -> Status {
        auto ok = db.execute("DELETE FROM project_members WHERE project_id = ? AND id = ?",
                             projectId, memberId);
        if (ok && db.changes() == 0) {
            return fail(ErrorCode::NotFound, fmt::format("member {} not found", memberId));
        }
        return ok;
    });
}

Result<ProjectRole> AccessStore::role(int64_t projectId, int64_t userId) {
    auto rows = m_db.read([&](DbConnection& db) {
        return select<int64_t>(
            db, "SELECT role FROM project_members WHERE project_id = ? AND user_id = ?",
            [&](Query& q) { q.bind(projectId).bind(userId); },
            [](Query& q) { return q.integer(0); });
    });
    if (!rows) {
        return std::unexpected(rows.error());
    }
    return rows->empty() ? ProjectRole::None
                         : roleFromId(rows->front()).value_or(ProjectRole::None);
}

// -- robots -----------------------------------------------------------------------------------

Result<Robot> AccessStore::createRobot(const Robot& robot, std::string_view secret) {
    std::string hash = hashPassword(secret);
    std::string permissions = permissionsJson(robot.permissions);
    int64_t t = now();
    return m_db.write([&](DbConnection& db) -> Result<Robot> {
        auto ok =
            db.execute("INSERT INTO robots(name, description, level, project_id, secret, "
                       "duration, expires_at, disabled, permissions, created, updated) "
                       "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       robot.name, robot.description, robot.level, robot.projectId, hash,
                       robot.duration, robot.expiresAt, robot.disabled ? 1 : 0, permissions, t, t);
        if (!ok) {
            if (isUniqueViolation(ok.error())) {
                return fail(ErrorCode::AlreadyExists,
                            fmt::format("robot account {} already exists", robot.name));
            }
            return std::unexpected(ok.error());
        }
        Robot out = robot;
        out.id = db.lastInsertRowId();
        out.created = out.updated = t;
        return out;
    });
}

Result<std::optional<Robot>> AccessStore::robot(int64_t id) {
    return m_db.read([&](DbConnection& db) {
        return one(select<Robot>(
            db, fmt::format("SELECT {} FROM robots WHERE id = ?", RobotColumns),
            [&](Query& q) { q.bind(id); }, readRobot));
    });
}

Result<std::optional<Robot>> AccessStore::robotByName(std::string_view name) {
    return m_db.read([&](DbConnection& db) {
        return one(select<Robot>(
            db, fmt::format("SELECT {} FROM robots WHERE name = ?", RobotColumns),
            [&](Query& q) { q.bind(name); }, readRobot));
    });
}

Result<std::vector<Robot>> AccessStore::robots(int64_t projectId) {
    return m_db.read([&](DbConnection& db) {
        if (projectId > 0) {
            return select<Robot>(
                db,
                fmt::format("SELECT {} FROM robots WHERE project_id = ? ORDER BY id", RobotColumns),
                [&](Query& q) { q.bind(projectId); }, readRobot);
        }
        return select<Robot>(
            db, fmt::format("SELECT {} FROM robots ORDER BY id", RobotColumns), [](Query&) {},
            readRobot);
    });
}

Status AccessStore::updateRobot(const Robot& robot) {
    std::string permissions = permissionsJson(robot.permissions);
    int64_t t = now();
    return m_db.write([&](DbConnection& db) -> Status {
        auto ok = db.execute("UPDATE robots SET description = ?, duration = ?, expires_at = ?, "
                             "disabled = ?, permissions = ?, updated = ? WHERE id = ?",
                             robot.description, robot.duration, robot.expiresAt,
                             robot.disabled ? 1 : 0, permissions, t, robot.id);
        if (ok && db.changes() == 0) {
            return fail(ErrorCode::NotFound, fmt::format("robot {} not found", robot.id));
        }
        return ok;
    });
}

Status AccessStore::setRobotSecret(int64_t id, std::string_view secret) {
    std::string hash = hashPassword(secret);
    int64_t t = now();
    return m_db.write([&](DbConnection& db) -> Status {
        auto ok = db.execute("UPDATE robots SET secret = ?, updated = ? WHERE id = ?", hash, t, id);
        if (ok && db.changes() == 0) {
            return fail(ErrorCode::NotFound, fmt::format("robot {} not found", id));
        }
        return ok;
    });
}

Status AccessStore::deleteRobot(int64_t id) {
    return m_db.write([&](DbConnection& db) -> Status {
        auto ok = db.execute("DELETE FROM robots WHERE id = ?", id);
        if (ok && db.changes() == 0) {
            return fail(ErrorCode::NotFound, fmt::format("robot {} not found", id));
        }
        return ok;
    });
}

Result<std::optional<Robot>> AccessStore::verifyRobot(std::string_view name,
                                                      std::string_view secret) {
    using Row = std::pair<Robot, std::string>;
    auto rows = m_db.read([&](DbConnection& db) {
        return select<Row>(
            db, fmt::format("SELECT {}, secret FROM robots WHERE name = ?", RobotColumns),
            [&](Query& q) { q.bind(name); },
            [](Query& q) {
                return Row{readRobot(q), std::string(q.text(11))};
            });
    });
    if (!rows) {
        return std::unexpected(rows.error());
    }
    if (rows->empty() || !verifyPassword(secret, rows->front().second)) {
        return std::optional<Robot>();
    }
    return std::optional<Robot>(std::move(rows->front().first));
}

} // namespace pilot::registry
