#include "engine/auth/kubeconfig.h"

#include "engine/auth/atomicfile.h"
#include "engine/auth/pki.h"
#include "kube/client/kubeconfig.h"
#include "tests/unit/auth/tempdir.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>

using namespace pilot;
using namespace pilot::auth;
using pilot::auth::test::TempDir;

namespace {

class KubeconfigTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto pki = Pki::loadOrCreate(m_temp.file("pki"));
        ASSERT_TRUE(pki.has_value()) << pki.error().message;
        m_pki.emplace(std::move(*pki));
    }

    std::string write(const std::string& name, const std::string& content) {
        std::string path = m_temp.file(name);
        EXPECT_TRUE(writeFileAtomically(path, content, 0600).has_value());
        return path;
    }

    TempDir m_temp;
    std::optional<Pki> m_pki;
};

} // namespace

TEST_F(KubeconfigTest, AdminKubeconfigReadsBackWithInlineCredentials) {
    const std::string path = m_temp.file("admin.kubeconfig");
    ASSERT_TRUE(writeAdminKubeconfig(path, "https://127.0.0.1:43121", *m_pki).has_value());

    EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::mask,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    auto config = kube::loadKubeconfig(path);
    ASSERT_TRUE(config.has_value()) << config.error().message;
    EXPECT_EQ(config->contextName, "pilothouse");
    EXPECT_EQ(config->clusterName, "pilothouse");
    EXPECT_EQ(config->userName, "pilothouse-admin");
    EXPECT_EQ(config->server, "https://127.0.0.1:43121");
    EXPECT_EQ(config->certificateAuthorityPem, m_pki->caCertificatePem());
    EXPECT_EQ(config->clientCertificatePem, m_pki->admin().certificatePem);
    EXPECT_EQ(config->clientKeyPem, m_pki->admin().privateKeyPem);
    EXPECT_TRUE(config->token.empty());
    EXPECT_FALSE(config->insecureSkipTlsVerify);
}

TEST_F(KubeconfigTest, AdminKubeconfigHasTheShapeKubectlExpects) {
    const std::string path = m_temp.file("admin.kubeconfig");
    ASSERT_TRUE(writeAdminKubeconfig(path, "https://[::1]:6443", *m_pki).has_value());

    YAML::Node root = YAML::LoadFile(path);
    EXPECT_EQ(root["apiVersion"].as<std::string>(), "v1");
    EXPECT_EQ(root["kind"].as<std::string>(), "Config");
    EXPECT_EQ(root["current-context"].as<std::string>(), "pilothouse");
    ASSERT_EQ(root["clusters"].size(), 1u);
    YAML::Node cluster = root["clusters"][0];
    EXPECT_EQ(cluster["name"].as<std::string>(), "pilothouse");
    EXPECT_EQ(cluster["cluster"]["server"].as<std::string>(), "https://[::1]:6443");
    // Single-line base64 of the PEM, as client-go and the Python client decode it.
    std::string caData = cluster["cluster"]["certificate-authority-data"].as<std::string>();
    EXPECT_EQ(caData.find_first_of("\n -"), std::string::npos);
    EXPECT_EQ(caData.rfind("LS0tLS1CRUdJTi", 0), 0u); // "-----BEGIN"
    ASSERT_EQ(root["users"].size(), 1u);
    YAML::Node user = root["users"][0];
    EXPECT_EQ(user["name"].as<std::string>(), "pilothouse-admin");
    EXPECT_TRUE(user["user"]["client-certificate-data"].IsScalar());
    EXPECT_TRUE(user["user"]["client-key-data"].IsScalar());
    ASSERT_EQ(root["contexts"].size(), 1u);
    YAML::Node context = root["contexts"][0];
    EXPECT_EQ(context["name"].as<std::string>(), "pilothouse");
    EXPECT_EQ(context["context"]["cluster"].as<std::string>(), "pilothouse");
    EXPECT_EQ(context["context"]["user"].as<std::string>(), "pilothouse-admin");
}

TEST_F(KubeconfigTest, RewritingChangesTheServerAndKeepsTheCredentials) {
    const std::string path = m_temp.file("admin.kubeconfig");
    ASSERT_TRUE(writeAdminKubeconfig(path, "https://127.0.0.1:40001", *m_pki).has_value());
    ASSERT_TRUE(writeAdminKubeconfig(path, "https://127.0.0.1:40002", *m_pki).has_value());
    auto config = kube::loadKubeconfig(path);
    ASSERT_TRUE(config.has_value()) << config.error().message;
    EXPECT_EQ(config->server, "https://127.0.0.1:40002");
    EXPECT_EQ(config->clientCertificatePem, m_pki->admin().certificatePem);
}

TEST_F(KubeconfigTest, ResolvesFileReferencesTokensAndTheRequestedContext) {
    write("token", "s3cr3t-token\n");
    const std::string path = write("config", R"(apiVersion: v1
kind: Config
current-context: certs
clusters:
- name: local
  cluster:
    server: https://localhost:6443
    certificate-authority: pki/ca.crt
    tls-server-name: api.internal
- name: insecure
  cluster:
    server: https://10.0.0.5:6443
    insecure-skip-tls-verify: true
users:
- name: cert-user
  user:
    client-certificate: pki/admin.crt
    client-key: pki/admin.key
- name: token-user
  user:
    tokenFile: token
- name: inline-token
  user:
    token: abc.def
contexts:
- name: certs
  context: {cluster: local, user: cert-user, namespace: team-a}
- name: from-file
  context: {cluster: insecure, user: token-user}
- name: inline
  context: {cluster: local, user: inline-token}
)");

    auto certs = kube::loadKubeconfig(path);
    ASSERT_TRUE(certs.has_value()) << certs.error().message;
    EXPECT_EQ(certs->contextName, "certs");
    EXPECT_EQ(certs->namespaceName, "team-a");
    EXPECT_EQ(certs->tlsServerName, "api.internal");
    EXPECT_EQ(certs->certificateAuthorityPem, m_pki->caCertificatePem());
    EXPECT_EQ(certs->clientCertificatePem, m_pki->admin().certificatePem);
    EXPECT_EQ(certs->clientKeyPem, m_pki->admin().privateKeyPem);

    auto fromFile = kube::loadKubeconfig(path, "from-file");
    ASSERT_TRUE(fromFile.has_value()) << fromFile.error().message;
    EXPECT_EQ(fromFile->server, "https://10.0.0.5:6443");
    EXPECT_TRUE(fromFile->insecureSkipTlsVerify);
    EXPECT_TRUE(fromFile->certificateAuthorityPem.empty());
    EXPECT_EQ(fromFile->token, "s3cr3t-token");

    auto inlineToken = kube::loadKubeconfig(path, "inline");
    ASSERT_TRUE(inlineToken.has_value()) << inlineToken.error().message;
    EXPECT_EQ(inlineToken->token, "abc.def");
    EXPECT_TRUE(inlineToken->clientCertificatePem.empty());
}

TEST_F(KubeconfigTest, ReportsWhatIsWrongWithABrokenKubeconfig) {
    struct Case {
        std::string name;
        std::string content; // empty: the file does not exist
        std::string context;
        ErrorCode code;
        std::string mentions;
    };
    const std::string cluster = "clusters:\n- name: c\n  cluster: {server: 'https://h:1'}\n"
                                "contexts:\n- name: x\n  context: {cluster: c, user: u}\n";
    const std::vector<Case> cases = {
        {"missing-file", "", "", ErrorCode::NotFound, "missing-file"},
        {"not-yaml", "clusters: [unclosed\n", "", ErrorCode::InvalidArgument, "not-yaml"},
        {"no-current", cluster + "users: []\n", "", ErrorCode::NotFound, "current-context"},
        {"no-context", cluster + "users: []\n", "y", ErrorCode::NotFound, "\"y\""},
        {"no-user", cluster + "users: []\n", "x", ErrorCode::NotFound, "user \"u\""},
        {"bad-base64",
         cluster + "users:\n- name: u\n  user: {client-certificate-data: '!!', "
                   "client-key-data: 'QQ=='}\n",
         "x", ErrorCode::InvalidArgument, "client-certificate-data"},
        {"exec-only", cluster + "users:\n- name: u\n  user:\n    exec: {command: aws}\n", "x",
         ErrorCode::InvalidArgument, "exec"},
        {"missing-ca-file",
         "clusters:\n- name: c\n  cluster: {server: 'https://h:1', certificate-authority: "
         "nope.crt}\n"
         "contexts:\n- name: x\n  context: {cluster: c}\ncurrent-context: x\n",
         "", ErrorCode::NotFound, "nope.crt"},
    };
    for (const Case& c : cases) {
        std::string path = c.content.empty() ? m_temp.file(c.name) : write(c.name, c.content);
        auto config = kube::loadKubeconfig(path, c.context);
        ASSERT_FALSE(config.has_value()) << c.name;
        EXPECT_EQ(config.error().code, c.code) << c.name << ": " << config.error().message;
        EXPECT_NE(config.error().message.find(c.mentions), std::string::npos)
            << c.name << ": " << config.error().message;
    }
}

TEST(ServerUrl, UsesTheBoundAddressAndReplacesWildcardsWithLoopback) {
    struct Case {
        std::string host;
        std::uint16_t port;
        std::string url;
    };
    const std::vector<Case> cases = {
        {"127.0.0.1", 6443, "https://127.0.0.1:6443"},
        {"0.0.0.0", 40000, "https://127.0.0.1:40000"},
        {"", 1, "https://127.0.0.1:1"},
        {"::", 443, "https://[::1]:443"},
        {"[::]", 443, "https://[::1]:443"},
        {"::1", 8443, "https://[::1]:8443"},
        {"fd00::5", 8443, "https://[fd00::5]:8443"},
        {"my-laptop", 8443, "https://my-laptop:8443"},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(serverUrlForListener(c.host, c.port), c.url) << c.host;
    }
}
