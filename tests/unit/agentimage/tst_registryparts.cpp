#include "nodeagent/image/imageconfig.h"
#include "nodeagent/image/manifest.h"
#include "nodeagent/image/registryauth.h"
#include "nodeagent/image/registryhosts.h"

#include <gtest/gtest.h>

namespace pilot::agent::image {
namespace {

TEST(AuthChallenge, ParsesDockerHubBearer) {
    auto challenges = parseAuthChallenges(
        R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull")");
    ASSERT_EQ(challenges.size(), 1u);
    EXPECT_EQ(challenges[0].scheme, "bearer");
    EXPECT_EQ(challenges[0].param("realm"), "https://auth.docker.io/token");
    EXPECT_EQ(challenges[0].param("service"), "registry.docker.io");
    EXPECT_EQ(challenges[0].param("scope"), "repository:library/busybox:pull");
}

TEST(AuthChallenge, ParsesSeveralSchemesEscapesAndBareValues) {
    auto challenges = parseAuthChallenges(
        R"(Basic realm="Registry \"Realm\"", Bearer realm=https://t.example/token, scope=repository:a/b:pull, error="invalid_token")");
    ASSERT_EQ(challenges.size(), 2u);
    EXPECT_EQ(challenges[0].scheme, "basic");
    EXPECT_EQ(challenges[0].param("realm"), "Registry \"Realm\"");
    EXPECT_EQ(challenges[1].scheme, "bearer");
    EXPECT_EQ(challenges[1].param("realm"), "https://t.example/token");
    EXPECT_EQ(challenges[1].param("error"), "invalid_token");
}

TEST(AuthChallenge, TokenResponses) {
    auto docker = parseTokenResponse(R"({"token":"abc","expires_in":300,"issued_at":"x"})");
    ASSERT_TRUE(docker);
    EXPECT_EQ(docker->token, "abc");
    EXPECT_EQ(docker->expiresIn, std::chrono::seconds(300));
    auto oauth = parseTokenResponse(R"({"access_token":"xyz","expires_in":10})");
    ASSERT_TRUE(oauth);
    EXPECT_EQ(oauth->token, "xyz");
    EXPECT_EQ(oauth->expiresIn, std::chrono::seconds(60)); // At least 60 s, as the spec says.
    EXPECT_FALSE(parseTokenResponse(R"({"expires_in":10})"));
    EXPECT_FALSE(parseTokenResponse("not json"));
    EXPECT_EQ(basicAuthorization("user", "pa:ss"), "Basic dXNlcjpwYTpzcw==");
}

TEST(RegistryHosts, MirrorsComeFirstThenTheRegistry) {
    RegistryOptions options;
    auto mirror = parseRegistryMirror("docker.io=http://127.0.0.1:5000");
    ASSERT_TRUE(mirror);
    options.mirrors.push_back(*mirror);
    auto second = parseRegistryMirror("index.docker.io=https://mirror.example.com/prefix/v2/");
    ASSERT_TRUE(second);
    EXPECT_EQ(second->domain, "docker.io");
    options.mirrors.push_back(*second);

    auto endpoints = endpointsFor(options, "docker.io");
    ASSERT_EQ(endpoints.size(), 3u);
    EXPECT_EQ(endpoints[0].url(), "http://127.0.0.1:5000");
    EXPECT_TRUE(endpoints[0].mirror);
    EXPECT_EQ(endpoints[0].target("library/busybox/manifests/1.36"),
              "/v2/library/busybox/manifests/1.36");
    EXPECT_EQ(endpoints[1].url(), "https://mirror.example.com/prefix");
    EXPECT_EQ(endpoints[1].target("x/blobs/y"), "/prefix/v2/x/blobs/y");
    EXPECT_FALSE(endpoints[1].skipVerify);
    EXPECT_EQ(endpoints[2].url(), "https://registry-1.docker.io");
    EXPECT_FALSE(endpoints[2].mirror);
    EXPECT_FALSE(endpoints[2].httpFallback);

    auto other = endpointsFor(options, "quay.io");
    ASSERT_EQ(other.size(), 1u);
    EXPECT_EQ(other[0].url(), "https://quay.io");

    EXPECT_FALSE(parseRegistryMirror("docker.io"));
    EXPECT_FALSE(parseRegistryMirror("docker.io=ftp://x"));
}

TEST(RegistryHosts, LoopbackAndInsecureRegistriesMayFallBackToHttp) {
    RegistryOptions options;
    options.insecureRegistries = {"registry.lan:5000"};
    auto local = endpointsFor(options, "127.0.0.1:5000");
    ASSERT_EQ(local.size(), 1u);
    EXPECT_TRUE(local[0].httpFallback);
    EXPECT_TRUE(local[0].skipVerify);
    EXPECT_EQ(local[0].port, "5000");
    EXPECT_TRUE(endpointsFor(options, "localhost")[0].httpFallback);
    EXPECT_TRUE(endpointsFor(options, "registry.lan:5000")[0].httpFallback);
    EXPECT_FALSE(endpointsFor(options, "registry.lan:6000")[0].httpFallback);
    EXPECT_TRUE(isLoopbackHost("::1"));
    EXPECT_TRUE(isLoopbackHost("127.0.0.53"));
    EXPECT_FALSE(isLoopbackHost("10.0.0.1"));
}

TEST(RegistryHosts, CredentialsMatchLikeKubeletKeyring) {
    std::vector<RegistryCredential> all = {
        {"https://index.docker.io/v1/", "hub", "p1", ""},
        {"registry.example.com", "host", "p2", ""},
        {"registry.example.com/team", "team", "p3", ""},
        {"*.example.org", "glob", "p4", ""},
        {"registry.example.com:5000", "port", "p5", ""},
    };
    auto names = [&](const char* image) {
        auto ref = parseImageReference(image);
        std::string out;
        for (const auto& c : credentialsFor(all, *ref)) {
            out += (out.empty() ? "" : ",") + c.username;
        }
        return out;
    };
    EXPECT_EQ(names("busybox"), "hub");
    EXPECT_EQ(names("docker.io/bitnami/redis"), "hub");
    EXPECT_EQ(names("registry.example.com/team/app:1"), "team,host");
    EXPECT_EQ(names("registry.example.com/teamwork/app"), "host");
    EXPECT_EQ(names("a.example.org/x"), "glob");
    EXPECT_EQ(names("a.b.example.org/x"), "");
    EXPECT_EQ(names("registry.example.com:5000/x"), "port,host");
    EXPECT_EQ(names("quay.io/x"), "");
}

constexpr const char* Hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

std::string descriptorJson(const std::string& mediaType, char fill, const std::string& platform) {
    std::string digest = "sha256:" + std::string(64, fill);
    std::string out =
        R"({"mediaType":")" + mediaType + R"(","digest":")" + digest + R"(","size":123)";
    if (!platform.empty()) {
        out += R"(,"platform":)" + platform;
    }
    return out + "}";
}

TEST(Manifest, ClassifiesByContentTypeOrShape) {
    EXPECT_EQ(*classifyManifest("application/vnd.oci.image.index.v1+json", "{}"),
              ManifestKind::Index);
    EXPECT_EQ(*classifyManifest("application/vnd.docker.distribution.manifest.list.v2+json", "{}"),
              ManifestKind::Index);
    EXPECT_EQ(
        *classifyManifest("application/vnd.docker.distribution.manifest.v2+json; charset=x", "{}"),
        ManifestKind::Image);
    EXPECT_EQ(*classifyManifest("application/json", R"({"manifests":[]})"), ManifestKind::Index);
    EXPECT_EQ(*classifyManifest("", R"({"config":{},"layers":[]})"), ManifestKind::Image);
    auto schema1 =
        classifyManifest("application/vnd.docker.distribution.manifest.v1+prettyjws", "{}");
    ASSERT_FALSE(schema1);
    EXPECT_NE(schema1.error().message.find("schema 1"), std::string::npos);
    EXPECT_FALSE(classifyManifest("application/json", R"({"mediaType":"text/plain"})"));
}

TEST(Manifest, SelectsTheLinuxPlatformOfAnIndex) {
    std::string body =
        R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)" +
        descriptorJson("application/vnd.oci.image.manifest.v1+json", 'a',
                       R"({"os":"linux","architecture":"arm","variant":"v6"})") +
        "," +
        descriptorJson("application/vnd.oci.image.manifest.v1+json", 'b',
                       R"({"os":"linux","architecture":"arm64","variant":"v8"})") +
        "," +
        descriptorJson("application/vnd.oci.image.manifest.v1+json", 'c',
                       R"({"os":"windows","architecture":"amd64"})") +
        "," +
        descriptorJson("application/vnd.oci.image.manifest.v1+json", 'd',
                       R"({"os":"linux","architecture":"amd64"})") +
        "," +
        descriptorJson("application/vnd.oci.image.manifest.v1+json", 'e',
                       R"({"os":"unknown","architecture":"unknown"})") +
        "]}";
    auto index = parseImageIndex(body);
    ASSERT_TRUE(index) << index.error().message;
    ASSERT_EQ(index->manifests.size(), 5u);

    auto amd64 = selectManifest(*index, Platform{"linux", "amd64", ""});
    ASSERT_TRUE(amd64);
    EXPECT_EQ(amd64->digest.hex, std::string(64, 'd'));
    auto arm64 = selectManifest(*index, Platform{"linux", "aarch64", ""});
    ASSERT_TRUE(arm64);
    EXPECT_EQ(arm64->digest.hex, std::string(64, 'b'));
    auto armv7 = selectManifest(*index, Platform{"linux", "arm", "v7"});
    ASSERT_TRUE(armv7); // v6 runs on v7.
    EXPECT_EQ(armv7->digest.hex, std::string(64, 'a'));
    auto missing = selectManifest(*index, Platform{"linux", "s390x", ""});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
    EXPECT_NE(missing.error().message.find("linux/s390x"), std::string::npos);
    EXPECT_NE(missing.error().message.find("linux/amd64"), std::string::npos);
}

TEST(Manifest, ParsesAnImageManifestAndLayerTypes) {
    std::string body =
        R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":)" +
        descriptorJson("application/vnd.docker.container.image.v1+json", '1', "") +
        R"(,"layers":[)" +
        descriptorJson("application/vnd.docker.image.rootfs.diff.tar.gzip", '2', "") + "," +
        descriptorJson("application/vnd.oci.image.layer.v1.tar+zstd", '3', "") + "]}";
    auto manifest = parseImageManifest(body);
    ASSERT_TRUE(manifest) << manifest.error().message;
    EXPECT_EQ(manifest->config.digest.hex, std::string(64, '1'));
    ASSERT_EQ(manifest->layers.size(), 2u);
    EXPECT_EQ(manifest->layers[1].size, 123);
    EXPECT_EQ(*layerCompression(manifest->layers[0].mediaType), Compression::Gzip);
    EXPECT_EQ(*layerCompression(manifest->layers[1].mediaType), Compression::Zstd);
    EXPECT_EQ(*layerCompression("application/vnd.oci.image.layer.v1.tar"), Compression::None);
    EXPECT_FALSE(layerCompression("application/vnd.in-toto+json"));
    EXPECT_FALSE(parseImageManifest(R"({"config":{"digest":"sha256:00","size":1},"layers":[]})"));
}

TEST(ImageConfig, ParsesRuntimeFieldsAndChainIds) {
    std::string body =
        std::string(R"({"architecture":"amd64","os":"linux","config":{)") +
        R"("Entrypoint":["/docker-entrypoint.sh"],"Cmd":["nginx","-g","daemon off;"],)" +
        R"("Env":["PATH=/usr/bin","A=b=c"],"WorkingDir":"/srv","User":"101:101",)" +
        R"("StopSignal":"SIGQUIT","Labels":{"x":"y"}},)" +
        R"("rootfs":{"type":"layers","diff_ids":["sha256:)" + Hex64 + R"(","sha256:)" +
        std::string(64, 'f') + R"("]}})";
    auto config = parseImageConfig(body);
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->entrypoint, std::vector<std::string>{"/docker-entrypoint.sh"});
    EXPECT_EQ(config->cmd.size(), 3u);
    EXPECT_EQ(config->env[1], "A=b=c");
    EXPECT_EQ(config->workingDir, "/srv");
    EXPECT_EQ(config->user, "101:101");
    EXPECT_EQ(config->stopSignal, "SIGQUIT");
    EXPECT_EQ(config->labels.at("x"), "y");
    ASSERT_EQ(config->diffIds.size(), 2u);
    auto chain = chainIds(config->diffIds);
    ASSERT_EQ(chain.size(), 2u);
    EXPECT_EQ(chain[0], config->diffIds[0]);
    EXPECT_EQ(chain[1],
              sha256Of("sha256:" + std::string(Hex64) + " sha256:" + std::string(64, 'f')));
    EXPECT_FALSE(parseImageConfig(R"({"rootfs":{"diff_ids":["sha256:zz"]}})"));
}

} // namespace
} // namespace pilot::agent::image
