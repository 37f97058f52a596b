// TokenRequest (`serviceaccounts/token`) through the handler: the answer carries a token that
// verifies with the engine's key and names the ServiceAccount (and bound pod) by uid, with
// upstream's defaults, limits and errors.

#include "apitestutil.h"
#include "engine/auth/serviceaccounttoken.h"
#include "tests/unit/auth/tempdir.h"

#include <gtest/gtest.h>

using namespace pilot;
using namespace pilot::apiserver;
using namespace pilot::apiserver::test;

namespace {

constexpr std::string_view TokenPath = "/api/v1/namespaces/default/serviceaccounts/";

class TokenRequestTest : public ::testing::Test {
protected:
    TokenRequestTest() {
        auto loaded = auth::ServiceAccountTokens::loadOrCreate(
            dir.path().string(), std::string(auth::ServiceAccountTokens::DefaultIssuer));
        EXPECT_TRUE(loaded);
        tokens = std::make_shared<auth::ServiceAccountTokens>(std::move(*loaded));
        env.handler->setServiceAccountTokens(tokens);
        env.createNamespace("default");
        json::object sa{{"metadata", json::object{{"name", "builder"}}}};
        auto r =
            env.send("POST", "/api/v1/namespaces/default/serviceaccounts", json::serialize(sa));
        EXPECT_EQ(r.response.status, 201) << r.response.body;
        accountUid = str(bodyOf(r), "metadata.uid");
    }

    HandlerResult request(const std::string& account, const json::object& spec) {
        json::object body{{"apiVersion", "authentication.k8s.io/v1"},
                          {"kind", "TokenRequest"},
                          {"metadata", json::object{{"creationTimestamp", nullptr}}},
                          {"spec", spec}};
        return env.send("POST", std::string(TokenPath) + account + "/token", json::serialize(body));
    }

    auth::test::TempDir dir;
    ApiEnv env;
    std::shared_ptr<auth::ServiceAccountTokens> tokens;
    std::string accountUid;
};

TEST_F(TokenRequestTest, issuesAVerifiableTokenWithUpstreamsDefaults) {
    auto r = request("builder", json::object{});
    ASSERT_EQ(r.response.status, 201) << r.response.body;
    json::object answer = bodyOf(r);
    EXPECT_EQ(str(answer, "kind"), "TokenRequest");
    EXPECT_EQ(str(answer, "apiVersion"), "authentication.k8s.io/v1");
    EXPECT_EQ(str(answer, "metadata.name"), "builder");
    EXPECT_EQ(at(answer, "spec.expirationSeconds")->as_int64(), 3600);
    EXPECT_EQ(json::serialize(*at(answer, "spec.audiences")),
              R"(["https://kubernetes.default.svc.cluster.local"])");
    EXPECT_EQ(str(answer, "status.expirationTimestamp"),
              formatTime(std::chrono::time_point_cast<std::chrono::seconds>(env.clock.now()) +
                         std::chrono::hours(1)));
    auto claims = tokens->verify(str(answer, "status.token"), env.clock.now());
    ASSERT_TRUE(claims) << claims.error().message;
    EXPECT_EQ(claims->subject(), "system:serviceaccount:default:builder");
    EXPECT_EQ(claims->serviceAccountUid, accountUid);
    EXPECT_FALSE(claims->pod);
    EXPECT_EQ(claims->expiresAt - claims->issuedAt, std::chrono::hours(1));
    EXPECT_FALSE(claims->id.empty());
}

TEST_F(TokenRequestTest, honoursAudiencesLifetimeAndPodBinding) {
    json::object node{{"metadata", json::object{{"name", "node-a"}}}};
    auto madeNode = env.send("POST", "/api/v1/nodes", json::serialize(node));
    ASSERT_EQ(madeNode.response.status, 201) << madeNode.response.body;
    std::string nodeUid = str(bodyOf(madeNode), "metadata.uid");
    json::object p = pod("web", "node-a");
    auto created = env.send("POST", "/api/v1/namespaces/default/pods", json::serialize(p));
    ASSERT_EQ(created.response.status, 201) << created.response.body;
    std::string podUid = str(bodyOf(created), "metadata.uid");
    auto r = request("builder", json::object{{"audiences", json::array{"vault"}},
                                             {"expirationSeconds", 7200},
                                             {"boundObjectRef", json::object{{"kind", "Pod"},
                                                                             {"apiVersion", "v1"},
                                                                             {"name", "web"},
                                                                             {"uid", podUid}}}});
    ASSERT_EQ(r.response.status, 201) << r.response.body;
    std::string token = str(bodyOf(r), "status.token");
    // Not for the API server's audience: the engine itself refuses it.
    EXPECT_FALSE(tokens->verify(token, env.clock.now()));
    size_t first = token.find('.');
    json::object payload =
        json::parse(*auth::base64UrlDecode(token.substr(first + 1, token.rfind('.') - first - 1)))
            .as_object();
    EXPECT_EQ(json::serialize(payload.at("aud")), R"(["vault"])");
    EXPECT_EQ(payload.at("exp").as_int64() - payload.at("iat").as_int64(), 7200);
    EXPECT_EQ(json::serialize(payload.at("kubernetes.io")),
              R"({"namespace":"default","node":{"name":"node-a","uid":")" + nodeUid +
                  R"("},"pod":{"name":"web","uid":")" + podUid +
                  R"("},"serviceaccount":{"name":"builder","uid":")" + accountUid + R"("}})");
}

TEST_F(TokenRequestTest, refusesAsUpstreamDoes) {
    auto missing = request("ghost", json::object{});
    EXPECT_EQ(missing.response.status, 404);
    EXPECT_EQ(str(bodyOf(missing), "message"), "serviceaccounts \"ghost\" not found");

    auto tooShort = request("builder", json::object{{"expirationSeconds", 599}});
    EXPECT_EQ(tooShort.response.status, 422);
    EXPECT_NE(str(bodyOf(tooShort), "message")
                  .find("may not specify a duration less than 10 "
                        "minutes"),
              std::string::npos);

    auto wrongUid = request(
        "builder", json::object{{"boundObjectRef",
                                 json::object{{"kind", "Secret"}, {"name", "s"}, {"uid", "x"}}}});
    EXPECT_EQ(wrongUid.response.status, 404); // no such Secret
    json::object secret{{"metadata", json::object{{"name", "s"}}}};
    ASSERT_EQ(env.send("POST", "/api/v1/namespaces/default/secrets", json::serialize(secret))
                  .response.status,
              201);
    wrongUid = request(
        "builder", json::object{{"boundObjectRef",
                                 json::object{{"kind", "Secret"}, {"name", "s"}, {"uid", "x"}}}});
    EXPECT_EQ(wrongUid.response.status, 409);

    auto node = request(
        "builder",
        json::object{{"boundObjectRef", json::object{{"kind", "ConfigMap"}, {"name", "c"}}}});
    EXPECT_EQ(node.response.status, 400);
}

} // namespace
