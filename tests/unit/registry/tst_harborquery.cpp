// Harbor's q= query syntax and the /api/v2.0 router's matching and paging helpers.

#include "engine/registry/harbor/apirouter.h"
#include "engine/registry/harbor/harborquery.h"

#include <gtest/gtest.h>

namespace pilot::registry::harbor {
namespace {

TEST(HarborQuery, ParsesEveryKindOfTerm) {
    auto q = parseQuery("name=~busy,public=true,id={1 2  3},tags=(a b),"
                        "creation_time=[2024-01-01~2025-01-01],size=[~100]");
    ASSERT_TRUE(q) << q.error().message;
    ASSERT_EQ(q->terms.size(), 6u);
    EXPECT_EQ(q->terms[0].kind, QueryTerm::Kind::Fuzzy);
    EXPECT_EQ(q->terms[0].value, "busy");
    EXPECT_EQ(q->terms[1].kind, QueryTerm::Kind::Exact);
    EXPECT_EQ(q->terms[1].value, "true");
    EXPECT_EQ(q->terms[2].kind, QueryTerm::Kind::AnyOf);
    EXPECT_EQ(q->terms[2].values, (std::vector<std::string>{"1", "2", "3"}));
    EXPECT_EQ(q->terms[3].kind, QueryTerm::Kind::AllOf);
    EXPECT_EQ(q->terms[4].kind, QueryTerm::Kind::Range);
    EXPECT_EQ(q->terms[4].min, "2024-01-01");
    EXPECT_EQ(q->terms[4].max, "2025-01-01");
    EXPECT_FALSE(q->terms[5].min);
    EXPECT_EQ(q->terms[5].max, "100");
    EXPECT_EQ(q->find("public"), &q->terms[1]);
    EXPECT_EQ(q->find("nothing"), nullptr);
}

TEST(HarborQuery, RejectsWhatHarborRejects) {
    for (std::string_view bad :
         {"name", "=x", "size=[~]", "size=[5]", "id={}", "a=b]", "name=[a", "a=1,b={x"}) {
        auto q = parseQuery(bad);
        EXPECT_FALSE(q) << bad;
        if (!q) {
            EXPECT_EQ(q.error().code, ErrorCode::InvalidArgument);
        }
    }
    auto empty = parseQuery("");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->terms.empty());
}

TEST(HarborQuery, TermsMatchValues) {
    auto q = parseQuery("name=~box,size=[10~100],id={3 5},exact=abc");
    ASSERT_TRUE(q);
    EXPECT_TRUE(q->find("name")->matches("library/busybox"));
    EXPECT_FALSE(q->find("name")->matches("library/alpine"));
    EXPECT_TRUE(q->find("size")->matches("10"));
    EXPECT_TRUE(q->find("size")->matches("99"));
    EXPECT_FALSE(q->find("size")->matches("9")) << "numbers compare as numbers";
    EXPECT_FALSE(q->find("size")->matches("101"));
    EXPECT_TRUE(q->find("id")->matches("5"));
    EXPECT_FALSE(q->find("id")->matches("4"));
    EXPECT_TRUE(q->find("exact")->matches("abc"));
    EXPECT_FALSE(q->find("exact")->matches("abcd"));
    auto all = parseQuery("tags=(v1 latest)");
    ASSERT_TRUE(all);
    EXPECT_TRUE(all->terms[0].matchesAny({"latest", "v1", "v2"}));
    EXPECT_FALSE(all->terms[0].matchesAny({"latest"}));
    EXPECT_TRUE(q->find("name")->matchesAny({"x", "mybox"}));
}

TEST(ApiRouter, MatchesLiteralsBeforeParametersAndReportsWrongMethods) {
    ApiRouter router;
    int hit = 0;
    router.add("GET", "/projects/{project_name_or_id}", [&](ApiCall&) {
        hit = 1;
        return RegistryResponse{};
    });
    router.add("GET", "/projects/{project_name}/repositories/{repository_name}", [&](ApiCall&) {
        hit = 2;
        return RegistryResponse{};
    });
    router.add("GET", "/users/current", [&](ApiCall&) {
        hit = 3;
        return RegistryResponse{};
    });
    router.add("GET", "/users/{user_id}", [&](ApiCall&) {
        hit = 4;
        return RegistryResponse{};
    });
    auto m = router.match("GET", {"projects", "library", "repositories", "a%252Fb"});
    ASSERT_NE(m.handler, nullptr);
    ASSERT_EQ(m.params.size(), 2u);
    EXPECT_EQ(m.params[1].first, "repository_name");
    EXPECT_EQ(m.params[1].second, "a%2Fb") << "decoded once; repositoryParam decodes again";
    EXPECT_EQ(percentDecode(m.params[1].second), "a/b");
    auto current = router.match("GET", {"users", "current"});
    ASSERT_NE(current.handler, nullptr);
    RegistryRequest request;
    EXPECT_EQ(router.match("GET", {"users", "7"}).params.at(0).second, "7");
    auto wrong = router.match("DELETE", {"users", "current"});
    EXPECT_EQ(wrong.handler, nullptr);
    EXPECT_TRUE(wrong.pathKnown);
    auto missing = router.match("GET", {"nothing"});
    EXPECT_EQ(missing.handler, nullptr);
    EXPECT_FALSE(missing.pathKnown);
    (void)hit;
}

TEST(ApiErrors, AreShapedLikeHarbors) {
    RegistryResponse r = apiError(Error{ErrorCode::NotFound, "project x not found"});
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.body, R"({"errors":[{"code":"NOT_FOUND","message":"project x not found"}]})");
    EXPECT_EQ(apiError(Error{ErrorCode::AlreadyExists, "x"}).status, 409);
    EXPECT_EQ(apiError(Error{ErrorCode::InvalidArgument, "x"}).status, 400);
    EXPECT_EQ(apiError(Error{ErrorCode::Internal, "x"}).status, 500);
    EXPECT_EQ(harborTime(0), "1970-01-01T00:00:00.000Z");
}

} // namespace
} // namespace pilot::registry::harbor
