#include "engine/registry/management/auditlog.h"
#include "tests/unit/registry/managementtestutil.h"

#include <gtest/gtest.h>

namespace pilot::registry::test {
namespace {

using management::AuditEntry;
using management::AuditQuery;
using namespace std::chrono_literals;

class AuditLogTest : public ManagementFixture {
protected:
    void record(std::string project, std::string user, std::string resource, std::string operation,
                std::string type = "artifact") {
        mgmt->audit().record(AuditEntry{0, std::move(project), std::move(user), std::move(resource),
                                        std::move(type), std::move(operation), 0});
    }
    std::vector<std::string> resources(const AuditQuery& query) {
        auto page = mgmt->audit().query(query);
        EXPECT_TRUE(page.has_value()) << (page ? "" : page.error().message);
        std::vector<std::string> out;
        for (const AuditEntry& entry : page->items) {
            out.push_back(entry.operation + " " + entry.resource);
        }
        return out;
    }
};

TEST_F(AuditLogTest, FiltersByOperationResourceProjectAndTime) {
    int64_t start = unixSeconds(clock.now());
    record("library", "admin", "library/busybox:1.36", "create");
    clock.advance(10s);
    record("library", "anonymous", "library/busybox:1.36", "pull");
    clock.advance(10s);
    record("team", "alice", "team/app:v1", "create");
    clock.advance(10s);
    record("library", "admin", "library/busybox:1.36", "delete", "tag");

    AuditQuery all;
    EXPECT_EQ(resources(all), (std::vector<std::string>{
                                  "delete library/busybox:1.36", "create team/app:v1",
                                  "pull library/busybox:1.36", "create library/busybox:1.36"}))
        << "newest first";

    AuditQuery pulls;
    pulls.operations = {"pull"};
    EXPECT_EQ(resources(pulls), (std::vector<std::string>{"pull library/busybox:1.36"}));

    AuditQuery fuzzy;
    fuzzy.resource = "app";
    fuzzy.resourceFuzzy = true;
    EXPECT_EQ(resources(fuzzy), (std::vector<std::string>{"create team/app:v1"}));

    AuditQuery project;
    project.project = "library";
    project.operations = {"create", "delete"};
    project.oldestFirst = true;
    EXPECT_EQ(resources(project), (std::vector<std::string>{"create library/busybox:1.36",
                                                            "delete library/busybox:1.36"}));

    AuditQuery window;
    window.from = start + 5;
    window.to = start + 20;
    EXPECT_EQ(resources(window),
              (std::vector<std::string>{"create team/app:v1", "pull library/busybox:1.36"}));

    AuditQuery paged;
    paged.limit = 1;
    paged.offset = 1;
    auto page = mgmt->audit().query(paged);
    ASSERT_TRUE(page.has_value());
    EXPECT_EQ(page->total, 4);
    ASSERT_EQ(page->items.size(), 1u);
    EXPECT_EQ(page->items[0].resource, "team/app:v1");
}

TEST_F(AuditLogTest, OldEntriesArePurgedByTheBackgroundPass) {
    record("library", "admin", "library/old:1", "create");
    clock.advance(std::chrono::hours(24 * 181));
    record("library", "admin", "library/new:1", "create");
    mgmt->tick(clock.now());
    EXPECT_EQ(resources(AuditQuery{}), (std::vector<std::string>{"create library/new:1"}));
}

TEST_F(AuditLogTest, EntriesSurviveAReopen) {
    record("library", "admin", "library/busybox:1.36", "create");
    mgmt.reset(); // flushes
    management::ManagementOptions options;
    options.background = false;
    auto reopened = management::RegistryManagement::open(*storage, options, &clock);
    ASSERT_TRUE(reopened.has_value());
    mgmt = std::move(*reopened);
    EXPECT_EQ(resources(AuditQuery{}), (std::vector<std::string>{"create library/busybox:1.36"}));
}

} // namespace
} // namespace pilot::registry::test
