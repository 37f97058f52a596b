#include "kube/client/kubeconfig.h"

#include "core/base64.h"
#include "core/random.h"
#include "kube/client/httpclient.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace pilot;
using namespace pilot::kube;

namespace {

constexpr const char* CaPem = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
constexpr const char* CertPem = "-----BEGIN CERTIFICATE-----\nME\n-----END CERTIFICATE-----\n";
constexpr const char* KeyPem = "-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n";

class KubeconfigTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = std::filesystem::temp_directory_path() / ("tst-kubeconfig-" + randomHex(6));
        std::filesystem::create_directories(m_dir);
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }

    std::string write(const std::string& name, const std::string& content) {
        std::filesystem::path path = m_dir / name;
        std::filesystem::create_directories(path.parent_path());
        std::ofstream(path) << content;
        return path.string();
    }

    std::filesystem::path m_dir;
};

/// Two clusters, two users, three contexts: inline data, files and a token.
std::string twoClusterConfig() {
    return "apiVersion: v1\n"
           "kind: Config\n"
           "current-context: inline\n"
           "clusters:\n"
           "- name: one\n"
           "  cluster:\n"
           "    server: https://127.0.0.1:6443\n"
           "    certificate-authority-data: " +
           base64Encode(CaPem) +
           "\n"
           "- name: two\n"
           "  cluster:\n"
           "    server: https://api.example.test:8443/prefix\n"
           "    certificate-authority: pki/ca.crt\n"
           "    tls-server-name: kubernetes.default\n"
           "- name: lax\n"
           "  cluster:\n"
           "    server: https://10.0.0.1\n"
           "    insecure-skip-tls-verify: true\n"
           "users:\n"
           "- name: admin\n"
           "  user:\n"
           "    client-certificate-data: " +
           base64Encode(CertPem) +
           "\n"
           "    client-key-data: " +
           base64Encode(KeyPem) +
           "\n"
           "- name: files\n"
           "  user:\n"
           "    client-certificate: pki/me.crt\n"
           "    client-key: pki/me.key\n"
           "- name: bearer\n"
           "  user:\n"
           "    token: s3cr3t-token\n"
           "contexts:\n"
           "- name: inline\n"
           "  context: {cluster: one, user: admin}\n"
           "- name: from-files\n"
           "  context: {cluster: two, user: files, namespace: team-a}\n"
           "- name: token\n"
           "  context: {cluster: lax, user: bearer}\n";
}

TEST_F(KubeconfigTest, theCurrentContextWithInlineCertificateData) {
    auto config = loadKubeconfig(write("config", twoClusterConfig()));
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->contextName, "inline");
    EXPECT_EQ(config->server, "https://127.0.0.1:6443");
    EXPECT_EQ(config->certificateAuthorityPem, CaPem);
    EXPECT_EQ(config->clientCertificatePem, CertPem);
    EXPECT_EQ(config->clientKeyPem, KeyPem);
    EXPECT_TRUE(config->token.empty());
    EXPECT_FALSE(config->insecureSkipTlsVerify);
    EXPECT_EQ(config->namespaceName, "");
}

TEST_F(KubeconfigTest, fileReferencesResolveAgainstTheKubeconfigDirectory) {
    write("pki/ca.crt", CaPem);
    write("pki/me.crt", CertPem);
    write("pki/me.key", KeyPem);
    auto config = loadKubeconfig(write("config", twoClusterConfig()), "from-files");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->server, "https://api.example.test:8443/prefix");
    EXPECT_EQ(config->tlsServerName, "kubernetes.default");
    EXPECT_EQ(config->certificateAuthorityPem, CaPem);
    EXPECT_EQ(config->clientCertificatePem, CertPem);
    EXPECT_EQ(config->clientKeyPem, KeyPem);
    EXPECT_EQ(config->namespaceName, "team-a");
}

TEST_F(KubeconfigTest, aBearerTokenAndSkippedVerification) {
    auto config = loadKubeconfig(write("config", twoClusterConfig()), "token");
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->token, "s3cr3t-token");
    EXPECT_TRUE(config->insecureSkipTlsVerify);
    EXPECT_TRUE(config->clientCertificatePem.empty());
    EXPECT_TRUE(config->certificateAuthorityPem.empty());
}

TEST_F(KubeconfigTest, aTokenFileIsReadAndTrimmed) {
    write("token", "file-token\n");
    std::string text = "current-context: c\n"
                       "clusters: [{name: k, cluster: {server: 'https://h:1'}}]\n"
                       "users: [{name: u, user: {tokenFile: token}}]\n"
                       "contexts: [{name: c, context: {cluster: k, user: u}}]\n";
    auto config = loadKubeconfig(write("config", text));
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->token, "file-token");
}

TEST_F(KubeconfigTest, inlineDataWinsOverAFileReference) {
    std::string text = "current-context: c\n"
                       "clusters: [{name: k, cluster: {server: 'https://h:1', "
                       "certificate-authority: missing.crt, certificate-authority-data: " +
                       base64Encode(CaPem) +
                       "}}]\n"
                       "contexts: [{name: c, context: {cluster: k}}]\n";
    auto config = loadKubeconfig(write("config", text));
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->certificateAuthorityPem, CaPem);
}

struct BadConfig {
    const char* name;
    std::string text;
    std::string context;
    ErrorCode code;
    const char* messagePart;
};

TEST_F(KubeconfigTest, problemsAreReportedWithWhatIsWrong) {
    const std::string cluster = "clusters: [{name: k, cluster: {server: 'https://h:1'}}]\n";
    const BadConfig cases[] = {
        {"unknown context", twoClusterConfig(), "nope", ErrorCode::NotFound,
         "context \"nope\" not found"},
        {"no current context", cluster, "", ErrorCode::NotFound, "current-context"},
        {"missing cluster", "current-context: c\ncontexts: [{name: c, context: {cluster: gone}}]\n",
         "", ErrorCode::NotFound, "cluster \"gone\" not found"},
        {"missing user",
         "current-context: c\n" + cluster +
             "contexts: [{name: c, context: {cluster: k, user: ghost}}]\n",
         "", ErrorCode::NotFound, "user \"ghost\" not found"},
        {"no server",
         "current-context: c\nclusters: [{name: k, cluster: {}}]\n"
         "contexts: [{name: c, context: {cluster: k}}]\n",
         "", ErrorCode::InvalidArgument, "server: required"},
        {"bad base64",
         "current-context: c\nclusters: [{name: k, cluster: {server: 'https://h:1', "
         "certificate-authority-data: '***'}}]\n"
         "contexts: [{name: c, context: {cluster: k}}]\n",
         "", ErrorCode::InvalidArgument, "certificate-authority-data: not valid base64"},
        {"certificate without key",
         "current-context: c\n" + cluster + "users: [{name: u, user: {client-certificate-data: " +
             base64Encode(CertPem) + "}}]\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n",
         "", ErrorCode::InvalidArgument, "certificate and key must both be set"},
        {"missing CA file",
         "current-context: c\nclusters: [{name: k, cluster: {server: 'https://h:1', "
         "certificate-authority: nowhere.crt}}]\ncontexts: [{name: c, context: {cluster: k}}]\n",
         "", ErrorCode::NotFound, "nowhere.crt"},
        {"exec plugin",
         "current-context: c\n" + cluster +
             "users: [{name: u, user: {exec: {command: aws}}}]\n"
             "contexts: [{name: c, context: {cluster: k, user: u}}]\n",
         "", ErrorCode::InvalidArgument, "not supported"},
        {"not YAML", "clusters: [unclosed", "", ErrorCode::InvalidArgument, ""},
        {"not a map", "- a\n- b\n", "", ErrorCode::InvalidArgument, "not a kubeconfig"},
    };
    for (const BadConfig& c : cases) {
        auto config = loadKubeconfig(write("config", c.text), c.context);
        ASSERT_FALSE(config) << c.name;
        EXPECT_EQ(config.error().code, c.code) << c.name << ": " << config.error().message;
        EXPECT_NE(config.error().message.find(c.messagePart), std::string::npos)
            << c.name << ": " << config.error().message;
    }
}

TEST_F(KubeconfigTest, aMissingFileIsNotFound) {
    auto config = loadKubeconfig((m_dir / "absent").string());
    ASSERT_FALSE(config);
    EXPECT_EQ(config.error().code, ErrorCode::NotFound);
}

TEST_F(KubeconfigTest, theHttpClientRejectsUnusableCredentials) {
    Kubeconfig config;
    config.server = "https://127.0.0.1:6443";
    config.certificateAuthorityPem = "not a certificate";
    auto client = HttpApiClient::fromKubeconfig(config);
    ASSERT_FALSE(client);
    EXPECT_EQ(client.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(client.error().message.find("certificate-authority"), std::string::npos);

    config.certificateAuthorityPem.clear();
    config.server = "http://127.0.0.1:8080";
    client = HttpApiClient::fromKubeconfig(config);
    ASSERT_FALSE(client);
    EXPECT_NE(client.error().message.find("https"), std::string::npos);
}

TEST_F(KubeconfigTest, theContextNamespaceBecomesTheClientDefault) {
    Kubeconfig config;
    config.server = "https://127.0.0.1:6443";
    config.insecureSkipTlsVerify = true;
    auto client = HttpApiClient::fromKubeconfig(config);
    ASSERT_TRUE(client) << client.error().message;
    EXPECT_EQ((*client)->defaultNamespace(), "default");
    config.namespaceName = "team-a";
    client = HttpApiClient::fromKubeconfig(config);
    ASSERT_TRUE(client);
    EXPECT_EQ((*client)->defaultNamespace(), "team-a");
}

} // namespace
