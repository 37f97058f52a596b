#include "nodeagent/image/imagereference.h"
#include "nodeagent/image/pullpolicy.h"

#include <gtest/gtest.h>

namespace pilot::agent::image {
namespace {

struct ReferenceCase {
    const char* input;
    const char* domain;
    const char* path;
    const char* tag;
    const char* digest;
    const char* full;
    const char* familiar;
};

constexpr const char* Digest1 =
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

class ReferenceTable : public ::testing::TestWithParam<ReferenceCase> {};

TEST_P(ReferenceTable, NormalisesAsDocker) {
    const ReferenceCase& c = GetParam();
    auto ref = parseImageReference(c.input);
    ASSERT_TRUE(ref) << c.input << ": " << ref.error().message;
    EXPECT_EQ(ref->domain, c.domain);
    EXPECT_EQ(ref->path, c.path);
    EXPECT_EQ(ref->tag, c.tag);
    EXPECT_EQ(ref->digest, c.digest);
    EXPECT_EQ(ref->str(), c.full);
    EXPECT_EQ(ref->familiar(), c.familiar);
    // The canonical form parses to itself.
    auto again = parseImageReference(ref->str());
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *ref);
}

INSTANTIATE_TEST_SUITE_P(
    Docker, ReferenceTable,
    ::testing::Values(
        ReferenceCase{"busybox", "docker.io", "library/busybox", "latest", "",
                      "docker.io/library/busybox:latest", "busybox:latest"},
        ReferenceCase{"busybox:1.36", "docker.io", "library/busybox", "1.36", "",
                      "docker.io/library/busybox:1.36", "busybox:1.36"},
        ReferenceCase{"library/busybox:1.36", "docker.io", "library/busybox", "1.36", "",
                      "docker.io/library/busybox:1.36", "busybox:1.36"},
        ReferenceCase{"docker.io/busybox", "docker.io", "library/busybox", "latest", "",
                      "docker.io/library/busybox:latest", "busybox:latest"},
        ReferenceCase{"index.docker.io/library/nginx:1.25", "docker.io", "library/nginx", "1.25",
                      "", "docker.io/library/nginx:1.25", "nginx:1.25"},
        ReferenceCase{"bitnami/redis:7.2", "docker.io", "bitnami/redis", "7.2", "",
                      "docker.io/bitnami/redis:7.2", "bitnami/redis:7.2"},
        ReferenceCase{"quay.io/coreos/etcd:v3.5.9", "quay.io", "coreos/etcd", "v3.5.9", "",
                      "quay.io/coreos/etcd:v3.5.9", "quay.io/coreos/etcd:v3.5.9"},
        ReferenceCase{"localhost/app", "localhost", "app", "latest", "", "localhost/app:latest",
                      "localhost/app:latest"},
        ReferenceCase{"localhost:5000/team/app:2", "localhost:5000", "team/app", "2", "",
                      "localhost:5000/team/app:2", "localhost:5000/team/app:2"},
        ReferenceCase{"127.0.0.1:5000/busybox", "127.0.0.1:5000", "busybox", "latest", "",
                      "127.0.0.1:5000/busybox:latest", "127.0.0.1:5000/busybox:latest"},
        ReferenceCase{"[::1]:5000/app:v1", "[::1]:5000", "app", "v1", "", "[::1]:5000/app:v1",
                      "[::1]:5000/app:v1"},
        ReferenceCase{"Registry/app", "Registry", "app", "latest", "", "Registry/app:latest",
                      "Registry/app:latest"},
        ReferenceCase{
            "busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "docker.io", "library/busybox", "", Digest1,
            "docker.io/library/"
            "busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
        ReferenceCase{
            "ghcr.io/o/"
            "r:1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "ghcr.io", "o/r", "1.0", Digest1,
            "ghcr.io/o/"
            "r:1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "ghcr.io/o/"
            "r:1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
        ReferenceCase{"registry.example.com:443/a.b/c_d/e--f:tag_1.x-y", "registry.example.com:443",
                      "a.b/c_d/e--f", "tag_1.x-y", "",
                      "registry.example.com:443/a.b/c_d/e--f:tag_1.x-y",
                      "registry.example.com:443/a.b/c_d/e--f:tag_1.x-y"}));

class InvalidReferences : public ::testing::TestWithParam<const char*> {};

TEST_P(InvalidReferences, AreRefusedWithTheReason) {
    auto ref = parseImageReference(GetParam());
    ASSERT_FALSE(ref) << GetParam() << " parsed as " << ref->str();
    EXPECT_EQ(ref.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(ref.error().message.find("image reference"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Docker, InvalidReferences,
    ::testing::Values("", "Busybox", "busybox:", "busybox:-bad", ":tag", "busybox@sha256:abc",
                      "busybox@md5:0123456789abcdef0123456789abcdef", "a//b", "a/b/", "-a/b",
                      "a__-b", "example.com:/app", "bad host.com/app",
                      "busybox:"
                      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));

TEST(ImageReference, TaggedAndDigestForms) {
    auto ref = parseImageReference("busybox:1.36");
    ASSERT_TRUE(ref);
    EXPECT_EQ(ref->tagged(), "docker.io/library/busybox:1.36");
    EXPECT_EQ(ref->withDigest(Digest1), std::string("docker.io/library/busybox@") + Digest1);
    EXPECT_EQ(ref->manifestReference(), "1.36");
    auto pinned = parseImageReference(std::string("busybox:1.36@") + Digest1);
    ASSERT_TRUE(pinned);
    EXPECT_EQ(pinned->manifestReference(), Digest1); // The digest decides what is pulled.
}

TEST(PullPolicy, DefaultsFollowKubernetes) {
    EXPECT_EQ(defaultPullPolicy("busybox"), PullPolicy::Always);
    EXPECT_EQ(defaultPullPolicy("busybox:latest"), PullPolicy::Always);
    EXPECT_EQ(defaultPullPolicy("busybox:1.36"), PullPolicy::IfNotPresent);
    EXPECT_EQ(defaultPullPolicy(std::string("busybox@") + Digest1), PullPolicy::IfNotPresent);
    EXPECT_EQ(defaultPullPolicy("localhost:5000/app"), PullPolicy::Always);
    auto parsed = parsePullPolicy("", "busybox:1.36");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, PullPolicy::IfNotPresent);
    auto never = parsePullPolicy("Never", "busybox");
    ASSERT_TRUE(never);
    EXPECT_EQ(*never, PullPolicy::Never);
    auto bad = parsePullPolicy("Sometimes", "busybox");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("Unsupported value: \"Sometimes\""), std::string::npos);
}

TEST(PullPolicy, Decisions) {
    EXPECT_EQ(decidePull(PullPolicy::Always, true), PullDecision::Pull);
    EXPECT_EQ(decidePull(PullPolicy::Always, false), PullDecision::Pull);
    EXPECT_EQ(decidePull(PullPolicy::IfNotPresent, true), PullDecision::UsePresent);
    EXPECT_EQ(decidePull(PullPolicy::IfNotPresent, false), PullDecision::Pull);
    EXPECT_EQ(decidePull(PullPolicy::Never, true), PullDecision::UsePresent);
    EXPECT_EQ(decidePull(PullPolicy::Never, false), PullDecision::NeverPull);
    EXPECT_EQ(neverPullMessage("busybox:1.36"),
              "Container image \"busybox:1.36\" is not present with pull policy of Never");
}

} // namespace
} // namespace pilot::agent::image
