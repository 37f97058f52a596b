// ServiceAccount tokens: the key is created once and reused, tokens round-trip with upstream's
// claims, and tampered, foreign, expired, early or wrong-audience tokens are refused; the
// Authenticator turns a valid token into the service account user only while the ServiceAccount
// (and the bound pod) still exist with the uid the token names.

#include "engine/auth/authenticator.h"
#include "engine/auth/serviceaccounttoken.h"
#include "tempdir.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

using namespace pilot;
using namespace pilot::auth;
using namespace std::chrono_literals;

namespace {

namespace json = boost::json;

constexpr std::string_view Issuer = ServiceAccountTokens::DefaultIssuer;

TimePoint at(int64_t seconds) {
    return TimePoint(std::chrono::seconds(seconds));
}

ServiceAccountClaims claimsFor(const std::string& ns, const std::string& name,
                               const std::string& uid, int64_t issued = 1'700'000'000) {
    ServiceAccountClaims claims;
    claims.issuer = std::string(Issuer);
    claims.audiences = {std::string(Issuer)};
    claims.ns = ns;
    claims.serviceAccountName = name;
    claims.serviceAccountUid = uid;
    claims.issuedAt = at(issued);
    claims.notBefore = at(issued);
    claims.expiresAt = at(issued + 3600);
    claims.id = "7d7e6a3e-0000-4000-8000-000000000001";
    return claims;
}

json::object payloadOf(const std::string& token) {
    size_t first = token.find('.');
    size_t second = token.find('.', first + 1);
    auto text = base64UrlDecode(token.substr(first + 1, second - first - 1));
    EXPECT_TRUE(text);
    return json::parse(text.value_or("{}")).as_object();
}

class ServiceAccountTokenTest : public ::testing::Test {
protected:
    ServiceAccountTokens tokens() {
        auto loaded = ServiceAccountTokens::loadOrCreate(dir.path().string(), std::string(Issuer));
        EXPECT_TRUE(loaded) << loaded.error().message;
        return std::move(*loaded);
    }
    test::TempDir dir;
};

TEST(Base64Url, isUnpaddedAndUrlSafeBothWays) {
    std::string data("\xfb\xff\xfe?", 4);
    EXPECT_EQ(base64UrlEncode(data), "-__-Pw");
    EXPECT_EQ(base64UrlDecode("-__-Pw"), data);
    EXPECT_FALSE(base64UrlDecode("+//+Pw"));
    EXPECT_FALSE(base64UrlDecode("-__-Pw=="));
    EXPECT_FALSE(base64UrlDecode("-__-Px")); // unused bits set
}

TEST_F(ServiceAccountTokenTest, theKeyIsCreatedOnceAndReused) {
    ServiceAccountTokens first = tokens();
    ASSERT_TRUE(std::filesystem::exists(dir.file("sa.key")));
    ASSERT_TRUE(std::filesystem::exists(dir.file("sa.pub")));
    EXPECT_EQ(std::filesystem::status(dir.file("sa.key")).permissions() &
                  std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    ServiceAccountTokens second = tokens();
    EXPECT_EQ(first.keyId(), second.keyId());
    auto token = first.sign(claimsFor("default", "default", "u1"));
    ASSERT_TRUE(token);
    EXPECT_TRUE(second.verify(*token, at(1'700'000'100))); // survives a restart
}

TEST_F(ServiceAccountTokenTest, roundTripsUpstreamsClaims) {
    ServiceAccountTokens signer = tokens();
    ServiceAccountClaims claims = claimsFor("team", "builder", "uid-sa");
    claims.audiences = {std::string(Issuer), "vault"};
    claims.pod = BoundObject{"web-0", "uid-pod"};
    auto token = signer.sign(claims);
    ASSERT_TRUE(token) << token.error().message;

    json::object header =
        json::parse(*base64UrlDecode(token->substr(0, token->find('.')))).as_object();
    EXPECT_EQ(std::string_view(header.at("alg").as_string()), "RS256");
    EXPECT_EQ(std::string_view(header.at("kid").as_string()), signer.keyId());
    json::object payload = payloadOf(*token);
    EXPECT_EQ(std::string_view(payload.at("iss").as_string()), Issuer);
    EXPECT_EQ(std::string_view(payload.at("sub").as_string()),
              "system:serviceaccount:team:builder");
    EXPECT_EQ(json::serialize(payload.at("aud")),
              R"(["https://kubernetes.default.svc.cluster.local","vault"])");
    EXPECT_EQ(payload.at("iat").as_int64(), 1'700'000'000);
    EXPECT_EQ(payload.at("nbf").as_int64(), 1'700'000'000);
    EXPECT_EQ(payload.at("exp").as_int64(), 1'700'003'600);
    EXPECT_EQ(std::string_view(payload.at("jti").as_string()), claims.id);
    EXPECT_EQ(json::serialize(payload.at("kubernetes.io")),
              R"({"namespace":"team","pod":{"name":"web-0","uid":"uid-pod"},)"
              R"("serviceaccount":{"name":"builder","uid":"uid-sa"}})");

    auto verified = signer.verify(*token, at(1'700'000'001));
    ASSERT_TRUE(verified) << verified.error().message;
    EXPECT_EQ(verified->subject(), "system:serviceaccount:team:builder");
    EXPECT_EQ(verified->serviceAccountUid, "uid-sa");
    EXPECT_EQ(verified->pod, claims.pod);
    EXPECT_FALSE(verified->secret);
    EXPECT_EQ(verified->expiresAt, claims.expiresAt);
}

TEST_F(ServiceAccountTokenTest, refusesTamperedForeignAndOutOfTimeTokens) {
    ServiceAccountTokens signer = tokens();
    std::string token = *signer.sign(claimsFor("default", "default", "u1"));
    TimePoint valid = at(1'700'000'010);
    ASSERT_TRUE(signer.verify(token, valid));

    // Claims changed after signing: another service account.
    json::object payload = payloadOf(token);
    payload["sub"] = "system:serviceaccount:kube-system:admin";
    size_t first = token.find('.');
    size_t second = token.find('.', first + 1);
    std::string forged = token.substr(0, first + 1) + base64UrlEncode(json::serialize(payload)) +
                         token.substr(second);
    EXPECT_EQ(signer.verify(forged, valid).error().code, ErrorCode::Unauthorized);
    // A changed signature byte, and a non-canonical spelling of the same signature.
    std::string flipped = token;
    char& middle = flipped[second + 20];
    middle = middle == 'A' ? 'B' : 'A';
    EXPECT_FALSE(signer.verify(flipped, valid));
    std::string respelled = token;
    respelled.back() = static_cast<char>(respelled.back() + 1); // 256 bytes: 2 unused bits
    EXPECT_FALSE(signer.verify(respelled, valid));
    // Signed by another key.
    test::TempDir otherDir;
    auto other = ServiceAccountTokens::loadOrCreate(otherDir.path().string(), std::string(Issuer));
    ASSERT_TRUE(other);
    EXPECT_FALSE(other->verify(token, valid));
    // Expired, not yet valid.
    EXPECT_FALSE(signer.verify(token, at(1'700'003'600)));
    EXPECT_TRUE(signer.verify(token, at(1'700'003'599)));
    EXPECT_FALSE(signer.verify(token, at(1'699'999'999)));
    // Not meant for the API server.
    ServiceAccountClaims elsewhere = claimsFor("default", "default", "u1");
    elsewhere.audiences = {"vault"};
    EXPECT_FALSE(signer.verify(*signer.sign(elsewhere), valid));
    // Garbage.
    EXPECT_FALSE(signer.verify("a.b", valid));
    EXPECT_FALSE(signer.verify("not-a-jwt", valid));
}

TEST_F(ServiceAccountTokenTest, authenticatesWhileTheAccountAndBoundPodExist) {
    auto signer = std::make_shared<ServiceAccountTokens>(tokens());
    std::map<std::string, std::string> uids{{"serviceaccounts/team/builder", "uid-sa"},
                                            {"pods/team/web-0", "uid-pod"}};
    ManualClock clock(at(1'700'000'005));
    Authenticator authenticator;
    authenticator.setServiceAccountTokens(
        signer,
        [&uids](std::string_view resource, std::string_view ns,
                std::string_view name) -> std::optional<std::string> {
            auto it =
                uids.find(std::string(resource) + "/" + std::string(ns) + "/" + std::string(name));
            return it == uids.end() ? std::nullopt : std::optional(it->second);
        },
        clock);
    ServiceAccountClaims claims = claimsFor("team", "builder", "uid-sa");
    claims.pod = BoundObject{"web-0", "uid-pod"};
    std::string token = *signer->sign(claims);

    auto user = authenticator.fromAuthorizationHeader("Bearer " + token);
    ASSERT_TRUE(user);
    EXPECT_EQ(user->name, "system:serviceaccount:team:builder");
    EXPECT_EQ(user->uid, "uid-sa");
    EXPECT_EQ(user->groups,
              (std::vector<std::string>{"system:serviceaccounts", "system:serviceaccounts:team",
                                        "system:authenticated"}));

    uids["pods/team/web-0"] = "uid-pod-recreated";
    EXPECT_FALSE(authenticator.fromBearerToken(token)); // the bound pod was replaced
    uids["pods/team/web-0"] = "uid-pod";
    uids.erase("serviceaccounts/team/builder");
    EXPECT_FALSE(authenticator.fromBearerToken(token)); // the account is gone
    uids["serviceaccounts/team/builder"] = "uid-sa";
    ASSERT_TRUE(authenticator.fromBearerToken(token));
    clock.advance(3600s);
    EXPECT_FALSE(authenticator.fromBearerToken(token)); // expired
}

} // namespace
