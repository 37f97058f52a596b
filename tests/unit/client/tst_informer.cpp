// Informers against the in-process API server over the memory store.

#include "kube/client/informer.h"

#include "clienttestutil.h"
#include "engine/apiserver/inprocessclient.h"
#include "kube/client/indexedcache.h"
#include "kube/jsonutil.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

using namespace pilot;
using namespace pilot::kube;
using namespace pilot::kube::test;
using apiserver::test::configMap;
using apiserver::test::pod;

namespace {

using Events = std::vector<std::string>;

class InformerTest : public ::testing::Test {
protected:
    explicit InformerTest(size_t history = 10000) : env(history) {}

    void SetUp() override {
        env.createNamespace("default");
        env.createNamespace("other");
    }
    void TearDown() override {
        if (informer) {
            informer->stop();
        }
    }

    InformerOptions options(const ApiResource& resource = resources::ConfigMaps) {
        InformerOptions o;
        o.resource = resource;
        o.initialBackoff = std::chrono::milliseconds(5);
        o.maxBackoff = std::chrono::milliseconds(50);
        return o;
    }
    void startInformer(InformerOptions o) {
        informer = std::make_unique<Informer>(controlled, std::move(o));
        informer->addHandlers(recorder.handlers());
        informer->start();
        ASSERT_TRUE(informer->waitForSync(inSeconds(10)));
    }

    json::object create(const std::string& name, const std::string& value = "v",
                        const std::string& ns = "default") {
        auto created = direct.create(resources::ConfigMaps, ns, configMap(name, value));
        EXPECT_TRUE(created) << created.error().message;
        return created ? *created : json::object();
    }
    void change(const std::string& name, const std::string& value) {
        auto patched = direct.patch(resources::ConfigMaps, "default", name, PatchType::Merge,
                                    R"({"data":{"k":")" + value + R"("}})");
        ASSERT_TRUE(patched) << patched.error().message;
    }
    void remove(const std::string& name) {
        ASSERT_TRUE(direct.remove(resources::ConfigMaps, "default", name));
    }
    /// Creates a marker object and waits for its ADD: every event caused before it has been
    /// delivered by then, so the events seen are complete (and duplicates would show).
    Events eventsUpToMarker(size_t from, const std::string& marker = "marker") {
        (void)create(marker);
        EXPECT_TRUE(recorder.waitForEvent("ADD " + marker))
            << ::testing::PrintToString(recorder.events());
        return recorder.since(from);
    }
    std::vector<std::string> cachedNames() {
        std::vector<std::string> names;
        for (const ObjectPtr& o : informer->cache().list()) {
            names.emplace_back(name(*o));
        }
        return names;
    }

    ApiEnv env;
    apiserver::InProcessApiClient direct{*env.handler, "test"};
    ControlledClient controlled{direct};
    EventRecorder recorder;
    std::unique_ptr<Informer> informer;
};

TEST_F(InformerTest, theFirstSyncListsEveryPageAndDeliversAdds) {
    for (const char* n : {"a", "b", "c", "d", "e"}) {
        (void)create(n);
    }
    (void)create("x", "v", "other");
    InformerOptions o = options();
    o.ns = "default";
    o.pageSize = 2;
    startInformer(o);
    EXPECT_TRUE(informer->hasSynced());
    EXPECT_EQ(controlled.lists(), 3) << "five objects in pages of two";
    EXPECT_EQ(recorder.events(), (Events{"ADD a", "ADD b", "ADD c", "ADD d", "ADD e"}));
    EXPECT_EQ(cachedNames(), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
    ObjectPtr c = informer->cache().get("default/c");
    ASSERT_TRUE(c);
    EXPECT_EQ(kind(*c), "ConfigMap");
    EXPECT_FALSE(informer->cache().get("other/x")) << "outside the informer's namespace";
}

TEST_F(InformerTest, liveChangesReachTheCacheAndTheHandlers) {
    (void)create("a", "1");
    (void)create("b");
    startInformer(options());
    size_t seen = recorder.events().size();

    (void)create("c");
    change("a", "2");
    remove("b");
    EXPECT_EQ(eventsUpToMarker(seen), (Events{"ADD c", "UPDATE a", "DELETE b", "ADD marker"}));

    auto [now, before] = recorder.last("a");
    EXPECT_EQ(stringAt(objectAt(now, "data"), "k"), "2");
    EXPECT_EQ(stringAt(objectAt(before, "data"), "k"), "1") << "onUpdate gets the old state";
    EXPECT_EQ(cachedNames(), (std::vector<std::string>{"a", "c", "marker"}));
    ObjectPtr a = informer->cache().get("default/a");
    ASSERT_TRUE(a);
    EXPECT_EQ(stringAt(objectAt(*a, "data"), "k"), "2");
    EXPECT_EQ(informer->lastResourceVersion(),
              std::string(resourceVersion(*informer->cache().get("default/marker"))));
}

TEST_F(InformerTest, aWatchThatEndsResumesFromTheLastVersionWithoutDuplicates) {
    (void)create("a");
    (void)create("b");
    (void)create("c");
    startInformer(options());
    change("a", "2");
    ASSERT_TRUE(recorder.waitForEvent("UPDATE a"));
    std::string lastSeen(resourceVersion(recorder.last("a").first));
    EXPECT_EQ(informer->lastResourceVersion(), lastSeen);
    size_t seen = recorder.events().size();
    ASSERT_TRUE(controlled.waitForOpen(1));

    // The server ends the stream; changes happen before the informer watches again.
    controlled.pause();
    controlled.endWatches();
    ASSERT_TRUE(controlled.waitForRequests(2));
    (void)create("d");
    change("b", "2");
    remove("c");
    controlled.resume();

    EXPECT_EQ(eventsUpToMarker(seen), (Events{"ADD d", "UPDATE b", "DELETE c", "ADD marker"}));
    EXPECT_EQ(controlled.watchVersions().at(1), lastSeen);
    EXPECT_EQ(controlled.lists(), 1) << "resuming needs no new list";
    EXPECT_EQ(cachedNames(), (std::vector<std::string>{"a", "b", "d", "marker"}));
}

class InformerShortHistoryTest : public InformerTest {
protected:
    InformerShortHistoryTest() : InformerTest(2) {}
};

TEST_F(InformerShortHistoryTest, aCompactedVersionMeansAFreshListAndTheDifferences) {
    (void)create("keep", "1");
    (void)create("drop", "last-known");
    (void)create("edit", "1");
    startInformer(options());
    size_t seen = recorder.events().size();
    ASSERT_TRUE(controlled.waitForOpen(1));

    // More changes than the watch cache keeps happen while the informer is away.
    controlled.pause();
    controlled.endWatches();
    ASSERT_TRUE(controlled.waitForRequests(2));
    remove("drop");
    (void)create("new-1");
    change("edit", "2");
    change("edit", "3");
    (void)create("new-2");
    controlled.resume();

    // A re-list reports deletions last; wait for that before the marker so the marker is not
    // part of the list.
    ASSERT_TRUE(recorder.waitForEvent("DELETE drop"));
    Events events = eventsUpToMarker(seen);
    // The re-list yields one event per differing object (in key order), then live events.
    EXPECT_EQ(events,
              (Events{"UPDATE edit", "ADD new-1", "ADD new-2", "DELETE drop", "ADD marker"}));
    EXPECT_EQ(controlled.lists(), 2) << "the 410 forced exactly one new list";
    auto [last, unused] = recorder.last("drop");
    EXPECT_EQ(stringAt(objectAt(last, "data"), "k"), "last-known")
        << "a delete found by re-listing carries the last state the informer saw";
    auto [edit, previous] = recorder.last("edit");
    EXPECT_EQ(stringAt(objectAt(edit, "data"), "k"), "3");
    EXPECT_EQ(stringAt(objectAt(previous, "data"), "k"), "1");
    EXPECT_EQ(cachedNames(),
              (std::vector<std::string>{"edit", "keep", "marker", "new-1", "new-2"}));
}

TEST_F(InformerTest, indexesFollowTheObjects) {
    auto createPod = [&](const std::string& n, const std::string& node, const std::string& owner) {
        json::object p = pod(n, node);
        if (!owner.empty()) {
            p["metadata"].as_object()["ownerReferences"] =
                json::array{json::object{{"apiVersion", "apps/v1"},
                                         {"kind", "ReplicaSet"},
                                         {"name", "rs"},
                                         {"uid", owner},
                                         {"controller", true}}};
        }
        auto created = direct.create(resources::Pods, "default", p);
        ASSERT_TRUE(created) << created.error().message;
    };
    createPod("p1", "node-a", "uid-1");
    createPod("p2", "node-b", "uid-1");
    createPod("p3", "node-a", "");
    createPod("p4", "", "uid-2");

    informer = std::make_unique<Informer>(controlled, options(resources::Pods));
    informer->addIndex("node", fieldIndex("spec.nodeName"));
    informer->addIndex("owner", ownerUidIndex());
    informer->addIndex("namespace", namespaceIndex());
    informer->addHandlers(recorder.handlers());
    informer->start();
    ASSERT_TRUE(informer->waitForSync(inSeconds(10)));

    auto names = [](const std::vector<ObjectPtr>& objects) {
        std::vector<std::string> out;
        for (const ObjectPtr& o : objects) {
            out.emplace_back(name(*o));
        }
        return out;
    };
    const IndexedCache& cache = informer->cache();
    EXPECT_EQ(names(cache.byIndex("node", "node-a")), (std::vector<std::string>{"p1", "p3"}));
    EXPECT_EQ(names(cache.byIndex("owner", "uid-1")), (std::vector<std::string>{"p1", "p2"}));
    EXPECT_EQ(names(cache.byIndex("namespace", "default")).size(), 4U);
    EXPECT_TRUE(cache.byIndex("node", "node-z").empty());
    EXPECT_TRUE(cache.byIndex("no-such-index", "x").empty());

    ASSERT_TRUE(
        direct.remove(resources::Pods, "default", "p1", DeleteOptions{.gracePeriodSeconds = 0}));
    createPod("p5", "node-a", "uid-2");
    ASSERT_TRUE(recorder.waitForEvent("ADD p5"));
    ASSERT_TRUE(recorder.waitForEvent("DELETE p1"));
    EXPECT_EQ(names(cache.byIndex("node", "node-a")), (std::vector<std::string>{"p3", "p5"}));
    EXPECT_EQ(names(cache.byIndex("owner", "uid-2")), (std::vector<std::string>{"p4", "p5"}));
}

TEST_F(InformerTest, selectorsLimitWhatIsCached) {
    json::object web = configMap("web");
    web["metadata"].as_object()["labels"] = json::object{{"app", "web"}};
    ASSERT_TRUE(direct.create(resources::ConfigMaps, "default", web));
    (void)create("unlabelled");
    InformerOptions o = options();
    o.labelSelector = "app=web";
    startInformer(o);
    EXPECT_EQ(cachedNames(), (std::vector<std::string>{"web"}));

    // Relabelling an object out of the selector deletes it from the informer's view.
    auto patched = direct.patch(resources::ConfigMaps, "default", "web", PatchType::Merge,
                                R"({"metadata":{"labels":{"app":"db"}}})");
    ASSERT_TRUE(patched);
    ASSERT_TRUE(recorder.waitForEvent("DELETE web"));
    EXPECT_TRUE(informer->cache().list().empty());
}

/// A client whose first lists fail.
class FlakyClient final : public ApiClient {
public:
    FlakyClient(ApiClient& inner, int failures) : m_inner(inner), m_failures(failures) {}
    Result<ApiResponse> send(const ApiRequest& request) override {
        if (++m_attempts <= m_failures) {
            return fail(ErrorCode::Unavailable, "connection refused");
        }
        return m_inner.send(request);
    }
    Result<std::unique_ptr<EventStream>> openWatch(const ApiRequest& request) override {
        return m_inner.openWatch(request);
    }
    int attempts() const { return m_attempts; }

private:
    ApiClient& m_inner;
    int m_failures;
    std::atomic<int> m_attempts{0};
};

TEST_F(InformerTest, failedListsAreRetriedWithBackOffUntilTheySucceed) {
    (void)create("a");
    FlakyClient flaky(direct, 3);
    Informer flakyInformer(flaky, options());
    flakyInformer.addHandlers(recorder.handlers());
    flakyInformer.start();
    ASSERT_TRUE(flakyInformer.waitForSync(inSeconds(10)));
    EXPECT_EQ(flaky.attempts(), 4);
    EXPECT_EQ(recorder.events(), (Events{"ADD a"}));
    flakyInformer.stop();
}

TEST_F(InformerTest, stopReturnsPromptlyWhileAWatchIsIdle) {
    startInformer(options());
    ASSERT_TRUE(controlled.waitForOpen(1));
    auto started = std::chrono::steady_clock::now();
    informer->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
}

TEST_F(InformerTest, stopWhileListsKeepFailingDoesNotWaitOutTheBackOff) {
    FlakyClient flaky(direct, 1000000);
    InformerOptions o = options();
    o.initialBackoff = std::chrono::seconds(30);
    o.maxBackoff = std::chrono::seconds(30);
    Informer failing(flaky, o);
    failing.start();
    EXPECT_FALSE(
        failing.waitForSync(std::chrono::steady_clock::now() + std::chrono::milliseconds(50)));
    auto started = std::chrono::steady_clock::now();
    failing.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
    EXPECT_EQ(flaky.attempts(), 1) << "one attempt, then waiting in back-off (no busy loop)";
}

} // namespace

namespace {

TEST_F(InformerTest, aMetadataInformerCachesNamesAndLabelsButNoContent) {
    (void)create("a", "listed");
    InformerOptions o = options();
    o.metadataOnly = true;
    startInformer(o);
    size_t seen = recorder.events().size();
    json::object b = create("b", "watched");
    remove("a");
    EXPECT_EQ(eventsUpToMarker(seen), (Events{"ADD b", "DELETE a", "ADD marker"}));

    // Watched objects are exactly what the server's PartialObjectMetadata encoding sends.
    json::object partialB{{"kind", "PartialObjectMetadata"},
                          {"apiVersion", "meta.k8s.io/v1"},
                          {"metadata", b["metadata"]}};
    partialB["metadata"].as_object().erase("managedFields");
    ObjectPtr cachedB = informer->cache().get("default/b");
    ASSERT_TRUE(cachedB);
    EXPECT_EQ(*cachedB, partialB);

    for (const char* key : {"default/b", "default/marker"}) {
        ObjectPtr cached = informer->cache().get(key);
        ASSERT_TRUE(cached) << key;
        EXPECT_EQ(kind(*cached), "PartialObjectMetadata") << key;
        EXPECT_EQ(namespaceOf(*cached), "default") << key;
        EXPECT_FALSE(cached->contains("data")) << key;
        EXPECT_FALSE(std::string(uid(*cached)).empty()) << key;
    }
    EXPECT_EQ(cachedNames(), (std::vector<std::string>{"b", "marker"}));
}

} // namespace

TEST_F(InformerTest, cachedObjectsLeaveOutManagedFieldsAndKeepEverythingElse) {
    json::object listed = create("listed", "one");
    ASSERT_TRUE(metadataOf(listed)->contains("managedFields")) << "the server tracks them";
    startInformer(options());
    json::object watched = create("watched", "two");
    ASSERT_TRUE(recorder.waitForEvent("ADD watched"));
    for (const json::object* sent : {&listed, &watched}) {
        std::string key = "default/" + std::string(name(*sent));
        ObjectPtr cached = informer->cache().get(key);
        ASSERT_TRUE(cached) << key;
        json::object expected = *sent;
        expected["metadata"].as_object().erase("managedFields");
        EXPECT_EQ(*cached, expected) << key;
    }

    InformerOptions keep = options();
    keep.compact.dropManagedFields = false;
    Informer full(controlled, keep);
    full.start();
    ASSERT_TRUE(full.waitForSync(inSeconds(10)));
    ObjectPtr whole = full.cache().get("default/listed");
    full.stop();
    ASSERT_TRUE(whole);
    EXPECT_TRUE(metadataOf(*whole)->contains("managedFields")) << "kept when asked for";
}
