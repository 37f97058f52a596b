// Harbor's access model: the role tables, robots' permission lists, anonymous callers on
// public and private projects, password and robot-secret checks, and bearer tokens.

#include "engine/registry/access/accessstore.h"
#include "engine/registry/access/harboraccess.h"
#include "engine/registry/access/passwordhash.h"
#include "engine/registry/access/rbac.h"
#include "engine/registry/access/tokenservice.h"
#include "tests/unit/registry/registrytestutil.h"

#include "core/base64.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

namespace pilot::registry::test {
namespace {

std::string basic(const std::string& user, const std::string& password) {
    return "Basic " + base64Encode(user + ":" + password);
}

class HarborAccessTest : public ::testing::Test {
protected:
    void SetUp() override {
        storage = openStorage(dir.str() + "/registry");
        ASSERT_TRUE(storage);
        auto opened = AccessStore::open(storage->db());
        ASSERT_TRUE(opened) << opened.error().message;
        store = std::move(*opened);
        auto t = TokenService::open(dir.str() + "/token-key.pem");
        ASSERT_TRUE(t) << t.error().message;
        tokens = std::move(*t);
        access = std::make_unique<HarborAccess>(*store, *tokens, [this] { return clock; });
        auto admin = store->ensureAdministrator("admin", "Admin12345");
        ASSERT_TRUE(admin);
        auto priv = store->createProject("private", false, admin->id);
        ASSERT_TRUE(priv);
        privateProject = *priv;
    }

    /// A user that is `role` in the private project (None: no member).
    Identity member(const std::string& name, ProjectRole role) {
        User user;
        user.username = name;
        auto created = store->createUser(user, "Password1");
        EXPECT_TRUE(created) << created.error().message;
        if (role != ProjectRole::None) {
            EXPECT_TRUE(store->addMember(privateProject.id, created->id, role));
        }
        auto identity = access->authenticate(basic(name, "Password1"));
        EXPECT_TRUE(identity);
        return *identity;
    }

    Project library() {
        auto found = store->projectByName("library");
        EXPECT_TRUE(found && *found);
        return **found;
    }

    TempDir dir;
    std::unique_ptr<RegistryStorage> storage;
    std::unique_ptr<AccessStore> store;
    std::unique_ptr<TokenService> tokens;
    std::unique_ptr<HarborAccess> access;
    Project privateProject;
    int64_t clock = 1'700'000'000;
};

// -- role tables ----------------------------------------------------------------------------

constexpr ProjectRole Roles[] = {ProjectRole::LimitedGuest, ProjectRole::Guest,
                                 ProjectRole::Developer, ProjectRole::Maintainer,
                                 ProjectRole::ProjectAdmin};

TEST(RbacTables, RoleIdsAndNamesAreHarbors) {
    EXPECT_EQ(roleFromId(1), ProjectRole::ProjectAdmin);
    EXPECT_EQ(roleFromId(2), ProjectRole::Developer);
    EXPECT_EQ(roleFromId(3), ProjectRole::Guest);
    EXPECT_EQ(roleFromId(4), ProjectRole::Maintainer);
    EXPECT_EQ(roleFromId(5), ProjectRole::LimitedGuest);
    EXPECT_FALSE(roleFromId(0));
    EXPECT_FALSE(roleFromId(6));
    EXPECT_EQ(roleName(ProjectRole::LimitedGuest), "limitedGuest");
    EXPECT_EQ(roleName(ProjectRole::ProjectAdmin), "projectAdmin");
}

TEST(RbacTables, EachRoleHoldsEverythingTheRoleBelowHolds) {
    for (size_t i = 0; i + 1 < std::size(Roles); ++i) {
        for (const Permission& p : rolePermissions(Roles[i])) {
            EXPECT_TRUE(roleAllows(Roles[i + 1], p.resource, p.action))
                << roleName(Roles[i + 1]) << " lacks " << p.resource << ":" << p.action;
        }
        EXPECT_LT(rolePermissions(Roles[i]).size(), rolePermissions(Roles[i + 1]).size());
    }
}

TEST(RbacTables, NoRoleListsAPermissionTwice) {
    for (ProjectRole role : Roles) {
        std::set<std::pair<std::string_view, std::string_view>> seen;
        for (const Permission& p : rolePermissions(role)) {
            EXPECT_TRUE(seen.emplace(p.resource, p.action).second)
                << roleName(role) << " " << p.resource << ":" << p.action;
        }
    }
}

/// Harbor's "user permissions by role" table (docs), one row per capability:
/// limited guest, guest, developer, maintainer, project admin.
struct MatrixRow {
    std::string_view resource;
    std::string_view action;
    bool allowed[5];
};

constexpr MatrixRow Matrix[] = {
    {"repository", "pull", {true, true, true, true, true}},
    {"repository", "list", {true, true, true, true, true}},
    {"artifact", "read", {true, true, true, true, true}},
    {"artifact", "list", {true, true, true, true, true}},
    {"tag", "list", {true, true, true, true, true}},
    {"repository", "read", {false, true, true, true, true}},
    {"member", "list", {false, true, true, true, true}},
    {"member", "read", {false, true, true, true, true}},
    {"log", "list", {false, true, true, true, true}},
    {"robot", "list", {false, true, true, true, true}},
    {"repository", "push", {false, false, true, true, true}},
    {"repository", "create", {false, false, true, true, true}},
    {"artifact", "create", {false, false, true, true, true}},
    {"tag", "create", {false, false, true, true, true}},
    {"artifact-label", "create", {false, false, true, true, true}},
    {"repository", "delete", {false, false, false, true, true}},
    {"artifact", "delete", {false, false, false, true, true}},
    {"tag", "delete", {false, false, false, true, true}},
    {"scan", "create", {false, false, false, true, true}},
    {"immutable-tag", "create", {false, false, false, true, true}},
    {"tag-retention", "operate", {false, false, false, true, true}},
    {"member", "create", {false, false, false, false, true}},
    {"member", "update", {false, false, false, false, true}},
    {"member", "delete", {false, false, false, false, true}},
    {"robot", "create", {false, false, false, false, true}},
    {"robot", "delete", {false, false, false, false, true}},
    {"notification-policy", "create", {false, false, false, false, true}},
    {"", "update", {false, false, false, false, true}},
    {"", "delete", {false, false, false, false, true}},
    {"quota", "update", {false, false, false, false, false}},
};

TEST(RbacTables, MatchHarborsPermissionMatrix) {
    for (const MatrixRow& row : Matrix) {
        for (size_t i = 0; i < std::size(Roles); ++i) {
            EXPECT_EQ(roleAllows(Roles[i], row.resource, row.action), row.allowed[i])
                << roleName(Roles[i]) << " " << row.resource << ":" << row.action;
        }
    }
}

TEST(RbacTables, PublicProjectsAllowReadingOnly) {
    EXPECT_TRUE(publicAllows("repository", "pull"));
    EXPECT_TRUE(publicAllows("repository", "list"));
    EXPECT_TRUE(publicAllows("artifact", "read"));
    EXPECT_TRUE(publicAllows("tag", "list"));
    EXPECT_TRUE(publicAllows("", "read"));
    for (auto [resource, action] : {std::pair{"repository", "push"},
                                    {"repository", "delete"},
                                    {"member", "list"},
                                    {"artifact", "delete"},
                                    {"log", "list"},
                                    {"robot", "list"}}) {
        EXPECT_FALSE(publicAllows(resource, action)) << resource << ":" << action;
    }
}

// -- the access controller -------------------------------------------------------------------

TEST_F(HarborAccessTest, LibraryIsAPublicProjectAfterTheFirstOpen) {
    Project lib = library();
    EXPECT_TRUE(lib.isPublic);
    EXPECT_EQ(lib.id, 1);
    // Reopening keeps one library, and a deleted library stays deleted.
    ASSERT_TRUE(AccessStore::open(storage->db()));
    ASSERT_TRUE(store->deleteProject(lib.id));
    ASSERT_TRUE(AccessStore::open(storage->db()));
    auto again = store->projectByName("library");
    ASSERT_TRUE(again);
    EXPECT_FALSE(*again);
}

TEST_F(HarborAccessTest, EveryRolesPushPullDeleteOnTheRegistry) {
    struct Expect {
        ProjectRole role;
        Decision pull, push, del;
    };
    const Expect rows[] = {
        {ProjectRole::LimitedGuest, Decision::Allow, Decision::Denied, Decision::Denied},
        {ProjectRole::Guest, Decision::Allow, Decision::Denied, Decision::Denied},
        {ProjectRole::Developer, Decision::Allow, Decision::Allow, Decision::Denied},
        {ProjectRole::Maintainer, Decision::Allow, Decision::Allow, Decision::Allow},
        {ProjectRole::ProjectAdmin, Decision::Allow, Decision::Allow, Decision::Allow},
        {ProjectRole::None, Decision::Denied, Decision::Denied, Decision::Denied},
    };
    for (const Expect& row : rows) {
        Identity who = member(fmt::format("user{}", static_cast<int>(row.role)), row.role);
        EXPECT_EQ(access->authorize(who, "private/app", Action::Pull), row.pull) << who.name;
        EXPECT_EQ(access->authorize(who, "private/app", Action::Push), row.push) << who.name;
        EXPECT_EQ(access->authorize(who, "private/app", Action::Delete), row.del) << who.name;
        EXPECT_EQ(access->authorize(who, "library/busybox", Action::Pull), Decision::Allow);
        EXPECT_EQ(access->authorize(who, "library/busybox", Action::Push), Decision::Denied);
        EXPECT_EQ(access->roleIn(who, privateProject), row.role);
    }
}

TEST_F(HarborAccessTest, AnonymousCallersPullFromPublicProjectsOnly) {
    Identity anonymous;
    EXPECT_EQ(access->authorize(anonymous, "library/busybox", Action::Pull), Decision::Allow);
    EXPECT_EQ(access->authorize(anonymous, "private/app", Action::Pull), Decision::Unauthenticated);
    EXPECT_EQ(access->authorize(anonymous, "library/busybox", Action::Push),
              Decision::Unauthenticated);
    EXPECT_EQ(access->authorize(anonymous, "", Action::Login), Decision::Unauthenticated);
    EXPECT_EQ(access->authorize(anonymous, "", Action::Catalog), Decision::Unauthenticated);
    EXPECT_FALSE(access->can(anonymous, privateProject, "", "read"));
    ASSERT_TRUE(store->setProjectPublic(privateProject.id, true));
    EXPECT_EQ(access->authorize(anonymous, "private/app", Action::Pull), Decision::Allow);
}

TEST_F(HarborAccessTest, AdministratorsMayDoAnythingButPushToAMissingProject) {
    auto admin = access->authenticate(basic("admin", "Admin12345"));
    ASSERT_TRUE(admin);
    EXPECT_TRUE(admin->administrator);
    EXPECT_EQ(access->authorize(*admin, "private/app", Action::Delete), Decision::Allow);
    EXPECT_EQ(access->authorize(*admin, "", Action::Catalog), Decision::Allow);
    EXPECT_EQ(access->authorize(*admin, "missing/app", Action::Push), Decision::Denied);
    EXPECT_EQ(access->authorize(*admin, "noproject", Action::Push), Decision::Denied);
    EXPECT_TRUE(access->canSystem(*admin, "garbage-collection", "create"));
}

TEST_F(HarborAccessTest, WrongPasswordsAndUnknownUsersAreRefused) {
    member("alice", ProjectRole::Guest);
    EXPECT_FALSE(access->authenticate(basic("alice", "password1")));
    EXPECT_FALSE(access->authenticate(basic("bob", "Password1")));
    EXPECT_FALSE(access->authenticate("Digest abc"));
    auto anon = access->authenticate(basic("", ""));
    ASSERT_TRUE(anon);
    EXPECT_TRUE(anon->anonymous());
}

TEST(PasswordHash, IsSaltedPbkdf2) {
    std::string a = hashPassword("Secret123");
    std::string b = hashPassword("Secret123");
    EXPECT_NE(a, b) << "a fresh salt each time";
    EXPECT_TRUE(a.starts_with("pbkdf2-sha256$"));
    EXPECT_TRUE(verifyPassword("Secret123", a));
    EXPECT_FALSE(verifyPassword("Secret124", a));
    EXPECT_FALSE(verifyPassword("Secret123", "plain"));
    std::string secret = randomSecret();
    EXPECT_EQ(secret.size(), 32u);
    EXPECT_NE(secret, randomSecret());
}

TEST_F(HarborAccessTest, ProjectRobotsDoWhatTheirPermissionListSays) {
    Robot robot;
    robot.name = "robot$private+ci";
    robot.level = "project";
    robot.projectId = privateProject.id;
    robot.permissions = {{"project", "private", {{"repository", "pull"}, {"repository", "push"}}}};
    auto created = store->createRobot(robot, "RobotSecret1");
    ASSERT_TRUE(created);
    EXPECT_FALSE(access->authenticate(basic("robot$private+ci", "wrong")));
    auto who = access->authenticate(basic("robot$private+ci", "RobotSecret1"));
    ASSERT_TRUE(who) << who.error().message;
    EXPECT_TRUE(who->robot());
    EXPECT_EQ(access->authorize(*who, "private/app", Action::Push), Decision::Allow);
    EXPECT_EQ(access->authorize(*who, "private/app", Action::Pull), Decision::Allow);
    EXPECT_EQ(access->authorize(*who, "private/app", Action::Delete), Decision::Denied);
    EXPECT_FALSE(access->can(*who, privateProject, "member", "list"));
    EXPECT_EQ(access->roleIn(*who, privateProject), ProjectRole::None);
    // Another private project is out of reach.
    auto other = store->createProject("other", false, 1);
    ASSERT_TRUE(other);
    EXPECT_EQ(access->authorize(*who, "other/app", Action::Pull), Decision::Denied);

    // Disabled, then expired: refused at the door.
    created->disabled = true;
    ASSERT_TRUE(store->updateRobot(*created));
    EXPECT_FALSE(access->authenticate(basic("robot$private+ci", "RobotSecret1")));
    created->disabled = false;
    created->expiresAt = clock - 1;
    ASSERT_TRUE(store->updateRobot(*created));
    EXPECT_FALSE(access->authenticate(basic("robot$private+ci", "RobotSecret1")));
    created->expiresAt = -1;
    ASSERT_TRUE(store->updateRobot(*created));
    ASSERT_TRUE(store->setRobotSecret(created->id, "NewSecret12"));
    EXPECT_FALSE(access->authenticate(basic("robot$private+ci", "RobotSecret1")));
    EXPECT_TRUE(access->authenticate(basic("robot$private+ci", "NewSecret12")));
}

TEST_F(HarborAccessTest, SystemRobotsCoverEveryProjectOrTheSystemLevel) {
    Robot robot;
    robot.name = "robot$puller";
    robot.level = "system";
    robot.permissions = {{"project", "*", {{"repository", "pull"}}},
                         {"system", "/", {{"audit-log", "list"}}}};
    ASSERT_TRUE(store->createRobot(robot, "RobotSecret1"));
    auto who = access->authenticate(basic("robot$puller", "RobotSecret1"));
    ASSERT_TRUE(who);
    EXPECT_EQ(access->authorize(*who, "private/app", Action::Pull), Decision::Allow);
    EXPECT_EQ(access->authorize(*who, "private/app", Action::Push), Decision::Denied);
    EXPECT_TRUE(access->canSystem(*who, "audit-log", "list"));
    EXPECT_FALSE(access->canSystem(*who, "garbage-collection", "create"));
}

// -- tokens -----------------------------------------------------------------------------------

TEST(TokenScopes, ParseDockerScopes) {
    auto grants = parseScopes("repository:library/busybox:pull,push registry:catalog:*");
    ASSERT_EQ(grants.size(), 2u);
    EXPECT_EQ(grants[0].type, "repository");
    EXPECT_EQ(grants[0].name, "library/busybox");
    EXPECT_EQ(grants[0].actions, (std::vector<std::string>{"pull", "push"}));
    EXPECT_EQ(grants[1].name, "catalog");
    EXPECT_EQ(grants[1].actions, (std::vector<std::string>{"*"}));
    auto hosted = parseScopes("repository:host:5000/p/r:pull");
    ASSERT_EQ(hosted.size(), 1u);
    EXPECT_EQ(hosted[0].name, "host:5000/p/r");
    EXPECT_TRUE(parseScopes("garbage").empty());
}

TEST_F(HarborAccessTest, TokensGrantOnlyWhatTheIdentityMayDo) {
    Identity guest = member("gina", ProjectRole::Guest);
    auto granted = access->grant(guest, parseScopes("repository:private/app:pull,push,delete "
                                                    "repository:library/x:pull,push "
                                                    "repository:missing/x:pull "
                                                    "registry:catalog:*"));
    ASSERT_EQ(granted.size(), 2u);
    EXPECT_EQ(granted[0].name, "private/app");
    EXPECT_EQ(granted[0].actions, (std::vector<std::string>{"pull"}));
    EXPECT_EQ(granted[1].name, "library/x");
    EXPECT_EQ(granted[1].actions, (std::vector<std::string>{"pull"}));

    auto issued = access->issueToken(guest, granted);
    auto bearer = access->authenticate("Bearer " + issued.token);
    ASSERT_TRUE(bearer) << bearer.error().message;
    EXPECT_EQ(bearer->name, "gina");
    EXPECT_EQ(access->authorize(*bearer, "private/app", Action::Pull), Decision::Allow);
    EXPECT_EQ(access->authorize(*bearer, "private/app", Action::Push), Decision::Unauthenticated)
        << "a token lacking the scope asks for another token";
    EXPECT_EQ(access->authorize(*bearer, "private/other", Action::Pull), Decision::Unauthenticated);
    EXPECT_EQ(access->authorize(*bearer, "", Action::Login), Decision::Allow);
    EXPECT_FALSE(access->can(*bearer, privateProject, "repository", "pull"))
        << "tokens are for /v2/ only";

    // Anonymous callers get tokens too, for public projects only.
    auto anonymous = access->grant(Identity{}, parseScopes("repository:private/app:pull "
                                                           "repository:library/x:pull"));
    ASSERT_EQ(anonymous.size(), 1u);
    EXPECT_EQ(anonymous[0].name, "library/x");
}

TEST_F(HarborAccessTest, TamperedExpiredOrForeignTokensAreRefused) {
    auto issued = access->issueToken(Identity{"admin", true, Identity::Kind::User, 1, nullptr},
                                     {{"repository", "private/app", {"pull"}}});
    std::string token = issued.token;
    // Change one claim character: the signature no longer matches.
    size_t dot = token.find('.');
    std::string tampered = token;
    tampered[dot + 5] = tampered[dot + 5] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(access->authenticate("Bearer " + tampered));
    EXPECT_FALSE(access->authenticate("Bearer not-a-jwt"));
    // Another key (another registry) signed it.
    TempDir elsewhere;
    auto foreign = TokenService::open(elsewhere.str() + "/key.pem");
    ASSERT_TRUE(foreign);
    EXPECT_FALSE(access->authenticate(
        "Bearer " + (*foreign)->issue("admin", {}, clock, std::chrono::seconds(60))));
    // Expiry (with a minute of skew).
    EXPECT_TRUE(access->authenticate("Bearer " + token));
    clock += HarborAccess::TokenLifetime.count() + 120;
    auto expired = access->authenticate("Bearer " + token);
    ASSERT_FALSE(expired);
    EXPECT_EQ(expired.error().code, ErrorCode::Unauthorized);
}

TEST_F(HarborAccessTest, ChallengesNameTheTokenRealmAndScope) {
    EXPECT_EQ(access->challenge("private/app", Action::Push, "reg.example:5443"),
              "Bearer realm=\"https://reg.example:5443/service/token\",service=\"harbor-registry\","
              "scope=\"repository:private/app:pull,push\"");
    EXPECT_EQ(access->challenge("", Action::Login, "h"),
              "Bearer realm=\"https://h/service/token\",service=\"harbor-registry\"");
    EXPECT_EQ(access->challenge("p/r", Action::Pull, "h"),
              "Bearer realm=\"https://h/service/token\",service=\"harbor-registry\","
              "scope=\"repository:p/r:pull\"");
}

} // namespace
} // namespace pilot::registry::test
