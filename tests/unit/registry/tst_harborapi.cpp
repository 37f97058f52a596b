// Harbor's /api/v2.0 in process, over the management layer: what API changes put in the audit
// log, GET /repositories as each kind of caller sees it, and stopping GC runs and retention
// executions.

#include "engine/registry/access/accessstore.h"
#include "engine/registry/access/harboraccess.h"
#include "engine/registry/access/tokenservice.h"
#include "engine/registry/harbor/harborapi.h"
#include "engine/registry/harbor/managementroutes.h"
#include "tests/unit/registry/managementtestutil.h"

#include "core/base64.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pilot::registry::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using management::GcParameters;
using management::RetentionPolicy;

constexpr std::string_view Api = "/api/v2.0";

std::string basic(const std::string& user, const std::string& password) {
    return "Basic " + base64Encode(user + ":" + password);
}

class HarborApiTest : public ManagementFixture {
protected:
    void SetUp() override {
        ManagementFixture::SetUp();
        auto opened = AccessStore::open(storage->db());
        ASSERT_TRUE(opened) << opened.error().message;
        store = std::move(*opened);
        auto t = TokenService::open(dir.str() + "/token-key.pem");
        ASSERT_TRUE(t) << t.error().message;
        tokens = std::move(*t);
        access = std::make_unique<HarborAccess>(*store, *tokens,
                                                [this] { return unixSeconds(clock.now()); });
        ASSERT_TRUE(store->ensureAdministrator("admin", "Admin12345"));
        api = std::make_unique<harbor::HarborApi>(*storage, *access);
        harbor::registerManagementRoutes(api->router(), *mgmt);
    }
    void TearDown() override {
        api.reset();
        access.reset();
        ManagementFixture::TearDown();
    }

    struct Reply {
        int status = 0;
        std::string body;
        RegistryResponse response;

        [[nodiscard]] json::value json() const {
            boost::system::error_code ec;
            json::value value = json::parse(body, ec);
            return ec ? json::value() : value;
        }
        [[nodiscard]] std::string header(std::string_view name) const {
            const std::string* value = response.header(name);
            return value ? *value : std::string();
        }
    };

    /// `method` on `/api/v2.0` + `path`, as `authorization` (the admin by default; empty:
    /// anonymous).
    Reply call(std::string method, const std::string& path, const std::string& body = {},
               const std::string& authorization = basic("admin", "Admin12345")) {
        RegistryRequest request;
        request.method = std::move(method);
        request.target = std::string(Api) + path;
        if (!authorization.empty()) {
            request.headers.emplace_back("Authorization", authorization);
        }
        request.headers.emplace_back("Content-Type", "application/json");
        request.contentLength = body.size();
        RegistryResponse response = complete(api->begin(request), body);
        int status = response.status;
        std::string text = response.body;
        return Reply{status, std::move(text), std::move(response)};
    }

    Project createProject(const std::string& name, bool isPublic = false) {
        Reply created = call("POST", "/projects",
                             fmt::format(R"({{"project_name":"{}","metadata":{{"public":"{}"}}}})",
                                         name, isPublic ? "true" : "false"));
        EXPECT_EQ(created.status, 201) << created.body;
        auto project = store->projectByName(name);
        EXPECT_TRUE(project && *project);
        return project && *project ? **project : Project{};
    }

    /// A user with `role` in `project`; their Authorization header.
    std::string member(const std::string& name, const Project& project, ProjectRole role) {
        User user;
        user.username = name;
        auto created = store->createUser(user, "Password1");
        EXPECT_TRUE(created) << created.error().message;
        EXPECT_TRUE(store->addMember(project.id, created->id, role));
        return basic(name, "Password1");
    }

    /// The audit log, oldest first, as "operation resource_type resource username".
    std::vector<std::string> auditLog(const std::string& path = "/audit-logs") {
        Reply logs = call("GET", path + "?sort=op_time&page_size=100");
        EXPECT_EQ(logs.status, 200) << logs.body;
        std::vector<std::string> out;
        json::value body = logs.json();
        for (const json::value& entry : body.is_array() ? body.as_array() : json::array()) {
            const json::object& o = entry.as_object();
            out.push_back(fmt::format("{} {} {} {}",
                                      std::string_view(o.at("operation").as_string()),
                                      std::string_view(o.at("resource_type").as_string()),
                                      std::string_view(o.at("resource").as_string()),
                                      std::string_view(o.at("username").as_string())));
        }
        return out;
    }

    std::vector<std::string> repositoryNames(const Reply& reply) {
        EXPECT_EQ(reply.status, 200) << reply.body;
        std::vector<std::string> out;
        json::value body = reply.json();
        for (const json::value& r : body.is_array() ? body.as_array() : json::array()) {
            out.emplace_back(r.as_object().at("name").as_string());
        }
        return out;
    }

    std::unique_ptr<AccessStore> store;
    std::unique_ptr<TokenService> tokens;
    std::unique_ptr<HarborAccess> access;
    std::unique_ptr<harbor::HarborApi> api;
};

// -- audit log ------------------------------------------------------------------------------

TEST_F(HarborApiTest, ApiChangesAreAuditedAsHarborRecordsThem) {
    Project team = createProject("team");
    std::string maria = member("maria", team, ProjectRole::Maintainer);
    Image v1 = pushImage("team/app", "1", "v1");
    Image v2 = pushImage("team/app", "2", "v2");
    Image web = pushImage("team/web", "w", "w1");
    Image webUntagged = pushImage("team/web", "w0", "");

    const std::string app = "/projects/team/repositories/app/artifacts";
    EXPECT_EQ(call("POST", app + "/v1/tags", R"({"name":"stable"})").status, 201);
    EXPECT_EQ(call("DELETE", app + "/v1/tags/stable", {}, maria).status, 200);
    EXPECT_EQ(call("DELETE", app + "/v2").status, 200);
    EXPECT_EQ(call("DELETE", "/projects/team/repositories/web").status, 200);
    createProject("gone");
    EXPECT_EQ(call("DELETE", "/projects/gone").status, 200);

    std::vector<std::string> expected{
        "create project team admin", "create tag team/app:stable admin",
        "delete tag team/app:stable maria",
        fmt::format("delete artifact team/app:{} admin", v2.manifest.str()),
        // A repository goes artifact by artifact (newest first), then as a whole.
        fmt::format("delete artifact team/web:{} admin", webUntagged.manifest.str()),
        fmt::format("delete artifact team/web:{} admin", web.manifest.str()),
        "delete repository team/web admin", "create project gone admin",
        "delete project gone admin"};
    EXPECT_EQ(auditLog(), expected);
    expected.resize(7);
    EXPECT_EQ(auditLog("/projects/team/logs"), expected) << "the project's own entries";

    // Refused or failed operations are not operations.
    EXPECT_EQ(call("DELETE", app + "/v2").status, 404);
    EXPECT_EQ(call("DELETE", app + "/v1/tags/stable").status, 404);
    EXPECT_EQ(call("DELETE", app + "/v1", {}, "").status, 401);
    EXPECT_EQ(auditLog().size(), 9u);
    EXPECT_TRUE(storage->manifests().byTag("team/app", "v1")->has_value());
    (void)v1;
}

// -- GET /repositories ----------------------------------------------------------------------

TEST_F(HarborApiTest, RepositoriesListsWhatTheCallerMaySeeNewestFirst) {
    Project team = createProject("team");
    Project mine = createProject("mine");
    Project robots = createProject("robots");
    std::string dev = member("dev", mine, ProjectRole::Developer);
    Robot robot;
    robot.name = "robot$robots+ci";
    robot.level = "project";
    robot.projectId = robots.id;
    robot.permissions = {RobotPermission{"project", "robots", {RobotAccess{"repository", "pull"}}}};
    ASSERT_TRUE(store->createRobot(robot, "Secret12345"));

    pushImage("library/busybox", "b", "1.36");
    clock.advance(1min);
    pushImage("team/app", "t", "v1");
    clock.advance(1min);
    pushImage("mine/tool", "m", "v1");
    clock.advance(1min);
    pushImage("robots/svc", "r", "v1");

    Reply all = call("GET", "/repositories");
    EXPECT_EQ(repositoryNames(all),
              (std::vector<std::string>{"robots/svc", "mine/tool", "team/app", "library/busybox"}));
    EXPECT_EQ(all.header("X-Total-Count"), "4");
    json::value listed = all.json();
    const json::object& first = listed.as_array()[0].as_object();
    EXPECT_EQ(first.at("project_id").as_int64(), robots.id);
    EXPECT_EQ(first.at("artifact_count").as_int64(), 1);

    EXPECT_EQ(repositoryNames(call("GET", "/repositories", {}, dev)),
              (std::vector<std::string>{"mine/tool", "library/busybox"}))
        << "members see their projects and the public ones";
    EXPECT_EQ(repositoryNames(call("GET", "/repositories", {}, basic(robot.name, "Secret12345"))),
              (std::vector<std::string>{"robots/svc", "library/busybox"}));
    EXPECT_EQ(repositoryNames(call("GET", "/repositories", {}, "")),
              (std::vector<std::string>{"library/busybox"}))
        << "anonymous callers see public projects";

    EXPECT_EQ(repositoryNames(call("GET", "/repositories?q=name%3D~oo")),
              (std::vector<std::string>{"mine/tool"}));
    EXPECT_EQ(repositoryNames(call("GET", fmt::format("/repositories?q=project_id%3D{}", team.id))),
              (std::vector<std::string>{"team/app"}));
    EXPECT_EQ(repositoryNames(call("GET", "/repositories?sort=name")),
              (std::vector<std::string>{"library/busybox", "mine/tool", "robots/svc", "team/app"}));
    Reply page = call("GET", "/repositories?page=2&page_size=3");
    EXPECT_EQ(repositoryNames(page), (std::vector<std::string>{"library/busybox"}));
    EXPECT_EQ(page.header("X-Total-Count"), "4");
    EXPECT_NE(page.header("Link").find("rel=\"prev\""), std::string::npos);
    EXPECT_EQ(call("GET", "/repositories?page_size=1000").status, 400);
}

// -- stopping jobs --------------------------------------------------------------------------

TEST_F(HarborApiTest, PutOfAGcRunStopsIt) {
    Project team = createProject("team");
    std::string dev = member("dev", team, ProjectRole::Developer);
    CheckpointGate gate(1);
    mgmt->gc().setCheckpointObserver(gate.observer());
    auto id = mgmt->gc().start(GcParameters{}, "MANUAL");
    ASSERT_TRUE(id.has_value()) << id.error().message;
    ASSERT_TRUE(gate.waitPaused());
    std::string path = fmt::format("/system/gc/{}", *id);

    EXPECT_EQ(call("PUT", path, {}, "").status, 401);
    EXPECT_EQ(call("PUT", path, {}, dev).status, 403);
    EXPECT_EQ(call("PUT", fmt::format("/system/gc/{}", *id + 100)).status, 404);
    EXPECT_EQ(call("GET", path).json().as_object().at("job_status").as_string(), "Running");
    EXPECT_EQ(call("PUT", path).status, 200);
    gate.release();
    mgmt->waitForJobs();
    EXPECT_EQ(call("GET", path).json().as_object().at("job_status").as_string(), "Stopped");
    EXPECT_NE(call("GET", path + "/log").body.find("received the stop signal"), std::string::npos);
    EXPECT_EQ(call("PUT", path).status, 200) << "stopping a finished run changes nothing";
    EXPECT_EQ(call("GET", path).json().as_object().at("job_status").as_string(), "Stopped");
}

TEST_F(HarborApiTest, PatchOfARetentionExecutionWithStopStopsIt) {
    Project team = createProject("team");
    std::string dev = member("dev", team, ProjectRole::Developer);
    RetentionPolicy policy;
    policy.projectId = team.id;
    auto policyId = mgmt->retention().create(policy, "team");
    ASSERT_TRUE(policyId.has_value()) << policyId.error().message;
    CheckpointGate gate(1);
    mgmt->retention().setCheckpointObserver(gate.observer());
    auto execution = mgmt->retention().execute(*policyId, false, "MANUAL");
    ASSERT_TRUE(execution.has_value()) << execution.error().message;
    ASSERT_TRUE(gate.waitPaused());
    std::string path = fmt::format("/retentions/{}/executions/{}", *policyId, *execution);
    auto status = [&] {
        Reply listed = call("GET", fmt::format("/retentions/{}/executions", *policyId));
        return std::string(listed.json().as_array()[0].as_object().at("status").as_string());
    };

    EXPECT_EQ(call("PATCH", path, R"({"action":"pause"})").status, 400);
    EXPECT_EQ(call("PATCH", path, R"({"action":"stop"})", "").status, 401);
    EXPECT_EQ(call("PATCH", path, R"({"action":"stop"})", dev).status, 403);
    EXPECT_EQ(call("PATCH",
                   fmt::format("/retentions/{}/executions/{}", *policyId, *execution + 100),
                   R"({"action":"stop"})")
                  .status,
              404);
    EXPECT_EQ(status(), "Running");
    EXPECT_EQ(call("PATCH", path, R"({"action":"stop"})").status, 200);
    gate.release();
    mgmt->waitForJobs();
    EXPECT_EQ(status(), "Stopped");
}

} // namespace
} // namespace pilot::registry::test
