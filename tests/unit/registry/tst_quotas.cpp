#include "engine/registry/access/adminaccess.h"
#include "engine/registry/distribution/distribution.h"
#include "tests/unit/registry/managementtestutil.h"

#include "core/base64.h"

#include <gtest/gtest.h>

namespace pilot::registry::test {
namespace {

using management::Quota;
using management::UnlimitedStorage;

class QuotaTest : public ManagementFixture {};

TEST_F(QuotaTest, UsageCountsEachBlobAndManifestOncePerProject) {
    auto quota = mgmt->quotas().setForProject(7, "team", "admin", UnlimitedStorage);
    ASSERT_TRUE(quota.has_value()) << quota.error().message;
    EXPECT_EQ(quota->usedStorage, 0);

    Image first = pushImage("team/app", "a", "v1", 1000);
    EXPECT_EQ(*mgmt->quotas().usage("team"), static_cast<int64_t>(first.bytes));

    // The same image in a second repository of the project is not counted again...
    std::string config = "config a";
    std::string layer = "layer a";
    layer.resize(1000, '.');
    pushBlob(*storage, "team/copy", config);
    pushBlob(*storage, "team/copy", layer);
    EXPECT_EQ(*mgmt->quotas().usage("team"), static_cast<int64_t>(first.bytes));
    // ... but an upload not referenced by any manifest yet is (Harbor counts accepted blobs).
    Digest pending = pushBlob(*storage, "team/app", std::string(300, 'p'));
    EXPECT_EQ(*mgmt->quotas().usage("team"), static_cast<int64_t>(first.bytes) + 300);
    (void)pending;

    // Other projects, including one whose name starts the same, are separate.
    pushImage("teamwork/app", "b", "v1", 5000);
    pushImage("other/app", "c", "v1", 5000);
    EXPECT_EQ(*mgmt->quotas().usage("team"), static_cast<int64_t>(first.bytes) + 300);

    auto listed = mgmt->quotas().get(quota->id);
    ASSERT_TRUE(listed.has_value() && listed->has_value());
    EXPECT_EQ((*listed)->usedStorage, static_cast<int64_t>(first.bytes) + 300);
    EXPECT_EQ((*listed)->projectName, "team");
}

TEST_F(QuotaTest, ChecksRefuseWhatWouldExceedTheHardLimit) {
    Image first = pushImage("team/app", "a", "v1", 1000);
    auto quota =
        mgmt->quotas().setForProject(7, "team", "admin", static_cast<int64_t>(first.bytes) + 500);
    ASSERT_TRUE(quota.has_value());

    Digest big = Digest::sha256(std::string(501, 'x'));
    auto refused = mgmt->quotas().checkBlob("team/app", big, 501);
    ASSERT_TRUE(refused.has_value());
    ASSERT_TRUE(refused->has_value());
    EXPECT_NE((*refused)->find("Quota exceeded when processing the request of adding 501 B of "
                               "storage resource"),
              std::string::npos)
        << **refused;
    EXPECT_NE((*refused)->find("will exceed the configured upper limit of"), std::string::npos);

    EXPECT_FALSE(mgmt->quotas().checkBlob("team/app", big, 500)->has_value()) << "exactly fits";
    EXPECT_FALSE(mgmt->quotas().checkBlob("team/app", first.blobs[1], 1000)->has_value())
        << "a blob the project holds adds nothing";
    EXPECT_FALSE(mgmt->quotas().checkBlob("other/app", big, 1 << 20)->has_value())
        << "a project without a quota is unlimited";

    ASSERT_TRUE(mgmt->quotas().setHard(quota->id, UnlimitedStorage).has_value());
    EXPECT_FALSE(mgmt->quotas().checkBlob("team/app", big, 1 << 20)->has_value());
    EXPECT_FALSE(mgmt->quotas().setHard(quota->id, 0).has_value()) << "0 is not a valid limit";
    EXPECT_EQ(mgmt->quotas().setHard(999, 10).error().code, ErrorCode::NotFound);
}

TEST_F(QuotaTest, ListsByProjectAndDropsWithTheProject) {
    ASSERT_TRUE(mgmt->quotas().setForProject(1, "library", "admin", UnlimitedStorage));
    ASSERT_TRUE(mgmt->quotas().setForProject(2, "team", "alice", 1 << 20));
    auto all = mgmt->quotas().list(std::nullopt, 0, 10);
    ASSERT_TRUE(all.has_value());
    EXPECT_EQ(all->total, 2);
    auto one = mgmt->quotas().list(2, 0, 10);
    ASSERT_TRUE(one.has_value());
    ASSERT_EQ(one->items.size(), 1u);
    EXPECT_EQ(one->items[0].ownerName, "alice");
    EXPECT_EQ(one->items[0].hardStorage, 1 << 20);
    EXPECT_TRUE(*mgmt->quotas().removeForProject(2));
    EXPECT_EQ(mgmt->quotas().list(std::nullopt, 0, 10)->total, 1);
}

/// The hooks wired into the distribution API: pushes over the quota get 403 DENIED.
class QuotaDistributionTest : public ManagementFixture {
protected:
    void SetUp() override {
        ManagementFixture::SetUp();
        access = std::make_unique<AdminAccess>(Credential{"admin", "secret"});
        DistributionOptions options;
        options.hooks = &mgmt->hooks();
        distribution = std::make_unique<Distribution>(*storage, *access, options);
    }

    struct Reply {
        int status = 0;
        std::string body;
    };
    Reply send(std::string method, std::string target, std::string body = {},
               std::string contentType = {}) {
        RegistryRequest request;
        request.method = std::move(method);
        request.target = std::move(target);
        request.headers.emplace_back("Authorization", "Basic " + base64Encode("admin:secret"));
        if (!contentType.empty()) {
            request.headers.emplace_back("Content-Type", contentType);
        }
        request.contentLength = body.size();
        RegistryResponse response = complete(distribution->begin(request), body);
        return {response.status, response.body};
    }

    std::unique_ptr<AdminAccess> access;
    std::unique_ptr<Distribution> distribution;
};

TEST_F(QuotaDistributionTest, BlobUploadOverTheQuotaIsDenied) {
    ASSERT_TRUE(mgmt->quotas().setForProject(3, "small", "admin", 1000));
    std::string fits(600, 'a');
    Reply ok =
        send("POST", "/v2/small/app/blobs/uploads/?digest=" + Digest::sha256(fits).str(), fits);
    EXPECT_EQ(ok.status, 201) << ok.body;

    std::string tooBig(600, 'b');
    Reply refused =
        send("POST", "/v2/small/app/blobs/uploads/?digest=" + Digest::sha256(tooBig).str(), tooBig);
    EXPECT_EQ(refused.status, 403);
    EXPECT_NE(refused.body.find("DENIED"), std::string::npos) << refused.body;
    EXPECT_NE(refused.body.find("Quota exceeded"), std::string::npos) << refused.body;
    EXPECT_FALSE(storage->blobs().stat("small/app", Digest::sha256(tooBig))->has_value());
    EXPECT_EQ(*mgmt->quotas().usage("small"), 600);
}

TEST_F(QuotaDistributionTest, ManifestOverTheQuotaIsDeniedAndAuditedPushesAreRecorded) {
    std::string config = "cfg";
    std::string layer(400, 'l');
    Digest c = pushBlob(*storage, "small/app", config);
    Digest l = pushBlob(*storage, "small/app", layer);
    std::string manifest = imageManifest(c, config.size(), {{l, layer.size()}});
    ASSERT_TRUE(mgmt->quotas().setForProject(
        3, "small", "admin",
        static_cast<int64_t>(config.size() + layer.size() + manifest.size() - 1)));
    Reply refused =
        send("PUT", "/v2/small/app/manifests/v1", manifest, std::string(mediatype::OciManifest));
    EXPECT_EQ(refused.status, 403) << refused.body;
    EXPECT_NE(refused.body.find("DENIED"), std::string::npos);

    ASSERT_TRUE(mgmt->quotas().setForProject(3, "small", "admin", UnlimitedStorage));
    Reply pushed =
        send("PUT", "/v2/small/app/manifests/v1", manifest, std::string(mediatype::OciManifest));
    EXPECT_EQ(pushed.status, 201) << pushed.body;
    EXPECT_EQ(send("GET", "/v2/small/app/manifests/v1").status, 200);
    EXPECT_EQ(send("DELETE", "/v2/small/app/manifests/v1").status, 202);

    management::AuditQuery query;
    query.project = "small";
    query.oldestFirst = true;
    auto page = mgmt->audit().query(query);
    ASSERT_TRUE(page.has_value()) << page.error().message;
    ASSERT_EQ(page->items.size(), 3u) << "the refused push is not an operation";
    EXPECT_EQ(page->items[0].operation, "create");
    EXPECT_EQ(page->items[0].resource, "small/app:v1");
    EXPECT_EQ(page->items[0].resourceType, "artifact");
    EXPECT_EQ(page->items[0].username, "admin");
    EXPECT_EQ(page->items[1].operation, "pull");
    EXPECT_EQ(page->items[2].operation, "delete");
    EXPECT_EQ(page->items[2].resourceType, "tag");
}

} // namespace
} // namespace pilot::registry::test
