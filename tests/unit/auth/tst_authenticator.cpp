#include "engine/auth/authenticator.h"

#include "engine/auth/atomicfile.h"
#include "engine/auth/openssl.h"
#include "engine/auth/pki.h"
#include "engine/auth/tokenfile.h"
#include "tests/unit/auth/tempdir.h"

#include <gtest/gtest.h>

#include <thread>

using namespace pilot;
using namespace pilot::auth;
using namespace std::chrono_literals;
using pilot::auth::test::TempDir;

namespace {

UserInfo user(std::string name, std::string uid, std::vector<std::string> groups) {
    return {std::move(name), std::move(uid), std::move(groups)};
}

} // namespace

TEST(Authenticator, ClientCertificateNamesUserAndGroups) {
    TempDir temp;
    auto pki = Pki::loadOrCreate(temp.path().string());
    ASSERT_TRUE(pki.has_value()) << pki.error().message;
    Authenticator authenticator;

    CertPtr admin = certificateFromPem(pki->admin().certificatePem);
    auto adminUser = authenticator.fromClientCertificate(admin.get());
    ASSERT_TRUE(adminUser.has_value());
    EXPECT_EQ(adminUser->name, "pilothouse-admin");
    EXPECT_EQ(adminUser->groups,
              (std::vector<std::string>{"system:masters", "system:authenticated"}));

    auto node = pki->issueClientCert("system:node:n1", {"system:nodes", "extra"}, 1h);
    ASSERT_TRUE(node.has_value());
    CertPtr nodeCert = certificateFromPem(node->certificatePem);
    auto nodeUser = authenticator.fromClientCertificate(nodeCert.get());
    ASSERT_TRUE(nodeUser.has_value());
    EXPECT_EQ(*nodeUser,
              user("system:node:n1", "", {"system:nodes", "extra", "system:authenticated"}));

    EXPECT_FALSE(authenticator.fromClientCertificate(nullptr).has_value());
    EXPECT_FALSE(authenticator.fromSsl(nullptr).has_value());
}

TEST(TokenFile, ParsesKubeApiserverTokenFiles) {
    struct Case {
        std::string name;
        std::string content;
        std::vector<StaticToken> tokens;
    };
    const std::vector<Case> cases = {
        {"plain", "t1,alice,1001\n", {{"t1", user("alice", "1001", {})}}},
        {"quoted groups",
         "t2,bob,1002,\"dev,ops\"\n",
         {{"t2", user("bob", "1002", {"dev", "ops"})}}},
        {"single unquoted group", "t3,carol,3,admins", {{"t3", user("carol", "3", {"admins"})}}},
        {"crlf and blank lines",
         "\r\nt1,alice,1\r\n\r\n\nt2,bob,2,\"g\"\r\n",
         {{"t1", user("alice", "1", {})}, {"t2", user("bob", "2", {"g"})}}},
        {"empty token skipped", ",nobody,0\nt1,alice,1\n", {{"t1", user("alice", "1", {})}}},
        {"escaped quote", "\"to\"\"ken\",dan,4\n", {{"to\"ken", user("dan", "4", {})}}},
        {"empty groups dropped",
         "t1,alice,1,\",a,,b,\"\n",
         {{"t1", user("alice", "1", {"a", "b"})}}},
        {"empty file", "", {}},
    };
    for (const Case& c : cases) {
        auto tokens = parseTokenFile(c.content, "tokens.csv");
        ASSERT_TRUE(tokens.has_value()) << c.name << ": " << tokens.error().message;
        ASSERT_EQ(tokens->size(), c.tokens.size()) << c.name;
        for (size_t i = 0; i < c.tokens.size(); ++i) {
            EXPECT_EQ((*tokens)[i].token, c.tokens[i].token) << c.name;
            EXPECT_EQ((*tokens)[i].user, c.tokens[i].user) << c.name;
        }
    }
}

TEST(TokenFile, RejectsMalformedRecordsNamingTheLine) {
    struct Case {
        std::string content;
        std::string mentions;
    };
    const std::vector<Case> cases = {
        {"t1,alice,1\nt2,bob\n", "tokens.csv:2:"},
        {"t1,alice,1\n\nt\"2,bob,2\n", "tokens.csv:3:"},
        {"t1,alice,1,\"unclosed\n", "not closed"},
        {"\"t1\"x,alice,1\n", "tokens.csv:1:"},
    };
    for (const Case& c : cases) {
        auto tokens = parseTokenFile(c.content, "tokens.csv");
        ASSERT_FALSE(tokens.has_value()) << c.content;
        EXPECT_EQ(tokens.error().code, ErrorCode::InvalidArgument);
        EXPECT_NE(tokens.error().message.find(c.mentions), std::string::npos)
            << tokens.error().message;
    }
}

TEST(Authenticator, BearerTokensFromTheTokenFile) {
    TempDir temp;
    const std::string path = temp.file("tokens.csv");
    ASSERT_TRUE(writeFileAtomically(path,
                                    "alice-token,alice,u-1,\"dev,ops\"\n"
                                    "bob-token,bob,u-2\n"
                                    "bob-token,robert,u-3\n",
                                    0600)
                    .has_value());
    Authenticator authenticator;
    ASSERT_TRUE(authenticator.loadTokenFile(path).has_value());

    EXPECT_EQ(authenticator.fromBearerToken("alice-token"),
              user("alice", "u-1", {"dev", "ops", "system:authenticated"}));
    // A duplicate token: the last record wins, as in kube-apiserver.
    EXPECT_EQ(authenticator.fromBearerToken("bob-token"),
              user("robert", "u-3", {"system:authenticated"}));
    for (std::string_view wrong : {"", "alice", "alice-token ", "alice-tokenx", "ALICE-TOKEN"}) {
        EXPECT_FALSE(authenticator.fromBearerToken(wrong).has_value()) << wrong;
    }
    EXPECT_EQ(authenticator.fromAuthorizationHeader("Bearer alice-token")->name, "alice");
    EXPECT_EQ(authenticator.fromAuthorizationHeader("bearer  alice-token ")->name, "alice");
    EXPECT_FALSE(authenticator.fromAuthorizationHeader("Basic alice-token").has_value());
    EXPECT_FALSE(authenticator.fromAuthorizationHeader("Bearer ").has_value());
}

TEST(Authenticator, MissingTokenFileMeansNoTokensAndABrokenOneChangesNothing) {
    TempDir temp;
    const std::string path = temp.file("tokens.csv");
    Authenticator authenticator;
    EXPECT_TRUE(authenticator.loadTokenFile(path).has_value());
    EXPECT_FALSE(authenticator.fromBearerToken("anything").has_value());

    ASSERT_TRUE(writeFileAtomically(path, "good,alice,1\n", 0600).has_value());
    ASSERT_TRUE(authenticator.loadTokenFile(path).has_value());
    ASSERT_TRUE(writeFileAtomically(path, "good,alice,1\nbroken\n", 0600).has_value());
    auto reload = authenticator.loadTokenFile(path);
    ASSERT_FALSE(reload.has_value());
    EXPECT_NE(reload.error().message.find("tokens.csv:2"), std::string::npos)
        << reload.error().message;
    EXPECT_EQ(authenticator.fromBearerToken("good")->name, "alice");
}

TEST(Authenticator, RuntimeTokensSurviveFileReloadsAndCanBeRemoved) {
    TempDir temp;
    const std::string path = temp.file("tokens.csv");
    ASSERT_TRUE(writeFileAtomically(path, "file-token,alice,1\nshared,alice,1\n", 0600));
    Authenticator authenticator;
    ASSERT_TRUE(authenticator.loadTokenFile(path).has_value());
    authenticator.addToken("agent-token", user("system:node:n1", "", {"system:nodes"}));
    authenticator.addToken("shared", user("runtime-user", "", {}));

    EXPECT_EQ(authenticator.fromBearerToken("agent-token"),
              user("system:node:n1", "", {"system:nodes", "system:authenticated"}));
    EXPECT_EQ(authenticator.fromBearerToken("shared")->name, "runtime-user");

    ASSERT_TRUE(writeFileAtomically(path, "new-token,carol,3\n", 0600));
    ASSERT_TRUE(authenticator.loadTokenFile(path).has_value());
    EXPECT_FALSE(authenticator.fromBearerToken("file-token").has_value());
    EXPECT_EQ(authenticator.fromBearerToken("new-token")->name, "carol");
    EXPECT_EQ(authenticator.fromBearerToken("agent-token")->name, "system:node:n1");

    EXPECT_TRUE(authenticator.removeToken("agent-token"));
    EXPECT_FALSE(authenticator.removeToken("agent-token"));
    EXPECT_FALSE(authenticator.fromBearerToken("agent-token").has_value());
}

TEST(Authenticator, ConcurrentAddsAndLookupsLoseNothing) {
    Authenticator authenticator;
    constexpr int Threads = 4;
    constexpr int PerThread = 200;
    std::vector<std::thread> threads;
    std::atomic<int> misses = 0;
    for (int t = 0; t < Threads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < PerThread; ++i) {
                std::string token = "token-" + std::to_string(t) + "-" + std::to_string(i);
                authenticator.addToken(token, user("user-" + std::to_string(t), "", {}));
                auto found = authenticator.fromBearerToken(token);
                if (!found || found->name != "user-" + std::to_string(t)) {
                    ++misses;
                }
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(misses.load(), 0);
    for (int t = 0; t < Threads; ++t) {
        EXPECT_TRUE(
            authenticator
                .fromBearerToken("token-" + std::to_string(t) + "-" + std::to_string(PerThread - 1))
                .has_value());
    }
}
