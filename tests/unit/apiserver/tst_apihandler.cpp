#include "engine/apiserver/apihandler.h"

#include "handlertestutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace pilot;
using namespace pilot::apiserver;
using namespace pilot::apiserver::test;

namespace {

// --- non-resource endpoints ---

TEST_F(ApiHandlerTest, anonymousRequestsOnlyReachHealthAndVersion) {
    Request anonymous;
    anonymous.method = "GET";
    anonymous.path = ConfigMaps;
    HandlerResult denied = env.handler->handle(anonymous);
    expectStatus(denied, 401, "Unauthorized");

    anonymous.path = "/version";
    HandlerResult version = env.handler->handle(anonymous);
    EXPECT_EQ(version.response.status, 200);
    json::object v = bodyOf(version);
    EXPECT_EQ(str(v, "major"), "1");
    EXPECT_EQ(str(v, "minor"), "32") << "the kubectl dispatcher picks kubectl 1.32 from this";

    anonymous.path = "/healthz";
    EXPECT_EQ(env.handler->handle(anonymous).response.body, "ok");
}

TEST_F(ApiHandlerTest, readyzFollowsReadiness) {
    EXPECT_EQ(get("/readyz").response.status, 503);
    env.handler->setReady(true);
    EXPECT_EQ(get("/readyz").response.status, 200);
}

TEST_F(ApiHandlerTest, aggregatedDiscoveryIsChosenByAccept) {
    for (const char* path : {"/api", "/apis"}) {
        SCOPED_TRACE(path);
        HandlerResult r = get(path, {{"timeout", "32s"}}, KubectlDiscoveryAccept);
        EXPECT_EQ(r.response.status, 200);
        EXPECT_EQ(r.response.contentType,
                  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
        json::object doc = bodyOf(r);
        EXPECT_EQ(str(doc, "kind"), "APIGroupDiscoveryList");
        EXPECT_EQ(str(doc, "apiVersion"), "apidiscovery.k8s.io/v2");
    }
}

TEST_F(ApiHandlerTest, legacyDiscoveryDocuments) {
    HandlerResult api = get("/api", {}, "application/json");
    EXPECT_EQ(api.response.contentType, "application/json");
    EXPECT_EQ(str(bodyOf(api), "kind"), "APIVersions");
    EXPECT_EQ(str(bodyOf(get("/apis")), "kind"), "APIGroupList");
    EXPECT_EQ(str(bodyOf(get("/api/v1")), "kind"), "APIResourceList");
    EXPECT_EQ(str(bodyOf(get("/apis/apps")), "kind"), "APIGroup");
    json::object appsV1 = bodyOf(get("/apis/apps/v1"));
    EXPECT_EQ(str(appsV1, "kind"), "APIResourceList");
    EXPECT_EQ(str(appsV1, "groupVersion"), "apps/v1");

    expectStatus(get("/apis/apps/v9"), 404, "NotFound");
    expectStatus(get("/apis/no.such.group"), 404, "NotFound");
    expectStatus(get("/nonsense"), 404, "NotFound");
    expectStatus(send("POST", "/apis", "{}"), 405, "MethodNotAllowed");
}

TEST_F(ApiHandlerTest, openApiIsServed) {
    HandlerResult root = get("/openapi/v3");
    EXPECT_EQ(root.response.status, 200);
    EXPECT_TRUE(bodyOf(root).contains("paths"));
    HandlerResult apps = get("/openapi/v3/apis/apps/v1", {{"hash", "x"}});
    EXPECT_EQ(apps.response.status, 200);
    EXPECT_EQ(headerOf(apps, "Cache-Control"), "public, immutable");
    expectStatus(get("/openapi/v3/apis/nope/v1"), 404, "NotFound");
}

// --- routing errors ---

TEST_F(ApiHandlerTest, unknownOrMisaddressedResourcesAre404) {
    for (const char* path :
         {"/api/v1/namespaces/default/widgets", "/apis/nope/v1/namespaces/default/things",
          "/api/v1/configmaps/c",                // namespaced item without a namespace
          "/api/v1/namespaces/default/nodes/n1", // cluster-scoped under a namespace
          "/api/v1/namespaces/default/pods/p/bogus",
          "/api/v1/namespaces/default/configmaps/c/status"}) { // kinds without status // no such
                                                               // subresource
        SCOPED_TRACE(path);
        HandlerResult r = get(path);
        expectStatus(r, 404, "NotFound");
        EXPECT_EQ(str(bodyOf(r), "message"), "the server could not find the requested resource");
    }
}

TEST_F(ApiHandlerTest, pathsDeeperThanResourceGrammarAreNotDiscovery) {
    // Pod proxy paths and other deep paths are not served; they must not be answered with
    // some other document.
    for (const char* path : {"/api/v1/namespaces/default/pods/p/proxy/metrics",
                             "/apis/apps/v1/namespaces/default/deployments/web/scale/extra"}) {
        SCOPED_TRACE(path);
        expectStatus(get(path), 404, "NotFound");
    }
}

TEST_F(ApiHandlerTest, legacyWatchPrefixStreamsEvents) {
    // `/api/v1/watch/...` (deprecated, still served upstream) is a watch of the same list.
    (void)mustPost(ConfigMaps, configMap("c"));
    (void)mustPost(ConfigMaps, configMap("d"));
    HandlerResult r = get("/api/v1/watch/namespaces/default/configmaps");
    ASSERT_TRUE(r.stream) << r.response.status << " " << r.response.body;
    EXPECT_EQ(summaries(StreamReader(r.stream).events()),
              (std::vector<std::string>{"ADDED c", "ADDED d"}));
    HandlerResult named = get("/api/v1/watch/namespaces/default/configmaps/c");
    ASSERT_TRUE(named.stream) << named.response.status << " " << named.response.body;
    EXPECT_EQ(summaries(StreamReader(named.stream).events()),
              (std::vector<std::string>{"ADDED c"}));
}

TEST_F(ApiHandlerTest, unsupportedVerbsAre405) {
    expectStatus(send("POST", std::string(ConfigMaps) + "/c", json::serialize(configMap("c"))), 405,
                 "MethodNotAllowed");
    // Namespaces have no deletecollection.
    expectStatus(send("DELETE", "/api/v1/namespaces"), 405, "MethodNotAllowed");
    expectStatus(send("OPTIONS", ConfigMaps), 405, "MethodNotAllowed");
}

// --- create / get / update / delete ---

TEST_F(ApiHandlerTest, createGetListUpdateDeleteRoundTrip) {
    HandlerResult created = post(ConfigMaps, configMap("c"));
    ASSERT_EQ(created.response.status, 201) << created.response.body;
    json::object c = bodyOf(created);
    std::string uid = str(c, "metadata.uid");
    EXPECT_NE(uid, "");

    HandlerResult got = get(std::string(ConfigMaps) + "/c");
    EXPECT_EQ(got.response.status, 200);
    EXPECT_EQ(bodyOf(got), c);

    json::object list = bodyOf(get(ConfigMaps));
    EXPECT_EQ(str(list, "kind"), "ConfigMapList");
    EXPECT_EQ(str(list, "apiVersion"), "v1");
    EXPECT_EQ(str(list, "metadata.resourceVersion"), std::to_string(env.store->currentRevision()));
    EXPECT_EQ(itemNames(list), std::vector<std::string>{"c"});

    json::object edit = c;
    edit["data"] = obj(R"({"k":"changed"})");
    HandlerResult updated = send("PUT", std::string(ConfigMaps) + "/c", json::serialize(edit));
    ASSERT_EQ(updated.response.status, 200) << updated.response.body;
    EXPECT_EQ(str(bodyOf(updated), "data.k"), "changed");

    // The first version's resourceVersion is stale now.
    HandlerResult stale = send("PUT", std::string(ConfigMaps) + "/c", json::serialize(c));
    expectStatus(stale, 409, "Conflict");
    EXPECT_EQ(str(bodyOf(stale), "message"),
              "Operation cannot be fulfilled on configmaps \"c\": the object has been modified; "
              "please apply your changes to the latest version and try again");

    HandlerResult deleted =
        send("DELETE", std::string(ConfigMaps) + "/c", R"({"propagationPolicy":"Background"})");
    ASSERT_EQ(deleted.response.status, 200) << deleted.response.body;
    EXPECT_EQ(bodyOf(deleted),
              obj(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success",)"
                  R"("details":{"name":"c","group":"","kind":"configmaps","uid":")" +
                  uid + R"("}})"));
    expectStatus(get(std::string(ConfigMaps) + "/c"), 404, "NotFound");
}

TEST_F(ApiHandlerTest, aCreateIsAnsweredWithTheObjectExactlyAsReadsServeIt) {
    // The 201 body is spliced from the stored text rather than serialized again: it must be
    // the very JSON a GET then serves.
    HandlerResult created = post(ConfigMaps, obj(R"({"metadata":{"name":"exact","labels":)"
                                                 R"({"app":"web"},"annotations":{"note":"a\"b"}},)"
                                                 R"("data":{"k":"v\u00e9"}})"));
    ASSERT_EQ(created.response.status, 201) << created.response.body;
    EXPECT_EQ(created.response.body, get(std::string(ConfigMaps) + "/exact").response.body);

    HandlerResult pod = post(Pods, obj(R"({"metadata":{"name":"p"},"spec":{"containers":)"
                                       R"([{"name":"c","image":"busybox"}]}})"));
    ASSERT_EQ(pod.response.status, 201) << pod.response.body;
    EXPECT_EQ(pod.response.body, get(std::string(Pods) + "/p").response.body);
    EXPECT_EQ(str(bodyOf(pod), "status.phase"), "Pending");

    HandlerResult ns = post("/api/v1/namespaces", obj(R"({"metadata":{"name":"team-a"}})"));
    ASSERT_EQ(ns.response.status, 201) << ns.response.body;
    EXPECT_EQ(ns.response.body, get("/api/v1/namespaces/team-a").response.body);

    // Another served version than the storage one is answered in the version addressed.
    const std::string hpas = "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers";
    HandlerResult hpa = post(hpas, obj(R"({"metadata":{"name":"h"},"spec":{"maxReplicas":3,)"
                                       R"("scaleTargetRef":{"kind":"Deployment","name":"web",)"
                                       R"("apiVersion":"apps/v1"},)"
                                       R"("targetCPUUtilizationPercentage":50}})"));
    ASSERT_EQ(hpa.response.status, 201) << hpa.response.body;
    EXPECT_EQ(str(bodyOf(hpa), "apiVersion"), "autoscaling/v1");
    EXPECT_EQ(bodyOf(hpa), bodyOf(get(hpas + "/h")));
}

TEST_F(ApiHandlerTest, aCreateCountsInTheMetricsWhenItsWriteCompletes) {
    ASSERT_EQ(post(ConfigMaps, configMap("counted")).response.status, 201);
    expectStatus(post(ConfigMaps, configMap("counted")), 409, "AlreadyExists");
    const std::string metrics = get("/metrics").response.body;
    auto creates = [&metrics](std::string_view code) {
        std::vector<std::string> found;
        size_t start = 0;
        while (start < metrics.size()) {
            size_t end = metrics.find('\n', start);
            end = end == std::string::npos ? metrics.size() : end;
            std::string_view line(metrics.data() + start, end - start);
            if (line.starts_with("apiserver_request_total{") &&
                line.find(R"(resource="configmaps")") != std::string_view::npos &&
                line.find(R"(verb="POST")") != std::string_view::npos &&
                line.find(fmt::format(R"(code="{}")", code)) != std::string_view::npos) {
                found.emplace_back(line.substr(line.rfind(' ') + 1));
            }
            start = end + 1;
        }
        return found;
    };
    EXPECT_EQ(creates("201"), std::vector<std::string>{"1"}) << metrics;
    EXPECT_EQ(creates("409"), std::vector<std::string>{"1"}) << metrics;
}

TEST(ApiHandlerCreates, onlyCreatesWhoseAdmissionCannotWriteRunOnTheIoThread) {
    ApiEnv env;
    env.createNamespace("default");
    auto request = [](std::string method, std::string path) {
        Request r;
        r.method = std::move(method);
        r.path = std::move(path);
        r.user = User{"admin", {"system:masters"}};
        return r;
    };
    EXPECT_TRUE(env.handler->runsInline(request("POST", ConfigMaps)));
    EXPECT_FALSE(env.handler->runsInline(request("GET", ConfigMaps)));
    EXPECT_FALSE(env.handler->runsInline(request("PUT", std::string(ConfigMaps) + "/c")));
    EXPECT_FALSE(env.handler->runsInline(request("POST", std::string(Pods) + "/p/eviction")));
    EXPECT_FALSE(env.handler->runsInline(
        request("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews")));
    Request anonymous = request("POST", ConfigMaps);
    anonymous.user.reset();
    EXPECT_FALSE(env.handler->runsInline(anonymous));
}

/// The in-memory store, except that the first `taken` creates under `prefix` find the key taken.
class TakenKeysStore : public store::Store {
public:
    TakenKeysStore(std::string prefix, int taken)
        : m_inner(store::makeMemoryStore()), m_prefix(std::move(prefix)), m_taken(taken) {}

    Status open() override { return m_inner->open(); }
    void close() override { m_inner->close(); }
    Result<store::KeyValue> get(std::string_view key) override { return m_inner->get(key); }
    Result<store::ListResult> list(std::string_view prefix) override {
        return m_inner->list(prefix);
    }
    Result<store::WriteResult> write(store::Write write) override {
        if (takes(write)) {
            return fail(ErrorCode::AlreadyExists, write.key + ": already exists");
        }
        return m_inner->write(std::move(write));
    }
    void writeAsync(store::Write write,
                    std::function<void(Result<store::WriteResult>)> done) override {
        if (takes(write)) {
            done(fail(ErrorCode::AlreadyExists, write.key + ": already exists"));
            return;
        }
        m_inner->writeAsync(std::move(write), std::move(done));
    }
    Result<std::vector<store::Event>> eventsSince(int64_t after, std::string_view prefix) override {
        return m_inner->eventsSince(after, prefix);
    }
    [[nodiscard]] int64_t currentRevision() const override { return m_inner->currentRevision(); }
    [[nodiscard]] int64_t compactedRevision() const override {
        return m_inner->compactedRevision();
    }
    void setCommitObserver(store::CommitObserver observer) override {
        m_inner->setCommitObserver(std::move(observer));
    }
    [[nodiscard]] int refused() const { return m_refused; }

private:
    bool takes(const store::Write& write) {
        if (write.op != store::Write::Op::Create || !write.key.starts_with(m_prefix) ||
            m_refused == m_taken) {
            return false;
        }
        ++m_refused;
        return true;
    }

    std::unique_ptr<store::Store> m_inner;
    std::string m_prefix;
    int m_taken;
    int m_refused = 0;
};

/// An API whose store finds the first `taken` ConfigMap names starting with `namePrefix` in
/// `default` taken.
struct CrowdedApi {
    CrowdedApi(const std::string& namePrefix, int taken) {
        auto backing = std::make_unique<TakenKeysStore>(
            "/registry/core/configmaps/default/" + namePrefix, taken);
        store = backing.get();
        env = std::make_unique<ApiEnv>(10000, std::move(backing));
        env->createNamespace("default");
    }
    HandlerResult create(const std::string& body) { return env->send("POST", ConfigMaps, body); }

    TakenKeysStore* store = nullptr;
    std::unique_ptr<ApiEnv> env;
};

TEST(ApiHandlerCreates, aGeneratedNameFoundTakenIsDrawnAgain) {
    CrowdedApi api("web-", 3);
    HandlerResult created = api.create(R"({"metadata":{"generateName":"web-"},"data":{}})");
    ASSERT_EQ(created.response.status, 201) << created.response.body;
    EXPECT_EQ(api.store->refused(), 3);
    json::object object = json::parse(created.response.body).as_object();
    const std::string name(object["metadata"].as_object()["name"].as_string());
    EXPECT_TRUE(name.starts_with("web-") && name.size() == 9) << name;

    // A name that stays taken gives up after eight draws, as upstream.
    CrowdedApi crowded("db-", 100);
    HandlerResult refused = crowded.create(R"({"metadata":{"generateName":"db-"},"data":{}})");
    EXPECT_EQ(refused.response.status, 500) << refused.response.body;
    EXPECT_EQ(crowded.store->refused(), 8);

    // A taken name that was not generated is not retried.
    CrowdedApi named("fixed", 1);
    HandlerResult conflict = named.create(R"({"metadata":{"name":"fixed"},"data":{}})");
    EXPECT_EQ(conflict.response.status, 409) << conflict.response.body;
    EXPECT_EQ(named.store->refused(), 1);
}

TEST_F(ApiHandlerTest, notFoundStatusMatchesKubeApiserver) {
    HandlerResult r = get(std::string(Deployments) + "/nothere");
    EXPECT_EQ(r.response.status, 404);
    EXPECT_EQ(bodyOf(r),
              obj(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
                  R"("message":"deployments.apps \"nothere\" not found","reason":"NotFound",)"
                  R"("details":{"name":"nothere","group":"apps","kind":"deployments"},)"
                  R"("code":404})"));
}

TEST_F(ApiHandlerTest, invalidObjectsGet422WithCauses) {
    json::object d = deployment("st");
    d["spec"].as_object()["replicas"] = -2;
    HandlerResult r = post(Deployments, d);
    expectStatus(r, 422, "Invalid");
    json::object status = bodyOf(r);
    EXPECT_EQ(str(status, "details.kind"), "Deployment");
    EXPECT_EQ(str(status, "details.group"), "apps");
    EXPECT_EQ(str(status, "details.name"), "st");
    const json::value* causes = at(status, "details.causes");
    ASSERT_TRUE(causes && causes->is_array() && !causes->as_array().empty()) << r.response.body;
    const json::object& cause = causes->as_array()[0].as_object();
    EXPECT_EQ(str(cause, "field"), "spec.replicas");
    EXPECT_EQ(str(cause, "reason"), "FieldValueInvalid");
}

TEST_F(ApiHandlerTest, updateRefusesAMismatchedKind) {
    (void)mustPost(ConfigMaps, configMap("c"));
    json::object wrong = configMap("c");
    wrong["kind"] = "Secret";
    HandlerResult r = send("PUT", std::string(ConfigMaps) + "/c", json::serialize(wrong));
    expectStatus(r, 400, "BadRequest");
    EXPECT_EQ(str(bodyOf(r), "message"),
              "the kind in the data (Secret) does not match the expected kind (ConfigMap)");
}

TEST_F(ApiHandlerTest, podDeleteReturnsThePod) {
    (void)mustPost(Pods, pod("p"));
    HandlerResult r = send("DELETE", std::string(Pods) + "/p");
    ASSERT_EQ(r.response.status, 200);
    json::object body = bodyOf(r);
    EXPECT_EQ(str(body, "kind"), "Pod");
    EXPECT_EQ(str(body, "metadata.name"), "p");
}

TEST_F(ApiHandlerTest, gracefulPodDeleteReturnsTheTerminatingPod) {
    (void)mustPost(Pods, pod("p", "node-1"));
    HandlerResult r = send("DELETE", std::string(Pods) + "/p");
    ASSERT_EQ(r.response.status, 200);
    json::object body = bodyOf(r);
    EXPECT_NE(str(body, "metadata.deletionTimestamp"), "");
    EXPECT_EQ(get(std::string(Pods) + "/p").response.status, 200);

    // kubectl delete --grace-period=0 --force
    HandlerResult forced = send("DELETE", std::string(Pods) + "/p",
                                R"({"gracePeriodSeconds":0,"propagationPolicy":"Background"})");
    ASSERT_EQ(forced.response.status, 200);
    expectStatus(get(std::string(Pods) + "/p"), 404, "NotFound");
}

TEST_F(ApiHandlerTest, deleteOptionsFromBodyAndQuery) {
    (void)mustPost(Deployments, deployment("fg"));
    HandlerResult fg =
        send("DELETE", std::string(Deployments) + "/fg", R"({"propagationPolicy":"Foreground"})");
    ASSERT_EQ(fg.response.status, 200) << fg.response.body;
    EXPECT_TRUE(kube::hasFinalizer(bodyOf(fg), "foregroundDeletion"));

    (void)mustPost(Deployments, deployment("orphan"));
    HandlerResult orphan =
        send("DELETE", std::string(Deployments) + "/orphan", {}, {{"propagationPolicy", "Orphan"}});
    ASSERT_EQ(orphan.response.status, 200) << orphan.response.body;
    EXPECT_TRUE(kube::hasFinalizer(bodyOf(orphan), "orphan"));

    (void)mustPost(Deployments, deployment("legacy"));
    HandlerResult legacy =
        send("DELETE", std::string(Deployments) + "/legacy", R"({"orphanDependents":true})");
    EXPECT_TRUE(kube::hasFinalizer(bodyOf(legacy), "orphan"));

    HandlerResult bad =
        send("DELETE", std::string(Deployments) + "/fg", R"({"propagationPolicy":"Sideways"})");
    expectStatus(bad, 400, "BadRequest");
    EXPECT_EQ(str(bodyOf(bad), "message"),
              "propagationPolicy: Unsupported value: \"Sideways\": supported values: "
              "\"Foreground\", \"Background\", \"Orphan\", \"nil\"");

    expectStatus(
        send("DELETE", std::string(Deployments) + "/fg", {}, {{"gracePeriodSeconds", "soon"}}), 400,
        "BadRequest");
    expectStatus(send("DELETE", std::string(Deployments) + "/fg", "[1,2]"), 400, "BadRequest");

    (void)mustPost(ConfigMaps, configMap("c"));
    HandlerResult pre = send("DELETE", std::string(ConfigMaps) + "/c",
                             R"({"preconditions":{"uid":"not-the-uid"}})");
    expectStatus(pre, 409, "Conflict");
    EXPECT_EQ(get(std::string(ConfigMaps) + "/c").response.status, 200);
}

TEST_F(ApiHandlerTest, deleteCollectionDeletesTheSelectedObjects) {
    for (const char* name : {"a1", "a2", "b1"}) {
        json::object cm = configMap(name);
        cm["metadata"].as_object()["labels"] = json::object{{"app", std::string(1, name[0])}};
        (void)mustPost(ConfigMaps, cm);
    }
    HandlerResult r = send("DELETE", ConfigMaps, {}, {{"labelSelector", "app=a"}});
    ASSERT_EQ(r.response.status, 200) << r.response.body;
    json::object deleted = bodyOf(r);
    EXPECT_EQ(str(deleted, "kind"), "ConfigMapList");
    std::vector<std::string> names = itemNames(deleted);
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"a1", "a2"}));
    EXPECT_EQ(itemNames(bodyOf(get(ConfigMaps))), std::vector<std::string>{"b1"});
}

// --- bodies and media types ---

TEST_F(ApiHandlerTest, bodiesAreDecodedByContentType) {
    HandlerResult yaml = send("POST", ConfigMaps,
                              "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\n"
                              "data:\n  k: v\n",
                              {}, "application/yaml");
    EXPECT_EQ(yaml.response.status, 201) << yaml.response.body;
    HandlerResult charset = send("POST", ConfigMaps, json::serialize(configMap("charset")), {},
                                 "application/json; charset=utf-8");
    EXPECT_EQ(charset.response.status, 201) << charset.response.body;

    HandlerResult text =
        send("POST", ConfigMaps, json::serialize(configMap("text")), {}, "text/plain");
    expectStatus(text, 415, "UnsupportedMediaType");
    EXPECT_NE(str(bodyOf(text), "message").find("text/plain"), std::string::npos);

    expectStatus(send("POST", ConfigMaps, ""), 400, "BadRequest");
    expectStatus(send("POST", ConfigMaps, "{not json"), 400, "BadRequest");
    expectStatus(send("POST", ConfigMaps, "[1]"), 400, "BadRequest");
    expectStatus(send("POST", ConfigMaps, "garbage", {}, "application/vnd.kubernetes.protobuf"),
                 400, "BadRequest");
}

TEST_F(ApiHandlerTest, dryRunAll) {
    HandlerResult dry = post(ConfigMaps, configMap("c"), {{"dryRun", "All"}});
    EXPECT_EQ(dry.response.status, 201);
    expectStatus(get(std::string(ConfigMaps) + "/c"), 404, "NotFound");

    HandlerResult bogus = post(ConfigMaps, configMap("c"), {{"dryRun", "Bogus"}});
    expectStatus(bogus, 400, "BadRequest");
    EXPECT_EQ(str(bodyOf(bogus), "message"),
              "dryRun: Unsupported value: \"Bogus\": supported values: \"All\"");

    // kubectl diff: the same PATCH with dryRun=All must not change the object.
    (void)mustPost(ConfigMaps, configMap("c", "live"));
    HandlerResult diff = patch(std::string(ConfigMaps) + "/c", R"({"data":{"k":"planned"}})",
                               "application/strategic-merge-patch+json", {{"dryRun", "All"}});
    ASSERT_EQ(diff.response.status, 200) << diff.response.body;
    EXPECT_EQ(str(bodyOf(diff), "data.k"), "planned");
    EXPECT_EQ(str(bodyOf(get(std::string(ConfigMaps) + "/c")), "data.k"), "live");

    HandlerResult dryDelete =
        send("DELETE", std::string(ConfigMaps) + "/c", {}, {{"dryRun", "All"}});
    EXPECT_EQ(dryDelete.response.status, 200);
    EXPECT_EQ(get(std::string(ConfigMaps) + "/c").response.status, 200);
}

TEST_F(ApiHandlerTest, fieldValidationModes) {
    json::object d = deployment("web");
    d["spec"].as_object()["bogus"] = true;

    HandlerResult strict = post(Deployments, d, {{"fieldValidation", "Strict"}});
    expectStatus(strict, 400, "BadRequest");
    std::string message = str(bodyOf(strict), "message");
    EXPECT_TRUE(message.starts_with("strict decoding error: unknown field \"")) << message;
    EXPECT_NE(message.find("bogus"), std::string::npos) << message;

    HandlerResult warn = post(Deployments, d, {{"fieldValidation", "Warn"}});
    ASSERT_EQ(warn.response.status, 201) << warn.response.body;
    std::string warning = headerOf(warn, "Warning");
    EXPECT_TRUE(warning.starts_with("299 - \"unknown field")) << warning;
    EXPECT_NE(warning.find("bogus"), std::string::npos) << warning;

    d["metadata"].as_object()["name"] = "web2";
    HandlerResult ignore = post(Deployments, d, {{"fieldValidation", "Ignore"}});
    ASSERT_EQ(ignore.response.status, 201) << ignore.response.body;
    EXPECT_EQ(headerOf(ignore, "Warning"), "");

    HandlerResult wrong = post(Deployments, d, {{"fieldValidation", "Loose"}});
    expectStatus(wrong, 400, "BadRequest");
}

// --- patch ---

TEST_F(ApiHandlerTest, mergePatchAsKubectlLabelSendsIt) {
    (void)mustPost(ConfigMaps, configMap("c"));
    HandlerResult r = patch(std::string(ConfigMaps) + "/c", R"({"metadata":{"labels":{"k":"v"}}})",
                            "application/merge-patch+json");
    ASSERT_EQ(r.response.status, 200) << r.response.body;
    EXPECT_EQ(str(bodyOf(r), "metadata.labels.k"), "v");
    EXPECT_EQ(str(bodyOf(r), "data.k"), "v");
}

TEST_F(ApiHandlerTest, strategicMergePatchMergesContainersByName) {
    json::object d = deployment("web");
    d["spec"].as_object()["template"].as_object()["spec"].as_object()["containers"] =
        json::parse(R"([{"name":"main","image":"nginx:1.25"},{"name":"side","image":"busybox"}])");
    (void)mustPost(Deployments, d);
    HandlerResult r = patch(std::string(Deployments) + "/web",
                            R"({"spec":{"template":{"spec":{"containers":[)"
                            R"({"name":"main","image":"nginx:1.26"}]}}}})",
                            "application/strategic-merge-patch+json");
    ASSERT_EQ(r.response.status, 200) << r.response.body;
    json::object patched = bodyOf(r);
    const json::array& containers = at(patched, "spec.template.spec.containers")->as_array();
    ASSERT_EQ(containers.size(), 2U);
    EXPECT_EQ(str(containers[0].as_object(), "image"), "nginx:1.26");
    EXPECT_EQ(str(containers[1].as_object(), "name"), "side");
    EXPECT_EQ(at(patched, "metadata.generation")->as_int64(), 2);
}

TEST_F(ApiHandlerTest, jsonPatchAsRolloutUndoSendsIt) {
    (void)mustPost(Deployments, deployment("web"));
    HandlerResult r = patch(std::string(Deployments) + "/web",
                            R"([{"op":"replace","path":"/spec/replicas","value":4}])",
                            "application/json-patch+json");
    ASSERT_EQ(r.response.status, 200) << r.response.body;
    EXPECT_EQ(at(bodyOf(r), "spec.replicas")->as_int64(), 4);

    HandlerResult failedTest = patch(std::string(Deployments) + "/web",
                                     R"([{"op":"test","path":"/spec/replicas","value":9}])",
                                     "application/json-patch+json");
    EXPECT_EQ(failedTest.response.status, 422) << failedTest.response.body;

    HandlerResult notAList =
        patch(std::string(Deployments) + "/web", R"({"spec":{}})", "application/json-patch+json");
    expectStatus(notAList, 400, "BadRequest");
}

TEST_F(ApiHandlerTest, patchErrors) {
    (void)mustPost(ConfigMaps, configMap("c"));
    HandlerResult wrongType =
        patch(std::string(ConfigMaps) + "/c", R"({"data":{}})", "application/json");
    expectStatus(wrongType, 415, "UnsupportedMediaType");

    expectStatus(patch(std::string(ConfigMaps) + "/missing", R"({"data":{}})",
                       "application/merge-patch+json"),
                 404, "NotFound");

    HandlerResult staleRv =
        patch(std::string(ConfigMaps) + "/c", R"({"metadata":{"resourceVersion":"1"}})",
              "application/merge-patch+json");
    expectStatus(staleRv, 409, "Conflict");

    expectStatus(patch(std::string(ConfigMaps) + "/c", "{broken", "application/merge-patch+json"),
                 400, "BadRequest");
}

TEST_F(ApiHandlerTest, serverSideApplyUpserts) {
    std::string manifest = json::serialize(deployment("app2"));
    HandlerResult noManager =
        patch(std::string(Deployments) + "/app2", manifest, "application/apply-patch+yaml");
    expectStatus(noManager, 400, "BadRequest");
    EXPECT_EQ(str(bodyOf(noManager), "message"),
              "PATCH, application/apply-patch+yaml: fieldManager must be set for apply patches");

    Query ssa = {{"fieldManager", "kubectl"}, {"fieldValidation", "Strict"}, {"force", "false"}};
    HandlerResult created =
        patch(std::string(Deployments) + "/app2", manifest, "application/apply-patch+yaml", ssa);
    ASSERT_EQ(created.response.status, 201) << created.response.body;

    json::object scaled = deployment("app2", 3);
    HandlerResult updated = patch(std::string(Deployments) + "/app2", json::serialize(scaled),
                                  "application/apply-patch+yaml", ssa);
    ASSERT_EQ(updated.response.status, 200) << updated.response.body;
    json::object live = bodyOf(updated);
    EXPECT_EQ(at(live, "spec.replicas")->as_int64(), 3);
    const json::array& managed = at(live, "metadata.managedFields")->as_array();
    ASSERT_EQ(managed.size(), 1U) << "one entry per manager";
    EXPECT_EQ(str(managed[0].as_object(), "manager"), "kubectl");
    EXPECT_EQ(str(managed[0].as_object(), "operation"), "Apply");
    EXPECT_EQ(str(managed[0].as_object(), "fieldsType"), "FieldsV1");
}

// --- status and subresources ---

TEST_F(ApiHandlerTest, statusSubresourceWritesOnlyStatus) {
    json::object d = mustPost(Deployments, deployment("web"));
    d["status"] = obj(R"({"observedGeneration":1,"replicas":1})");
    d["spec"].as_object()["replicas"] = 5;
    HandlerResult r = send("PUT", std::string(Deployments) + "/web/status", json::serialize(d));
    ASSERT_EQ(r.response.status, 200) << r.response.body;
    json::object live = bodyOf(get(std::string(Deployments) + "/web"));
    EXPECT_EQ(at(live, "status.observedGeneration")->as_int64(), 1);
    EXPECT_EQ(at(live, "spec.replicas")->as_int64(), 1);

    HandlerResult p = patch(std::string(Deployments) + "/web/status",
                            R"({"status":{"readyReplicas":1}})", "application/merge-patch+json");
    ASSERT_EQ(p.response.status, 200) << p.response.body;
    EXPECT_EQ(at(bodyOf(p), "status.readyReplicas")->as_int64(), 1);
    EXPECT_EQ(at(bodyOf(p), "status.replicas")->as_int64(), 1);
}

TEST_F(ApiHandlerTest, scaleSubresourceAsKubectlScaleUsesIt) {
    json::object created = mustPost(Deployments, deployment("web", 2));
    HandlerResult got = get(std::string(Deployments) + "/web/scale");
    ASSERT_EQ(got.response.status, 200) << got.response.body;
    json::object scale = bodyOf(got);
    EXPECT_EQ(str(scale, "kind"), "Scale");
    EXPECT_EQ(str(scale, "apiVersion"), "autoscaling/v1");
    EXPECT_EQ(str(scale, "metadata.name"), "web");
    EXPECT_EQ(str(scale, "metadata.namespace"), "default");
    EXPECT_EQ(str(scale, "metadata.uid"), str(created, "metadata.uid"));
    EXPECT_EQ(at(scale, "spec.replicas")->as_int64(), 2);
    EXPECT_EQ(at(scale, "status.replicas")->as_int64(), 0);
    ASSERT_TRUE(at(scale, "status.selector")->is_string()) << "selector is a string";
    EXPECT_EQ(str(scale, "status.selector"), "app=web");

    HandlerResult patched = patch(std::string(Deployments) + "/web/scale",
                                  R"({"spec":{"replicas":3}})", "application/merge-patch+json");
    ASSERT_EQ(patched.response.status, 200) << patched.response.body;
    EXPECT_EQ(at(bodyOf(patched), "spec.replicas")->as_int64(), 3);
    json::object live = bodyOf(get(std::string(Deployments) + "/web"));
    EXPECT_EQ(at(live, "spec.replicas")->as_int64(), 3);
    EXPECT_EQ(at(live, "metadata.generation")->as_int64(), 2);

    json::object stale = scale; // carries the old resourceVersion
    stale["spec"].as_object()["replicas"] = 7;
    expectStatus(send("PUT", std::string(Deployments) + "/web/scale", json::serialize(stale)), 409,
                 "Conflict");
    expectStatus(patch(std::string(Deployments) + "/web/scale", R"({"spec":{"replicas":-1}})",
                       "application/merge-patch+json"),
                 422, "Invalid");
    EXPECT_EQ(at(bodyOf(get(std::string(Deployments) + "/web")), "spec.replicas")->as_int64(), 3);
}

TEST_F(ApiHandlerTest, bindingAssignsANodeOnce) {
    (void)mustPost(Pods, pod("p"));
    std::string binding = R"({"apiVersion":"v1","kind":"Binding","metadata":{"name":"p",)"
                          R"("namespace":"default"},"target":{"apiVersion":"v1","kind":"Node",)"
                          R"("name":"node-1"}})";
    HandlerResult r = send("POST", std::string(Pods) + "/p/binding", binding);
    ASSERT_EQ(r.response.status, 201) << r.response.body;
    EXPECT_EQ(str(bodyOf(r), "status"), "Success");
    json::object live = bodyOf(get(std::string(Pods) + "/p"));
    EXPECT_EQ(str(live, "spec.nodeName"), "node-1");
    const json::value* conditions = at(live, "status.conditions");
    ASSERT_TRUE(conditions && conditions->is_array());
    bool scheduled = false;
    for (const json::value& c : conditions->as_array()) {
        scheduled = scheduled || (str(c.as_object(), "type") == "PodScheduled" &&
                                  str(c.as_object(), "status") == "True");
    }
    EXPECT_TRUE(scheduled);

    HandlerResult again = send("POST", std::string(Pods) + "/p/binding", binding);
    expectStatus(again, 409, "Conflict");
    EXPECT_EQ(str(bodyOf(again), "message"),
              "Operation cannot be fulfilled on pods \"p\": pod p is already assigned to node "
              "\"node-1\"");

    expectStatus(send("POST", std::string(Pods) + "/p/binding", R"({"target":{}})"), 422,
                 "Invalid");
}

TEST_F(ApiHandlerTest, evictionDeletesThePodGracefully) {
    (void)mustPost(Pods, pod("unbound"));
    (void)mustPost(Pods, pod("bound", "node-1"));
    auto eviction = [](const std::string& name) {
        return R"({"kind":"Eviction","apiVersion":"policy/v1","metadata":{"name":")" + name +
               R"(","namespace":"default"},"deleteOptions":{}})";
    };
    HandlerResult a = send("POST", std::string(Pods) + "/unbound/eviction", eviction("unbound"));
    EXPECT_EQ(a.response.status, 201) << a.response.body;
    expectStatus(get(std::string(Pods) + "/unbound"), 404, "NotFound");

    HandlerResult b = send("POST", std::string(Pods) + "/bound/eviction", eviction("bound"));
    EXPECT_EQ(b.response.status, 201) << b.response.body;
    EXPECT_NE(str(bodyOf(get(std::string(Pods) + "/bound")), "metadata.deletionTimestamp"), "");

    expectStatus(send("POST", std::string(Pods) + "/missing/eviction", eviction("missing")), 404,
                 "NotFound");
}

TEST_F(ApiHandlerTest, nodeAgentSubresourcesExplainWhyTheyFail) {
    (void)mustPost(Pods, pod("p", "node-1"));
    HandlerResult log = get(std::string(Pods) + "/p/log", {{"container", "main"}});
    expectStatus(log, 400, "BadRequest");
    EXPECT_NE(str(bodyOf(log), "message").find("node agent"), std::string::npos);
}

// --- namespaces ---

TEST_F(ApiHandlerTest, terminatingNamespaceRefusesCreatesAndFinalizeRemovesIt) {
    (void)mustPost("/api/v1/namespaces", obj(R"({"metadata":{"name":"doomed"}})"));
    HandlerResult deleted = send("DELETE", "/api/v1/namespaces/doomed");
    ASSERT_EQ(deleted.response.status, 200) << deleted.response.body;
    json::object ns = bodyOf(deleted);
    EXPECT_EQ(str(ns, "kind"), "Namespace");
    EXPECT_EQ(str(ns, "status.phase"), "Terminating");

    HandlerResult refused = post("/api/v1/namespaces/doomed/configmaps", configMap("c"));
    expectStatus(refused, 403, "Forbidden");
    EXPECT_EQ(str(bodyOf(refused), "message"),
              "unable to create new content in namespace doomed because it is being terminated");

    HandlerResult finalized = send("PUT", "/api/v1/namespaces/doomed/finalize",
                                   R"({"apiVersion":"v1","kind":"Namespace",)"
                                   R"("metadata":{"name":"doomed"},"spec":{"finalizers":[]}})");
    EXPECT_EQ(finalized.response.status, 200) << finalized.response.body;
    expectStatus(get("/api/v1/namespaces/doomed"), 404, "NotFound");
}

TEST_F(ApiHandlerTest, finalizeOnAnActiveNamespaceKeepsIt) {
    (void)mustPost("/api/v1/namespaces", obj(R"({"metadata":{"name":"live"}})"));
    HandlerResult r =
        send("PUT", "/api/v1/namespaces/live/finalize", R"({"spec":{"finalizers":[]}})");
    EXPECT_EQ(r.response.status, 200) << r.response.body;
    EXPECT_EQ(str(bodyOf(get("/api/v1/namespaces/live")), "status.phase"), "Active");
}

} // namespace

namespace {

TEST_F(ApiHandlerTest, statusWritesKeepSpecAndTheTypesListedMetadata) {
    (void)mustPost(Deployments, deployment("web"));
    // A status write may change annotations (the Deployment controller's revision), not spec
    // and not labels (statusWriteKeeps).
    HandlerResult r = patch(std::string(Deployments) + "/web/status",
                            R"({"metadata":{"labels":{"x":"y"},"annotations":{"rev":"2"}},)"
                            R"("spec":{"replicas":9},"status":{"replicas":1}})",
                            "application/merge-patch+json");
    ASSERT_EQ(r.response.status, 200) << r.response.body;
    json::object d = bodyOf(get(std::string(Deployments) + "/web"));
    EXPECT_EQ(str(d, "metadata.annotations.rev"), "2");
    EXPECT_EQ(str(d, "metadata.labels.x"), "");
    EXPECT_EQ(d.at("spec").at("replicas").as_int64(), 1);
    EXPECT_EQ(d.at("status").at("replicas").as_int64(), 1);
}

TEST_F(ApiHandlerTest, nodesKeepTheStatusSentOnCreate) {
    HandlerResult r =
        post("/api/v1/nodes", obj(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"},)"
                                  R"("status":{"capacity":{"cpu":"2"}}})"));
    ASSERT_EQ(r.response.status, 201) << r.response.body;
    EXPECT_EQ(str(bodyOf(get("/api/v1/nodes/n1")), "status.capacity.cpu"), "2");
    HandlerResult p = post(ConfigMaps, configMap("c"));
    ASSERT_EQ(p.response.status, 201);
    HandlerResult d = post(Deployments, [] {
        json::object o = deployment("with-status");
        o["status"] = json::object{{"replicas", 5}};
        return o;
    }());
    ASSERT_EQ(d.response.status, 201);
    EXPECT_FALSE(bodyOf(d).contains("status") &&
                 bodyOf(d).at("status").as_object().contains("replicas"));
}

} // namespace
