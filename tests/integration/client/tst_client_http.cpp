// HttpApiClient and informers against a real pilothouse-engine on 127.0.0.1:0.

#include "kube/client/httpclient.h"

#include "tests/support/engineprocess/engineprocess.h"

#include "core/random.h"
#include "kube/client/informer.h"
#include "kube/client/kubeconfig.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <condition_variable>
#include <csignal>
#include <filesystem>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

using namespace pilot;
using namespace pilot::kube;
namespace json = boost::json;

namespace {

json::object configMap(const std::string& name, const std::string& value = "v") {
    return json::object{{"apiVersion", "v1"},
                        {"kind", "ConfigMap"},
                        {"metadata", json::object{{"name", name}}},
                        {"data", json::object{{"k", value}}}};
}

class ClientHttpTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_engine = new testsupport::EngineProcess(PILOT_ENGINE_PATH);
        ASSERT_TRUE(s_engine->start()) << "pilothouse-engine did not print its ready line";
    }
    static void TearDownTestSuite() {
        s_engine->stop();
        delete s_engine;
        s_engine = nullptr;
    }

    void SetUp() override {
        ASSERT_FALSE(s_engine->kubeconfig().empty());
        HttpClientOptions options;
        options.fieldManager = "client-http-test";
        auto created = HttpApiClient::fromKubeconfigFile(s_engine->kubeconfig(), {}, options);
        ASSERT_TRUE(created) << created.error().message;
        client = std::move(*created);
        prefix = "t" + randomHex(4) + "-";
    }

    std::string named(const std::string& base) const { return prefix + base; }

    static testsupport::EngineProcess* s_engine;
    std::unique_ptr<HttpApiClient> client;
    std::string prefix;
};

testsupport::EngineProcess* ClientHttpTest::s_engine = nullptr;

TEST_F(ClientHttpTest, theAdminKubeconfigReachesTheEngine) {
    EXPECT_EQ(client->server(), s_engine->apiUrl());
    auto ns = client->get(resources::Namespaces, "", "default");
    ASSERT_TRUE(ns) << ns.error().message;
    EXPECT_EQ(name(*ns), "default");
    EXPECT_EQ(kind(*ns), "Namespace");
}

TEST_F(ClientHttpTest, createGetUpdateDelete) {
    auto created = client->create(resources::ConfigMaps, "default", configMap(named("crud"), "1"));
    ASSERT_TRUE(created) << created.error().message;
    const json::array* managed = arrayAt(*metadataOf(*created), "managedFields");
    ASSERT_TRUE(managed && !managed->empty());
    EXPECT_EQ(stringAt(managed->at(0).as_object(), "manager"), "client-http-test");

    auto got = client->get(resources::ConfigMaps, "default", named("crud"));
    ASSERT_TRUE(got) << got.error().message;
    json::object changed = *got;
    changed["data"].as_object()["k"] = "2";
    auto updated = client->update(resources::ConfigMaps, changed);
    ASSERT_TRUE(updated) << updated.error().message;
    EXPECT_EQ(stringAt(objectAt(*updated, "data"), "k"), "2");

    ASSERT_TRUE(client->remove(resources::ConfigMaps, "default", named("crud")));
    auto gone = client->get(resources::ConfigMaps, "default", named("crud"));
    ASSERT_FALSE(gone);
    EXPECT_TRUE(isNotFound(gone.error())) << gone.error().message;
    EXPECT_EQ(gone.error().code, 404);
}

TEST_F(ClientHttpTest, staleUpdatesConflictAndDuplicatesAlreadyExist) {
    auto created = client->create(resources::ConfigMaps, "default", configMap(named("race")));
    ASSERT_TRUE(created) << created.error().message;
    json::object first = *created;
    first["data"].as_object()["k"] = "first";
    ASSERT_TRUE(client->update(resources::ConfigMaps, first));
    json::object stale = *created;
    stale["data"].as_object()["k"] = "stale";
    auto conflict = client->update(resources::ConfigMaps, stale);
    ASSERT_FALSE(conflict);
    EXPECT_TRUE(isConflict(conflict.error())) << conflict.error().message;
    EXPECT_EQ(conflict.error().kind, ErrorCode::Conflict);

    auto duplicate = client->create(resources::ConfigMaps, "default", configMap(named("race")));
    ASSERT_FALSE(duplicate);
    EXPECT_TRUE(isAlreadyExists(duplicate.error()));

    auto invalid = client->create(resources::ConfigMaps, "default", configMap("Bad_Name"));
    ASSERT_FALSE(invalid);
    EXPECT_TRUE(isInvalid(invalid.error())) << invalid.error().message;
}

TEST_F(ClientHttpTest, patchTypes) {
    std::string n = named("patched");
    ASSERT_TRUE(client->create(resources::ConfigMaps, "default", configMap(n, "0")));

    auto merged = client->patch(resources::ConfigMaps, "default", n, PatchType::Merge,
                                R"({"data":{"merge":"yes"}})");
    ASSERT_TRUE(merged) << merged.error().message;
    EXPECT_EQ(stringAt(objectAt(*merged, "data"), "merge"), "yes");
    EXPECT_EQ(stringAt(objectAt(*merged, "data"), "k"), "0");

    auto jsonPatched = client->patch(resources::ConfigMaps, "default", n, PatchType::Json,
                                     R"([{"op":"replace","path":"/data/k","value":"1"}])");
    ASSERT_TRUE(jsonPatched) << jsonPatched.error().message;
    EXPECT_EQ(stringAt(objectAt(*jsonPatched, "data"), "k"), "1");

    auto strategic = client->patch(resources::ConfigMaps, "default", n, PatchType::StrategicMerge,
                                   R"({"metadata":{"labels":{"smp":"on"}}})");
    ASSERT_TRUE(strategic) << strategic.error().message;
    EXPECT_EQ(label(*strategic, "smp"), "on");

    json::object desired = configMap(named("applied"), "mine");
    desired["metadata"].as_object()["namespace"] = "default";
    auto applied = client->apply(resources::ConfigMaps, desired);
    ASSERT_TRUE(applied) << applied.error().message;
    json::object theirs = configMap(named("applied"), "theirs");
    theirs["metadata"].as_object()["namespace"] = "default";
    PatchOptions other{.fieldManager = "someone-else"};
    auto conflict = client->apply(resources::ConfigMaps, theirs, other);
    ASSERT_FALSE(conflict);
    EXPECT_TRUE(isConflict(conflict.error())) << conflict.error().message;
    other.force = true;
    auto forced = client->apply(resources::ConfigMaps, theirs, other);
    ASSERT_TRUE(forced) << forced.error().message;
    EXPECT_EQ(stringAt(objectAt(*forced, "data"), "k"), "theirs");

    auto bad = client->patch(resources::ConfigMaps, "default", n, PatchType::Json, "{not json");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().kind, ErrorCode::InvalidArgument) << bad.error().message;
}

TEST_F(ClientHttpTest, selectorsAndPagingOverHttp) {
    for (int i = 0; i < 5; ++i) {
        json::object cm = configMap(named("page-" + std::to_string(i)));
        cm["metadata"].as_object()["labels"] = json::object{{"suite", prefix + "paging"}};
        ASSERT_TRUE(client->create(resources::ConfigMaps, "default", cm));
    }
    ListOptions options;
    options.labelSelector = "suite in (" + prefix + "paging)";
    options.limit = 2;
    auto page = client->list(resources::ConfigMaps, "default", options);
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_EQ(page->items.size(), 2U);
    EXPECT_FALSE(page->continueToken.empty());
    auto all = client->listAll(resources::ConfigMaps, "default", options);
    ASSERT_TRUE(all) << all.error().message;
    EXPECT_EQ(all->items.size(), 5U);
}

TEST_F(ClientHttpTest, concurrentRequestsShareThePool) {
    std::vector<std::future<bool>> results;
    for (int t = 0; t < 4; ++t) {
        results.push_back(std::async(std::launch::async, [this, t] {
            for (int i = 0; i < 10; ++i) {
                std::string n = named("pool-" + std::to_string(t) + "-" + std::to_string(i));
                if (!client->create(resources::ConfigMaps, "default", configMap(n)) ||
                    !client->get(resources::ConfigMaps, "default", n)) {
                    return false;
                }
            }
            return true;
        }));
    }
    for (auto& r : results) {
        EXPECT_TRUE(r.get());
    }
}

/// Informer events as `ADD name` / `UPDATE name` / `DELETE name`.
struct Recorder {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::string> events;

    InformerHandlers handlers() {
        auto add = [this](const char* type, const ObjectPtr& o) {
            {
                std::lock_guard lock(mutex);
                events.push_back(std::string(type) + " " + std::string(name(*o)));
            }
            cv.notify_all();
        };
        return InformerHandlers{[add](const ObjectPtr& o) { add("ADD", o); },
                                [add](const ObjectPtr&, const ObjectPtr& o) { add("UPDATE", o); },
                                [add](const ObjectPtr& o) { add("DELETE", o); }};
    }
    bool waitFor(const std::string& event) {
        std::unique_lock lock(mutex);
        return cv.wait_for(lock, std::chrono::seconds(20), [&] {
            return std::find(events.begin(), events.end(), event) != events.end();
        });
    }
};

TEST_F(ClientHttpTest, anInformerSyncsAndFollowsLiveChanges) {
    std::string suite = prefix + "informer";
    auto labelled = [&](const std::string& n, const std::string& value) {
        json::object cm = configMap(n, value);
        cm["metadata"].as_object()["labels"] = json::object{{"suite", suite}};
        return cm;
    };
    ASSERT_TRUE(client->create(resources::ConfigMaps, "default", labelled(named("one"), "1")));

    InformerOptions options;
    options.resource = resources::ConfigMaps;
    options.ns = "default";
    options.labelSelector = "suite=" + suite;
    Informer informer(*client, options);
    Recorder recorder;
    informer.addHandlers(recorder.handlers());
    informer.start();
    ASSERT_TRUE(informer.waitForSync(std::chrono::steady_clock::now() + std::chrono::seconds(20)));
    EXPECT_EQ(informer.cache().size(), 1U);
    EXPECT_TRUE(recorder.waitFor("ADD " + named("one")));

    // A second client (its own connections) makes the changes.
    auto writer = HttpApiClient::fromKubeconfigFile(s_engine->kubeconfig());
    ASSERT_TRUE(writer);
    ASSERT_TRUE((*writer)->create(resources::ConfigMaps, "default", labelled(named("two"), "2")));
    ASSERT_TRUE((*writer)->patch(resources::ConfigMaps, "default", named("one"), PatchType::Merge,
                                 R"({"data":{"k":"changed"}})"));
    ASSERT_TRUE((*writer)->remove(resources::ConfigMaps, "default", named("two")));
    ASSERT_TRUE(recorder.waitFor("DELETE " + named("two")));
    {
        std::lock_guard lock(recorder.mutex);
        EXPECT_EQ(recorder.events,
                  (std::vector<std::string>{"ADD " + named("one"), "ADD " + named("two"),
                                            "UPDATE " + named("one"), "DELETE " + named("two")}));
    }
    ObjectPtr one = informer.cache().get("default/" + named("one"));
    ASSERT_TRUE(one);
    EXPECT_EQ(stringAt(objectAt(*one, "data"), "k"), "changed");

    auto started = std::chrono::steady_clock::now();
    informer.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3))
        << "stop closes the open watch connection";
}

TEST_F(ClientHttpTest, aWatchStreamsEventsAsTheyHappen) {
    auto list = client->list(resources::ConfigMaps, "default");
    ASSERT_TRUE(list);
    WatchOptions options;
    options.resourceVersion = list->resourceVersion;
    options.fieldSelector = "metadata.name=" + named("watched");
    auto stream = client->watch(resources::ConfigMaps, "default", options);
    ASSERT_TRUE(stream) << stream.error().message;
    ASSERT_TRUE(client->create(resources::ConfigMaps, "default", configMap(named("watched"))));
    StreamRead read = (*stream)->next(std::chrono::seconds(20));
    ASSERT_EQ(read.status, StreamRead::Status::Event) << read.error.message;
    EXPECT_EQ(read.event.type, WatchEventType::Added);
    EXPECT_EQ(name(read.event.object), named("watched"));

    auto reader = std::async(std::launch::async, [&] {
        StreamRead r;
        do {
            r = (*stream)->next(std::chrono::seconds(60));
        } while (r.status == StreamRead::Status::Event);
        return r.status;
    });
    (*stream)->close();
    ASSERT_EQ(reader.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    EXPECT_EQ(reader.get(), StreamRead::Status::End);
}

TEST_F(ClientHttpTest, aServerWithAnotherCaIsRejected) {
    auto config = loadKubeconfig(s_engine->kubeconfig());
    ASSERT_TRUE(config);
    // The client certificate is not the CA that signed the server's certificate.
    config->certificateAuthorityPem = config->clientCertificatePem;
    auto untrusting = HttpApiClient::fromKubeconfig(*config);
    ASSERT_TRUE(untrusting) << untrusting.error().message;
    auto got = (*untrusting)->get(resources::Namespaces, "", "default");
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, 0) << "no HTTP response: the TLS handshake failed";
    EXPECT_NE(got.error().message.find("TLS"), std::string::npos) << got.error().message;
}

TEST_F(ClientHttpTest, withoutCredentialsTheEngineAnswersUnauthorized) {
    auto config = loadKubeconfig(s_engine->kubeconfig());
    ASSERT_TRUE(config);
    config->clientCertificatePem.clear();
    config->clientKeyPem.clear();
    auto anonymous = HttpApiClient::fromKubeconfig(*config);
    ASSERT_TRUE(anonymous);
    auto got = (*anonymous)->get(resources::Namespaces, "", "default");
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, 401);
    EXPECT_EQ(got.error().kind, ErrorCode::Unauthorized);
}

} // namespace
