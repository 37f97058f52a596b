#include "nodeagent/volume/atomicwriter.h"
#include "nodeagent/volume/downwardapi.h"
#include "nodeagent/volume/volumemanager.h"

#include "core/base64.h"
#include "kube/jsonutil.h"
#include "nodeagent/runtime/fileutil.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include <sys/stat.h>
#include <unistd.h>

using namespace pilot;
using namespace pilot::agent;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

class FakeSources final : public VolumeSources {
public:
    std::map<std::string, json::object> configMaps;
    std::map<std::string, json::object> secrets;
    std::map<std::string, json::object> claims;
    std::map<std::string, json::object> volumes;
    int tokensIssued = 0;
    TimePoint tokenTime = std::chrono::system_clock::now();

    Result<json::object> configMap(const std::string& ns, const std::string& name) override {
        auto it = configMaps.find(ns + "/" + name);
        if (it == configMaps.end()) {
            return fail(ErrorCode::NotFound, "configmap \"" + name + "\" not found");
        }
        return it->second;
    }
    Result<json::object> secret(const std::string& ns, const std::string& name) override {
        auto it = secrets.find(ns + "/" + name);
        if (it == secrets.end()) {
            return fail(ErrorCode::NotFound, "secret \"" + name + "\" not found");
        }
        return it->second;
    }
    Result<json::object> persistentVolumeClaim(const std::string& ns,
                                               const std::string& name) override {
        auto it = claims.find(ns + "/" + name);
        if (it == claims.end()) {
            return fail(ErrorCode::NotFound, "persistentvolumeclaim \"" + name + "\" not found");
        }
        return it->second;
    }
    Result<json::object> persistentVolume(const std::string& name) override {
        auto it = volumes.find(name);
        if (it == volumes.end()) {
            return fail(ErrorCode::NotFound, "persistentvolume \"" + name + "\" not found");
        }
        return it->second;
    }
    Result<IssuedToken> requestToken(const std::string&, const std::string& serviceAccount,
                                     const std::vector<std::string>&, int64_t expirationSeconds,
                                     const std::string& podName, const std::string&) override {
        ++tokensIssued;
        return IssuedToken{"token-" + std::to_string(tokensIssued) + "-" + serviceAccount + "-" +
                               podName,
                           tokenTime + std::chrono::seconds(expirationSeconds)};
    }
};

std::string slurp(const fs::path& path) {
    auto text = readFile(path.string());
    return text ? *text : "<missing>";
}

int modeOf(const fs::path& path) {
    struct stat st {};
    ::stat(path.c_str(), &st);
    return static_cast<int>(st.st_mode & 07777);
}

json::object pod(std::string volumesJson) {
    return json::parse(R"({"apiVersion":"v1","kind":"Pod",
        "metadata":{"name":"web-1","namespace":"demo","uid":"uid-9",
                    "labels":{"app":"web","tier":"front \"end\""},"annotations":{"a":"1"}},
        "spec":{"nodeName":"n1","serviceAccountName":"builder",
                "containers":[{"name":"web","resources":{"limits":{"cpu":"250m","memory":"64Mi"}}}],
                "volumes":)" +
                       volumesJson + "}}")
        .as_object();
}

class VolumeTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "volumes-XXXXXX").string();
        m_dir = mkdtemp(pattern.data());
        m_sources.configMaps["demo/web-content"] =
            json::parse(R"({"data":{"index.html":"<h1>hi</h1>","other":"x"}})").as_object();
        m_sources.secrets["demo/creds"] =
            json::object{{"data", json::object{{"API_TOKEN", base64Encode("s3cr3t")}}}};
        m_context.network = {"10.0.0.5", "10.244.0.7"};
        m_context.nodeAllocatable = json::object{{"cpu", "4"}, {"memory", "8Gi"}};
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(m_dir, ec);
    }

    fs::path m_dir;
    FakeSources m_sources;
    ManualClock m_clock{std::chrono::system_clock::now()};
    PodVolumeContext m_context;
};

} // namespace

TEST_F(VolumeTest, AtomicWriterSwapsDataSymlinkAndRemovesStaleFiles) {
    fs::path target = m_dir / "vol";
    AtomicWriter writer(target.string());
    auto first = writer.write({{"a", {"one", 0644}}, {"dir/b", {"two", 0600}}});
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_TRUE(*first);
    EXPECT_TRUE(fs::is_symlink(target / "..data"));
    EXPECT_TRUE(fs::is_symlink(target / "a"));
    EXPECT_EQ(fs::read_symlink(target / "a"), "..data/a");
    EXPECT_EQ(slurp(target / "a"), "one");
    EXPECT_EQ(slurp(target / "dir" / "b"), "two");
    EXPECT_EQ(modeOf(target / "dir" / "b"), 0600);
    fs::path firstData = fs::read_symlink(target / "..data");
    EXPECT_TRUE(firstData.string().starts_with(".."));

    auto unchanged = writer.write({{"a", {"one", 0644}}, {"dir/b", {"two", 0600}}});
    ASSERT_TRUE(unchanged);
    EXPECT_FALSE(*unchanged);
    EXPECT_EQ(fs::read_symlink(target / "..data"), firstData);

    auto changed = writer.write({{"a", {"uno", 0644}}});
    ASSERT_TRUE(changed);
    EXPECT_TRUE(*changed);
    EXPECT_EQ(slurp(target / "a"), "uno");
    EXPECT_FALSE(fs::exists(target / "dir"));
    EXPECT_FALSE(fs::exists(target / firstData));

    EXPECT_FALSE(writer.write({{"../escape", {"x", 0644}}}));
    EXPECT_FALSE(writer.write({{"/abs", {"x", 0644}}}));
    EXPECT_FALSE(writer.write({{"..data2", {"x", 0644}}}));
}

TEST_F(VolumeTest, ConfigMapSecretAndDownwardApiVolumesAreLaidOutAsKubelet) {
    VolumeManager manager(m_sources, (m_dir / "pods").string(), &m_clock);
    auto volumes = manager.setUp(pod(R"([{"name":"content","configMap":{"name":"web-content",
                   "items":[{"key":"index.html","path":"index.html","mode":256}]}},
               {"name":"creds","secret":{"secretName":"creds"}},
               {"name":"info","downwardAPI":{"items":[
                   {"path":"labels","fieldRef":{"fieldPath":"metadata.labels"}},
                   {"path":"name","fieldRef":{"fieldPath":"metadata.name"}},
                   {"path":"cpu","resourceFieldRef":{"containerName":"web","resource":"limits.cpu","divisor":"1m"}}]}},
               {"name":"scratch","emptyDir":{}}])"),
                                 m_context);
    ASSERT_TRUE(volumes) << volumes.error().message;
    fs::path base = m_dir / "pods" / "uid-9" / "volumes";
    EXPECT_EQ(volumes->paths.at("content"),
              (base / "kubernetes.io~configmap" / "content").string());
    EXPECT_EQ(slurp(base / "kubernetes.io~configmap" / "content" / "index.html"), "<h1>hi</h1>");
    EXPECT_FALSE(fs::exists(base / "kubernetes.io~configmap" / "content" / "other"));
    EXPECT_EQ(modeOf(base / "kubernetes.io~configmap" / "content" / "index.html"), 0400);
    EXPECT_EQ(slurp(base / "kubernetes.io~secret" / "creds" / "API_TOKEN"), "s3cr3t");
    EXPECT_EQ(slurp(base / "kubernetes.io~downward-api" / "info" / "labels"),
              "app=\"web\"\ntier=\"front \\\"end\\\"\"");
    EXPECT_EQ(slurp(base / "kubernetes.io~downward-api" / "info" / "name"), "web-1");
    EXPECT_EQ(slurp(base / "kubernetes.io~downward-api" / "info" / "cpu"), "250");
    EXPECT_TRUE(fs::is_directory(base / "kubernetes.io~empty-dir" / "scratch"));
    EXPECT_EQ(modeOf(base / "kubernetes.io~empty-dir" / "scratch"), 0777);

    // A changed ConfigMap reaches the volume on the next setUp.
    m_sources.configMaps["demo/web-content"] =
        json::parse(R"({"data":{"index.html":"<h1>v2</h1>"}})").as_object();
    ASSERT_TRUE(manager.setUp(pod(R"([{"name":"content","configMap":{"name":"web-content"}}])"),
                              m_context));
    EXPECT_EQ(slurp(base / "kubernetes.io~configmap" / "content" / "index.html"), "<h1>v2</h1>");

    ASSERT_TRUE(manager.tearDown("uid-9"));
    EXPECT_FALSE(fs::exists(m_dir / "pods" / "uid-9"));
}

TEST_F(VolumeTest, MissingSourcesFailWithKubeletsMessageUnlessOptional) {
    VolumeManager manager(m_sources, (m_dir / "pods").string(), &m_clock);
    auto missing = manager.setUp(pod(R"([{"name":"cfg","configMap":{"name":"nope"}}])"), m_context);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message,
              "MountVolume.SetUp failed for volume \"cfg\" : configmap \"nope\" not found");
    auto optional = manager.setUp(
        pod(R"([{"name":"cfg","configMap":{"name":"nope","optional":true}}])"), m_context);
    ASSERT_TRUE(optional) << optional.error().message;
    EXPECT_TRUE(fs::is_directory(optional->paths.at("cfg")));
    auto badKey = manager.setUp(
        pod(R"([{"name":"cfg","configMap":{"name":"web-content","items":[{"key":"zzz","path":"z"}]}}])"),
        m_context);
    ASSERT_FALSE(badKey);
    EXPECT_NE(badKey.error().message.find("configmap references non-existent config key: zzz"),
              std::string::npos);
}

TEST_F(VolumeTest, HostPathTypesAreChecked) {
    VolumeManager manager(m_sources, (m_dir / "pods").string(), &m_clock);
    std::string created = (m_dir / "made" / "here").string();
    auto ok = manager.setUp(pod(R"([{"name":"h","hostPath":{"path":")" + created +
                                R"(","type":"DirectoryOrCreate"}}])"),
                            m_context);
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->paths.at("h"), created);
    EXPECT_TRUE(fs::is_directory(created));
    std::string absent = (m_dir / "absent").string();
    auto bad = manager.setUp(
        pod(R"([{"name":"h","hostPath":{"path":")" + absent + R"(","type":"Directory"}}])"),
        m_context);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "MountVolume.SetUp failed for volume \"h\" : hostPath type "
                                   "check failed: " +
                                       absent + " is not a directory");
}

TEST_F(VolumeTest, ProjectedTokensAreRequestedOnceAndRefreshedNearExpiry) {
    m_sources.tokenTime = m_clock.now();
    m_sources.configMaps["demo/kube-root-ca.crt"] =
        json::parse(R"({"data":{"ca.crt":"CERT"}})").as_object();
    VolumeManager manager(m_sources, (m_dir / "pods").string(), &m_clock);
    std::string volumes = R"([{"name":"kube-api-access-x","projected":{"defaultMode":420,"sources":[
        {"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},
        {"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},
        {"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}]}}])";
    auto first = manager.setUp(pod(volumes), m_context);
    ASSERT_TRUE(first) << first.error().message;
    fs::path dir = first->paths.at("kube-api-access-x");
    EXPECT_EQ(slurp(dir / "token"), "token-1-builder-web-1");
    EXPECT_EQ(slurp(dir / "ca.crt"), "CERT");
    EXPECT_EQ(slurp(dir / "namespace"), "demo");
    ASSERT_TRUE(manager.setUp(pod(volumes), m_context));
    EXPECT_EQ(m_sources.tokensIssued, 1);
    m_clock.advance(std::chrono::seconds(3000)); // past 80% of 3607 s
    ASSERT_TRUE(manager.setUp(pod(volumes), m_context));
    EXPECT_EQ(m_sources.tokensIssued, 2);
    EXPECT_EQ(slurp(dir / "token"), "token-2-builder-web-1");
}

TEST_F(VolumeTest, ClaimsResolveToTheBoundVolumesLocalPath) {
    m_sources.claims["demo/data"] =
        json::parse(R"({"spec":{"volumeName":"pv-1"},"status":{"phase":"Bound"}})").as_object();
    std::string local = (m_dir / "pv-1").string();
    m_sources.volumes["pv-1"] =
        json::object{{"spec", json::object{{"hostPath", json::object{{"path", local}}}}}};
    m_sources.claims["demo/pending"] =
        json::parse(R"({"spec":{},"status":{"phase":"Pending"}})").as_object();
    VolumeManager manager(m_sources, (m_dir / "pods").string(), &m_clock);
    auto bound = manager.setUp(
        pod(R"([{"name":"d","persistentVolumeClaim":{"claimName":"data"}}])"), m_context);
    ASSERT_TRUE(bound) << bound.error().message;
    EXPECT_EQ(bound->paths.at("d"), local);
    auto pending = manager.setUp(
        pod(R"([{"name":"d","persistentVolumeClaim":{"claimName":"pending"}}])"), m_context);
    ASSERT_FALSE(pending);
    EXPECT_NE(pending.error().message.find("non-bound phase"), std::string::npos);
}

TEST(DownwardApi, ResourceFieldsRoundUpAndFallBackToNodeAllocatable) {
    json::object container =
        json::parse(
            R"({"name":"c","resources":{"limits":{"cpu":"250m","memory":"64Mi"},"requests":{"cpu":"100m"}}})")
            .as_object();
    json::object node{{"cpu", "4"}, {"memory", "8Gi"}, {"ephemeral-storage", "10Gi"}};
    EXPECT_EQ(*resourceFieldValue(container, "limits.cpu", "", node), "1");
    EXPECT_EQ(*resourceFieldValue(container, "limits.cpu", "1m", node), "250");
    EXPECT_EQ(*resourceFieldValue(container, "requests.cpu", "1m", node), "100");
    EXPECT_EQ(*resourceFieldValue(container, "limits.memory", "1Mi", node), "64");
    EXPECT_EQ(*resourceFieldValue(container, "limits.memory", "", node), "67108864");
    EXPECT_EQ(*resourceFieldValue(container, "limits.ephemeral-storage", "1Gi", node), "10");
    json::object bare{{"name", "b"}};
    EXPECT_EQ(*resourceFieldValue(bare, "limits.cpu", "", node), "4");
    EXPECT_EQ(*resourceFieldValue(bare, "requests.memory", "", node), "0");
    EXPECT_FALSE(resourceFieldValue(bare, "limits", "", node));
}

TEST(DownwardApi, GoQuotingOfMapValues) {
    EXPECT_EQ(goQuote("plain"), "\"plain\"");
    EXPECT_EQ(goQuote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
    EXPECT_EQ(goQuote(std::string("\x01", 1)), "\"\\x01\"");
}
