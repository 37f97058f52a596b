#include "engine/apiserver/resourceservice.h"

#include "apitestutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

using namespace pilot;
using namespace pilot::apiserver;
using namespace pilot::apiserver::test;

namespace {

constexpr const char* StaleMessageSuffix =
    "the object has been modified; please apply your changes to the latest version and try again";

class ResourceServiceTest : public ::testing::Test {
protected:
    void SetUp() override { env.createNamespace("default"); }

    ResourceService& svc() { return *env.service; }
    int64_t revision() { return env.store->currentRevision(); }

    json::object mustCreate(const kube::ResourceTypePtr& type, json::object object,
                            const std::string& ns = "default") {
        auto created = svc().create(*type, type->namespaced ? ns : "", std::move(object), {});
        EXPECT_TRUE(created) << created.error().message;
        return created ? *created : json::object();
    }
    json::object current(const kube::ResourceTypePtr& type, const std::string& name,
                         const std::string& ns = "default") {
        auto got = svc().get(*type, type->namespaced ? ns : "", name);
        EXPECT_TRUE(got) << got.error().message;
        return got ? parseObject(**got) : json::object();
    }
    bool exists(const kube::ResourceTypePtr& type, const std::string& name,
                const std::string& ns = "default") {
        return svc().get(*type, type->namespaced ? ns : "", name).has_value();
    }
    static int64_t integer(const json::object& o, std::string_view path) {
        const json::value* v = at(o, path);
        return v && v->is_int64() ? v->get_int64() : -1;
    }

    ApiEnv env;
    kube::ResourceTypePtr configmaps = env.type("", "configmaps");
    kube::ResourceTypePtr deployments = env.type("apps", "deployments");
    kube::ResourceTypePtr replicasets = env.type("apps", "replicasets");
    kube::ResourceTypePtr pods = env.type("", "pods");
    kube::ResourceTypePtr namespaces = env.type("", "namespaces");
};

// --- create ---

TEST_F(ResourceServiceTest, createFillsServerOwnedMetadata) {
    json::object created = mustCreate(configmaps, configMap("c"));
    EXPECT_EQ(str(created, "apiVersion"), "v1");
    EXPECT_EQ(str(created, "kind"), "ConfigMap");
    EXPECT_EQ(str(created, "metadata.name"), "c");
    EXPECT_EQ(str(created, "metadata.namespace"), "default");
    EXPECT_TRUE(std::regex_match(
        str(created, "metadata.uid"),
        std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
        << str(created, "metadata.uid");
    EXPECT_EQ(str(created, "metadata.creationTimestamp"), "2030-01-02T03:04:05Z");
    EXPECT_EQ(str(created, "metadata.resourceVersion"), std::to_string(revision()));
    EXPECT_FALSE(at(created, "metadata.generation")) << "ConfigMaps do not track generation";

    // What a GET returns is what the create returned.
    EXPECT_EQ(current(configmaps, "c"), created);

    json::object second = mustCreate(configmaps, configMap("d"));
    EXPECT_NE(str(second, "metadata.uid"), str(created, "metadata.uid"));
    EXPECT_GT(std::stoll(str(second, "metadata.resourceVersion")),
              std::stoll(str(created, "metadata.resourceVersion")));
}

TEST_F(ResourceServiceTest, createStartsGenerationAtOneForKindsThatTrackIt) {
    json::object created = mustCreate(deployments, deployment("web"));
    EXPECT_EQ(integer(created, "metadata.generation"), 1);
}

TEST_F(ResourceServiceTest, createIgnoresClientSuppliedServerFields) {
    json::object cm = configMap("c");
    json::object& meta = cm["metadata"].as_object();
    meta["uid"] = "client-uid";
    meta["creationTimestamp"] = "1999-01-01T00:00:00Z";
    meta["deletionTimestamp"] = "1999-01-01T00:00:00Z";
    meta["generation"] = 42;
    json::object created = mustCreate(configmaps, cm);
    EXPECT_NE(str(created, "metadata.uid"), "client-uid");
    EXPECT_EQ(str(created, "metadata.creationTimestamp"), "2030-01-02T03:04:05Z");
    EXPECT_FALSE(at(created, "metadata.deletionTimestamp"));
    EXPECT_FALSE(at(created, "metadata.generation"));
}

TEST_F(ResourceServiceTest, createWithoutApiVersionAndKindTakesThemFromTheEndpoint) {
    // The Python client omits apiVersion/kind when the model leaves them unset.
    auto created = svc().create(
        *configmaps, "default",
        obj(R"({"metadata":{"name":"bare","labels":{"a":"b"}},"data":{"k":"v"}})"), {});
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_EQ(str(*created, "apiVersion"), "v1");
    EXPECT_EQ(str(*created, "kind"), "ConfigMap");
    EXPECT_EQ(str(*created, "metadata.namespace"), "default");
    EXPECT_NE(str(*created, "metadata.uid"), "");
    EXPECT_EQ(str(*created, "metadata.creationTimestamp"), "2030-01-02T03:04:05Z");
    EXPECT_EQ(current(configmaps, "bare"), *created);
}

TEST_F(ResourceServiceTest, generateNameAppendsFiveRandomCharacters) {
    std::set<std::string> names;
    for (int i = 0; i < 5; ++i) {
        json::object created =
            mustCreate(configmaps, obj(R"({"metadata":{"generateName":"web-"},"data":{}})"));
        std::string name = str(created, "metadata.name");
        EXPECT_TRUE(std::regex_match(name, std::regex("web-[bcdfghjklmnpqrstvwxz2456789]{5}")))
            << name;
        EXPECT_EQ(str(created, "metadata.generateName"), "web-");
        EXPECT_TRUE(exists(configmaps, name));
        names.insert(name);
    }
    EXPECT_EQ(names.size(), 5U);
}

TEST_F(ResourceServiceTest, generateNameWorksForPodsWithoutStatus) {
    // Controllers create pods this way (no status member at all).
    auto created =
        svc().create(*pods, "default",
                     obj(R"({"apiVersion":"v1","kind":"Pod","metadata":{"generateName":"job-"},)"
                         R"("spec":{"containers":[{"name":"main","image":"busybox"}]}})"),
                     {});
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_TRUE(std::regex_match(str(*created, "metadata.name"),
                                 std::regex("job-[bcdfghjklmnpqrstvwxz2456789]{5}")))
        << str(*created, "metadata.name");
    EXPECT_EQ(str(*created, "status.phase"), "Pending");
}

TEST_F(ResourceServiceTest, createDropsStatusOfKindsWithAStatusSubresource) {
    json::object d = deployment("web");
    d["status"] = obj(R"({"replicas":5,"readyReplicas":5})");
    json::object created = mustCreate(deployments, d);
    EXPECT_FALSE(at(created, "status.replicas"));
    EXPECT_FALSE(at(current(deployments, "web"), "status.replicas"));
}

TEST_F(ResourceServiceTest, podsAlwaysStartPending) {
    json::object running = pod("a");
    running["status"] = obj(R"({"phase":"Running","podIP":"10.0.0.1"})");
    json::object created = mustCreate(pods, running);
    EXPECT_EQ(str(created, "status.phase"), "Pending");
    EXPECT_FALSE(at(created, "status.podIP")) << "client-supplied status is dropped";

    json::object empty = pod("b"); // kubectl run sends "status":{}
    empty["status"] = json::object();
    EXPECT_EQ(str(mustCreate(pods, empty), "status.phase"), "Pending");
}

TEST_F(ResourceServiceTest, createAppliesApiDefaults) {
    json::object created = mustCreate(pods, pod("p"));
    EXPECT_EQ(str(created, "spec.restartPolicy"), "Always");
    EXPECT_EQ(str(created, "spec.dnsPolicy"), "ClusterFirst");
    EXPECT_EQ(integer(created, "spec.terminationGracePeriodSeconds"), 30);
}

TEST_F(ResourceServiceTest, duplicateCreateIsAlreadyExists) {
    (void)mustCreate(configmaps, configMap("c"));
    auto again = svc().create(*configmaps, "default", configMap("c"), {});
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, 409);
    EXPECT_EQ(again.error().reason, "AlreadyExists");
    EXPECT_EQ(again.error().message, "configmaps \"c\" already exists");
    EXPECT_EQ(again.error().name, "c");
    EXPECT_EQ(again.error().kind, "configmaps");

    (void)mustCreate(deployments, deployment("web"));
    auto dup = svc().create(*deployments, "default", deployment("web"), {});
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().message, "deployments.apps \"web\" already exists");
    EXPECT_EQ(dup.error().group, "apps");
}

TEST_F(ResourceServiceTest, createRefusesMismatchedEnvelope) {
    json::object wrongNs = configMap("c");
    wrongNs["metadata"].as_object()["namespace"] = "other";
    auto a = svc().create(*configmaps, "default", wrongNs, {});
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().code, 400);
    EXPECT_EQ(a.error().message, "the namespace of the provided object does not match the "
                                 "namespace sent on the request");

    json::object wrongVersion = deployment("web");
    wrongVersion["apiVersion"] = "apps/v1beta1";
    auto b = svc().create(*deployments, "default", wrongVersion, {});
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().code, 400);
    EXPECT_EQ(b.error().message, "the API version in the data (apps/v1beta1) does not match "
                                 "the expected API version (apps/v1)");

    json::object withRv = configMap("c");
    withRv["metadata"].as_object()["resourceVersion"] = "12";
    auto c = svc().create(*configmaps, "default", withRv, {});
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, 500);
    EXPECT_NE(c.error().message.find("resourceVersion should not be set on objects to be created"),
              std::string::npos);
    EXPECT_FALSE(exists(configmaps, "c"));
}

TEST_F(ResourceServiceTest, createInAMissingNamespaceIsNotFound) {
    auto created = svc().create(*configmaps, "ghost", configMap("c"), {});
    ASSERT_FALSE(created);
    EXPECT_EQ(created.error().code, 404);
    EXPECT_EQ(created.error().message, "namespaces \"ghost\" not found");
}

TEST_F(ResourceServiceTest, invalidObjectIs422WithCauses) {
    json::object d = deployment("web");
    d["spec"].as_object()["replicas"] = -1;
    auto created = svc().create(*deployments, "default", d, {});
    ASSERT_FALSE(created);
    EXPECT_EQ(created.error().code, 422);
    EXPECT_EQ(created.error().reason, "Invalid");
    EXPECT_EQ(created.error().kind, "Deployment") << "details.kind is the Kind for Invalid";
    EXPECT_EQ(created.error().group, "apps");
    EXPECT_TRUE(created.error().message.starts_with("Deployment.apps \"web\" is invalid: "))
        << created.error().message;
    ASSERT_FALSE(created.error().causes.empty());
    EXPECT_EQ(created.error().causes[0].field, "spec.replicas");
    EXPECT_FALSE(exists(deployments, "web"));
}

// --- get / update ---

TEST_F(ResourceServiceTest, missingObjectsAreNotFoundWithUpstreamMessages) {
    auto got = svc().get(*configmaps, "default", "nope");
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, 404);
    EXPECT_EQ(got.error().reason, "NotFound");
    EXPECT_EQ(got.error().message, "configmaps \"nope\" not found");
    EXPECT_EQ(got.error().kind, "configmaps") << "details.kind is the resource for NotFound";

    auto updated = svc().update(*deployments, "default", "nope", deployment("nope"), {});
    ASSERT_FALSE(updated);
    EXPECT_EQ(updated.error().message, "deployments.apps \"nope\" not found");

    auto removed = svc().remove(*configmaps, "default", "nope", {});
    ASSERT_FALSE(removed);
    EXPECT_EQ(removed.error().code, 404);
}

TEST_F(ResourceServiceTest, staleResourceVersionConflicts) {
    json::object v1 = mustCreate(deployments, deployment("web"));
    json::object edit = v1;
    edit["spec"].as_object()["replicas"] = 2;
    auto v2 = svc().update(*deployments, "default", "web", edit, {});
    ASSERT_TRUE(v2) << v2.error().message;

    json::object stale = v1; // still carries the first resourceVersion
    stale["spec"].as_object()["replicas"] = 3;
    auto refused = svc().update(*deployments, "default", "web", stale, {});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, 409);
    EXPECT_EQ(refused.error().reason, "Conflict");
    EXPECT_EQ(refused.error().message,
              std::string("Operation cannot be fulfilled on deployments.apps \"web\": ") +
                  StaleMessageSuffix);
    EXPECT_EQ(refused.error().name, "web");
    EXPECT_EQ(refused.error().group, "apps");
    EXPECT_EQ(refused.error().kind, "deployments");
    EXPECT_EQ(integer(current(deployments, "web"), "spec.replicas"), 2);
}

TEST_F(ResourceServiceTest, updateWithoutResourceVersionIsUnconditional) {
    (void)mustCreate(configmaps, configMap("c", "one"));
    (void)svc().update(*configmaps, "default", "c", configMap("c", "two"), {});
    auto third = svc().update(*configmaps, "default", "c", configMap("c", "three"), {});
    ASSERT_TRUE(third) << third.error().message;
    EXPECT_EQ(str(current(configmaps, "c"), "data.k"), "three");
}

TEST_F(ResourceServiceTest, updateKeepsServerOwnedMetadata) {
    json::object created = mustCreate(configmaps, configMap("c"));
    env.clock.advance(std::chrono::hours(1));
    json::object edit = configMap("c", "new");
    json::object& meta = edit["metadata"].as_object();
    meta["uid"] = "forged";
    meta["creationTimestamp"] = "2030-01-02T03:04:05+00:00"; // Python re-sends with an offset
    meta["namespace"] = "default";
    auto updated = svc().update(*configmaps, "default", "c", edit, {});
    ASSERT_TRUE(updated) << updated.error().message;
    EXPECT_EQ(str(*updated, "metadata.uid"), str(created, "metadata.uid"));
    EXPECT_EQ(str(*updated, "metadata.creationTimestamp"), "2030-01-02T03:04:05Z");
    EXPECT_EQ(str(*updated, "data.k"), "new");
}

TEST_F(ResourceServiceTest, updateRefusesANameThatDiffersFromTheUrl) {
    (void)mustCreate(configmaps, configMap("c"));
    auto updated = svc().update(*configmaps, "default", "c", configMap("d"), {});
    ASSERT_FALSE(updated);
    EXPECT_EQ(updated.error().code, 400);
    EXPECT_EQ(updated.error().message,
              "the name of the object (d) does not match the name on the URL (c)");
}

TEST_F(ResourceServiceTest, unchangedUpdateWritesNothing) {
    json::object created = mustCreate(deployments, deployment("web"));
    int64_t before = revision();
    auto same = svc().update(*deployments, "default", "web", created, {});
    ASSERT_TRUE(same) << same.error().message;
    EXPECT_EQ(revision(), before);
    EXPECT_EQ(str(*same, "metadata.resourceVersion"), str(created, "metadata.resourceVersion"));
    EXPECT_EQ(integer(*same, "metadata.generation"), 1);
}

TEST_F(ResourceServiceTest, mainUpdateKeepsStatusAndStatusUpdateKeepsTheRest) {
    json::object created = mustCreate(deployments, deployment("web"));

    json::object statusWrite = created;
    statusWrite["status"] = obj(R"({"replicas":1,"observedGeneration":1})");
    statusWrite["spec"].as_object()["replicas"] = 9;                     // ignored on /status
    statusWrite["metadata"].as_object()["labels"] = obj(R"({"x":"y"})"); // ignored too
    WriteOptions toStatus;
    toStatus.part = Part::Status;
    auto afterStatus = svc().update(*deployments, "default", "web", statusWrite, toStatus);
    ASSERT_TRUE(afterStatus) << afterStatus.error().message;
    EXPECT_EQ(integer(*afterStatus, "status.replicas"), 1);
    EXPECT_EQ(integer(*afterStatus, "spec.replicas"), 1);
    EXPECT_FALSE(at(*afterStatus, "metadata.labels.x"));
    EXPECT_EQ(integer(*afterStatus, "metadata.generation"), 1) << "status writes never bump it";

    json::object mainWrite = *afterStatus;
    mainWrite["status"] = obj(R"({"replicas":99})");
    mainWrite["metadata"].as_object()["labels"] = obj(R"({"x":"y"})");
    auto afterMain = svc().update(*deployments, "default", "web", mainWrite, {});
    ASSERT_TRUE(afterMain) << afterMain.error().message;
    EXPECT_EQ(integer(*afterMain, "status.replicas"), 1);
    EXPECT_EQ(integer(*afterMain, "status.observedGeneration"), 1);
    EXPECT_EQ(str(*afterMain, "metadata.labels.x"), "y");
    EXPECT_EQ(integer(current(deployments, "web"), "status.replicas"), 1);
}

TEST_F(ResourceServiceTest, generationBumpsOnSpecChangesOnly) {
    json::object d = mustCreate(deployments, deployment("web"));

    d["metadata"].as_object()["labels"] = obj(R"({"tier":"web"})");
    auto labelled = svc().update(*deployments, "default", "web", d, {});
    ASSERT_TRUE(labelled) << labelled.error().message;
    EXPECT_EQ(integer(*labelled, "metadata.generation"), 1) << "labels are not spec";

    json::object scaled = *labelled;
    scaled["spec"].as_object()["replicas"] = 3;
    auto afterScale = svc().update(*deployments, "default", "web", scaled, {});
    ASSERT_TRUE(afterScale) << afterScale.error().message;
    EXPECT_EQ(integer(*afterScale, "metadata.generation"), 2);

    // Deployments also bump on annotation changes (they are copied to ReplicaSets).
    json::object annotated = *afterScale;
    annotated["metadata"].as_object()["annotations"] =
        obj(R"({"kubernetes.io/change-cause":"scale"})");
    auto afterAnnotate = svc().update(*deployments, "default", "web", annotated, {});
    ASSERT_TRUE(afterAnnotate) << afterAnnotate.error().message;
    EXPECT_EQ(integer(*afterAnnotate, "metadata.generation"), 3);
}

TEST_F(ResourceServiceTest, annotationsDoNotBumpGenerationOfOtherKinds) {
    ASSERT_TRUE(replicasets->tracksGeneration);
    json::object rs = deployment("rs");
    rs["kind"] = "ReplicaSet";
    json::object created = mustCreate(replicasets, rs);
    ASSERT_EQ(integer(created, "metadata.generation"), 1);
    created["metadata"].as_object()["annotations"] = obj(R"({"a":"b"})");
    auto updated = svc().update(*replicasets, "default", "rs", created, {});
    ASSERT_TRUE(updated) << updated.error().message;
    EXPECT_EQ(integer(*updated, "metadata.generation"), 1);
}

TEST_F(ResourceServiceTest, clientCannotRewriteGeneration) {
    json::object d = mustCreate(deployments, deployment("web"));
    d["metadata"].as_object()["generation"] = 40;
    auto updated = svc().update(*deployments, "default", "web", d, {});
    ASSERT_TRUE(updated) << updated.error().message;
    EXPECT_EQ(integer(*updated, "metadata.generation"), 1);
}

TEST_F(ResourceServiceTest, guaranteedUpdateCreatesWhenAsked) {
    bool created = false;
    auto result = svc().guaranteedUpdate(
        *configmaps, "default", "upsert",
        [](const json::object& current) -> ApiResult<json::object> {
            json::object next = current.empty() ? configMap("ignored") : current;
            next["data"] = obj(R"({"k":"upserted"})");
            return next;
        },
        {}, true, &created);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_TRUE(created);
    EXPECT_EQ(str(*result, "metadata.name"), "upsert") << "the URL name wins";
    EXPECT_EQ(str(current(configmaps, "upsert"), "data.k"), "upserted");
}

TEST_F(ResourceServiceTest, mutatorErrorsAbortTheUpdate) {
    (void)mustCreate(configmaps, configMap("c"));
    int64_t before = revision();
    auto result = svc().guaranteedUpdate(*configmaps, "default", "c",
                                         [](const json::object&) -> ApiResult<json::object> {
                                             return apiFail(badRequest("refused by the mutator"));
                                         },
                                         {});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().message, "refused by the mutator");
    EXPECT_EQ(revision(), before);
}

// --- dry run ---

TEST_F(ResourceServiceTest, dryRunWritesNothing) {
    WriteOptions dry;
    dry.dryRun = true;
    int64_t before = revision();
    auto created = svc().create(*configmaps, "default", configMap("c"), dry);
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_EQ(str(*created, "metadata.name"), "c");
    EXPECT_NE(str(*created, "metadata.uid"), "");
    EXPECT_FALSE(exists(configmaps, "c"));
    EXPECT_EQ(revision(), before);

    json::object real = mustCreate(configmaps, configMap("c", "old"));
    before = revision();
    auto existing = svc().create(*configmaps, "default", configMap("c"), dry);
    ASSERT_FALSE(existing);
    EXPECT_EQ(existing.error().reason, "AlreadyExists");

    auto updated = svc().update(*configmaps, "default", "c", configMap("c", "new"), dry);
    ASSERT_TRUE(updated) << updated.error().message;
    EXPECT_EQ(str(*updated, "data.k"), "new");
    EXPECT_EQ(str(current(configmaps, "c"), "data.k"), "old");

    DeleteOptions dryDelete;
    dryDelete.dryRun = true;
    auto removed = svc().remove(*configmaps, "default", "c", dryDelete);
    ASSERT_TRUE(removed) << removed.error().message;
    EXPECT_TRUE(exists(configmaps, "c"));
    EXPECT_EQ(revision(), before);
}

TEST_F(ResourceServiceTest, dryRunDeleteOfAFinalizedObjectLeavesItAlone) {
    json::object cm = configMap("c");
    cm["metadata"].as_object()["finalizers"] = json::array{"example.com/hold"};
    (void)mustCreate(configmaps, cm);
    DeleteOptions dryDelete;
    dryDelete.dryRun = true;
    auto outcome = svc().remove(*configmaps, "default", "c", dryDelete);
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_FALSE(at(current(configmaps, "c"), "metadata.deletionTimestamp"));
}

// --- delete, finalizers, preconditions ---

TEST_F(ResourceServiceTest, deleteRemovesAndReturnsTheLastState) {
    json::object created = mustCreate(configmaps, configMap("c"));
    auto outcome = svc().remove(*configmaps, "default", "c", {});
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_TRUE(outcome->removed);
    EXPECT_EQ(str(outcome->object, "metadata.uid"), str(created, "metadata.uid"));
    EXPECT_EQ(str(outcome->object, "metadata.resourceVersion"), std::to_string(revision()))
        << "the deletion's resourceVersion";
    EXPECT_FALSE(exists(configmaps, "c"));
}

TEST_F(ResourceServiceTest, finalizersDeferDeletionUntilTheLastOneIsRemoved) {
    json::object cm = configMap("c");
    cm["metadata"].as_object()["finalizers"] = json::array{"example.com/a", "example.com/b"};
    (void)mustCreate(configmaps, cm);

    auto outcome = svc().remove(*configmaps, "default", "c", {});
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_FALSE(outcome->removed);
    EXPECT_EQ(str(outcome->object, "metadata.deletionTimestamp"), "2030-01-02T03:04:05Z");
    EXPECT_EQ(integer(outcome->object, "metadata.deletionGracePeriodSeconds"), 0);
    json::object terminating = current(configmaps, "c");
    EXPECT_EQ(str(terminating, "metadata.deletionTimestamp"), "2030-01-02T03:04:05Z");

    // Deleting again changes nothing (same timestamp, no write).
    env.clock.advance(std::chrono::minutes(5));
    int64_t before = revision();
    auto again = svc().remove(*configmaps, "default", "c", {});
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_FALSE(again->removed);
    EXPECT_EQ(revision(), before);
    EXPECT_EQ(str(current(configmaps, "c"), "metadata.deletionTimestamp"), "2030-01-02T03:04:05Z");

    // A client cannot clear deletionTimestamp.
    json::object edit = terminating;
    edit["metadata"].as_object().erase("deletionTimestamp");
    edit["metadata"].as_object()["finalizers"] = json::array{"example.com/b"};
    auto oneLeft = svc().update(*configmaps, "default", "c", edit, {});
    ASSERT_TRUE(oneLeft) << oneLeft.error().message;
    EXPECT_EQ(str(*oneLeft, "metadata.deletionTimestamp"), "2030-01-02T03:04:05Z");
    EXPECT_TRUE(exists(configmaps, "c"));

    json::object last = *oneLeft;
    last["metadata"].as_object()["finalizers"] = json::array();
    auto gone = svc().update(*configmaps, "default", "c", last, {});
    ASSERT_TRUE(gone) << gone.error().message;
    EXPECT_FALSE(exists(configmaps, "c"));
}

TEST_F(ResourceServiceTest, noNewFinalizersOnceDeletionStarted) {
    json::object cm = configMap("c");
    cm["metadata"].as_object()["finalizers"] = json::array{"example.com/a"};
    (void)mustCreate(configmaps, cm);
    ASSERT_TRUE(svc().remove(*configmaps, "default", "c", {}));

    json::object edit = current(configmaps, "c");
    edit["metadata"].as_object()["finalizers"] = json::array{"example.com/a", "example.com/new"};
    auto refused = svc().update(*configmaps, "default", "c", edit, {});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, 422);
    EXPECT_EQ(refused.error().message,
              "ConfigMap \"c\" is invalid: metadata.finalizers: Forbidden: no new finalizers can "
              "be added if the object is being deleted, found new finalizers "
              "[]string{\"example.com/new\"}");
}

TEST_F(ResourceServiceTest, deletePreconditions) {
    json::object created = mustCreate(configmaps, configMap("c"));
    std::string uid = str(created, "metadata.uid");
    std::string rv = str(created, "metadata.resourceVersion");

    DeleteOptions wrongUid;
    wrongUid.preconditionUid = "00000000-0000-4000-8000-000000000000";
    auto a = svc().remove(*configmaps, "default", "c", wrongUid);
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().code, 409);
    EXPECT_EQ(a.error().reason, "Conflict");
    EXPECT_EQ(a.error().message,
              "Operation cannot be fulfilled on configmaps \"c\": the UID in the precondition "
              "(00000000-0000-4000-8000-000000000000) does not match the UID in record (" +
                  uid + "). The object might have been deleted and then recreated");

    DeleteOptions wrongRv;
    wrongRv.preconditionResourceVersion = "1";
    auto b = svc().remove(*configmaps, "default", "c", wrongRv);
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error().code, 409);
    EXPECT_EQ(b.error().message,
              "Operation cannot be fulfilled on configmaps \"c\": the ResourceVersion in the "
              "precondition (1) does not match the ResourceVersion in record (" +
                  rv + "). The object might have been modified");
    EXPECT_TRUE(exists(configmaps, "c"));

    DeleteOptions matching;
    matching.preconditionUid = uid;
    matching.preconditionResourceVersion = rv;
    auto c = svc().remove(*configmaps, "default", "c", matching);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_TRUE(c->removed);
    EXPECT_FALSE(exists(configmaps, "c"));
}

TEST_F(ResourceServiceTest, propagationPoliciesAddTheirFinalizers) {
    (void)mustCreate(deployments, deployment("fg"));
    DeleteOptions foreground;
    foreground.propagationPolicy = "Foreground";
    auto a = svc().remove(*deployments, "default", "fg", foreground);
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_FALSE(a->removed) << "the owner stays visible until its dependents are gone";
    json::object fg = current(deployments, "fg");
    EXPECT_TRUE(kube::hasFinalizer(fg, "foregroundDeletion"));
    EXPECT_TRUE(kube::hasDeletionTimestamp(fg));

    (void)mustCreate(deployments, deployment("orphan"));
    DeleteOptions orphan;
    orphan.propagationPolicy = "Orphan";
    auto b = svc().remove(*deployments, "default", "orphan", orphan);
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_FALSE(b->removed);
    EXPECT_TRUE(kube::hasFinalizer(current(deployments, "orphan"), "orphan"));

    (void)mustCreate(deployments, deployment("bg"));
    DeleteOptions background;
    background.propagationPolicy = "Background";
    auto c = svc().remove(*deployments, "default", "bg", background);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_TRUE(c->removed);
}

// --- graceful pod deletion ---

TEST_F(ResourceServiceTest, boundPodsAreDeletedGracefully) {
    json::object created = mustCreate(pods, pod("p", "node-1"));
    env.clock.advance(std::chrono::seconds(10));

    auto first = svc().remove(*pods, "default", "p", {});
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_FALSE(first->removed);
    // terminationGracePeriodSeconds defaults to 30.
    EXPECT_EQ(str(first->object, "metadata.deletionTimestamp"), "2030-01-02T03:04:45Z");
    EXPECT_EQ(integer(first->object, "metadata.deletionGracePeriodSeconds"), 30);
    EXPECT_TRUE(exists(pods, "p")) << "listed as Terminating until the node agent confirms";

    // The agent's final delete: grace 0 with a uid precondition.
    DeleteOptions finalDelete;
    finalDelete.gracePeriodSeconds = 0;
    finalDelete.preconditionUid = str(created, "metadata.uid");
    auto second = svc().remove(*pods, "default", "p", finalDelete);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_TRUE(second->removed);
    EXPECT_FALSE(exists(pods, "p"));
}

TEST_F(ResourceServiceTest, podGracePeriodComesFromTheSpecAndCanOnlyShrink) {
    json::object p = pod("p", "node-1");
    p["spec"].as_object()["terminationGracePeriodSeconds"] = 10;
    (void)mustCreate(pods, p);

    auto first = svc().remove(*pods, "default", "p", {});
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(integer(first->object, "metadata.deletionGracePeriodSeconds"), 10);
    EXPECT_EQ(str(first->object, "metadata.deletionTimestamp"), "2030-01-02T03:04:15Z");

    DeleteOptions longer;
    longer.gracePeriodSeconds = 60;
    auto second = svc().remove(*pods, "default", "p", longer);
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_FALSE(second->removed);
    EXPECT_EQ(integer(current(pods, "p"), "metadata.deletionGracePeriodSeconds"), 10);

    DeleteOptions shorter;
    shorter.gracePeriodSeconds = 3;
    auto third = svc().remove(*pods, "default", "p", shorter);
    ASSERT_TRUE(third) << third.error().message;
    EXPECT_FALSE(third->removed);
    json::object now = current(pods, "p");
    EXPECT_EQ(integer(now, "metadata.deletionGracePeriodSeconds"), 3);
    EXPECT_EQ(str(now, "metadata.deletionTimestamp"), "2030-01-02T03:04:08Z");
}

TEST_F(ResourceServiceTest, shorterGracePeriodCountsFromTheFirstDelete) {
    (void)mustCreate(pods, pod("p", "node-1")); // 30 s grace by default
    ASSERT_TRUE(svc().remove(*pods, "default", "p", {}));
    ASSERT_EQ(str(current(pods, "p"), "metadata.deletionTimestamp"), "2030-01-02T03:04:35Z");

    env.clock.advance(std::chrono::seconds(10));
    DeleteOptions shorter;
    shorter.gracePeriodSeconds = 15;
    ASSERT_TRUE(svc().remove(*pods, "default", "p", shorter));
    json::object now = current(pods, "p");
    EXPECT_EQ(integer(now, "metadata.deletionGracePeriodSeconds"), 15);
    // Upstream (k8s.io/apiserver rest.BeforeDelete): old deletionTimestamp - old grace + new
    // grace, i.e. 15 s after the first delete.
    std::string when = str(now, "metadata.deletionTimestamp");
    EXPECT_EQ(when, "2030-01-02T03:04:20Z");
}

TEST_F(ResourceServiceTest, boundPodWithFinalizerGoesOnceFinalizedAfterTheAgentsFinalDelete) {
    json::object p = pod("p", "node-1");
    p["metadata"].as_object()["finalizers"] = json::array{"example.com/hold"};
    json::object created = mustCreate(pods, p);
    ASSERT_TRUE(svc().remove(*pods, "default", "p", {}));

    // The node agent has stopped the containers: its final delete (grace 0, uid precondition).
    DeleteOptions finalDelete;
    finalDelete.gracePeriodSeconds = 0;
    finalDelete.preconditionUid = str(created, "metadata.uid");
    auto outcome = svc().remove(*pods, "default", "p", finalDelete);
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_FALSE(outcome->removed) << "the finalizer still holds it";

    // The finalizer's owner lets go: nothing else will delete the pod again.
    json::object edit = current(pods, "p");
    edit["metadata"].as_object()["finalizers"] = json::array();
    auto updated = svc().update(*pods, "default", "p", edit, {});
    ASSERT_TRUE(updated) << updated.error().message;
    EXPECT_FALSE(exists(pods, "p"));
}

TEST_F(ResourceServiceTest, unboundPodsAndGraceZeroGoAtOnce) {
    (void)mustCreate(pods, pod("unbound"));
    auto a = svc().remove(*pods, "default", "unbound", {});
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_TRUE(a->removed);
    EXPECT_EQ(str(a->object, "kind"), "Pod");
    EXPECT_FALSE(exists(pods, "unbound"));

    (void)mustCreate(pods, pod("forced", "node-1"));
    DeleteOptions force;
    force.gracePeriodSeconds = 0;
    auto b = svc().remove(*pods, "default", "forced", force);
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_TRUE(b->removed);
    EXPECT_FALSE(exists(pods, "forced"));
}

// --- namespaces ---

TEST_F(ResourceServiceTest, namespacesAreCreatedActiveWithTheKubernetesFinalizer) {
    json::object ns = mustCreate(namespaces, obj(R"({"metadata":{"name":"team"}})"));
    EXPECT_EQ(str(ns, "status.phase"), "Active");
    const json::value* labels = at(ns, "metadata.labels");
    ASSERT_TRUE(labels && labels->is_object());
    // The key contains dots, so it is read directly rather than by dotted path.
    const json::value* label = labels->as_object().if_contains("kubernetes.io/metadata.name");
    ASSERT_TRUE(label);
    EXPECT_EQ(label->as_string(), "team");
    const json::value* finalizers = at(ns, "spec.finalizers");
    ASSERT_TRUE(finalizers);
    EXPECT_EQ(finalizers->as_array(), json::array{"kubernetes"});
    EXPECT_FALSE(at(ns, "metadata.namespace"));
}

TEST_F(ResourceServiceTest, deletingANamespaceMarksItTerminatingAndRefusesNewContent) {
    (void)mustCreate(namespaces, obj(R"({"metadata":{"name":"doomed"}})"));
    (void)mustCreate(configmaps, configMap("kept"), "doomed");

    auto outcome = svc().remove(*namespaces, "", "doomed", {});
    ASSERT_TRUE(outcome) << outcome.error().message;
    EXPECT_FALSE(outcome->removed) << "the namespace controller empties it first";
    json::object ns = current(namespaces, "doomed");
    EXPECT_EQ(str(ns, "status.phase"), "Terminating");
    EXPECT_TRUE(kube::hasDeletionTimestamp(ns));

    auto refused = svc().create(*configmaps, "doomed", configMap("new"), {});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, 403);
    EXPECT_EQ(refused.error().reason, "Forbidden");
    EXPECT_EQ(refused.error().message,
              "unable to create new content in namespace doomed because it is being terminated");
    EXPECT_EQ(refused.error().name, "doomed");
    EXPECT_EQ(refused.error().kind, "namespaces");

    // Existing content can still be changed and deleted.
    auto updated = svc().update(*configmaps, "doomed", "kept", configMap("kept", "x"), {});
    EXPECT_TRUE(updated) << updated.error().message;
}

TEST_F(ResourceServiceTest, updatingATerminatingNamespaceKeepsItUntilFinalized) {
    (void)mustCreate(namespaces, obj(R"({"metadata":{"name":"doomed"}})"));
    (void)mustCreate(configmaps, configMap("content"), "doomed");
    ASSERT_TRUE(svc().remove(*namespaces, "", "doomed", {}));

    // `kubectl label ns doomed x=y` while the namespace is still being emptied.
    auto labelled =
        svc().guaranteedUpdate(*namespaces, "", "doomed",
                               [](const json::object& current) -> ApiResult<json::object> {
                                   json::object next = current;
                                   next["metadata"].as_object()["labels"].as_object()["x"] = "y";
                                   return next;
                               },
                               {});
    ASSERT_TRUE(labelled) << labelled.error().message;
    // spec.finalizers ("kubernetes") holds the namespace, not metadata.finalizers.
    ASSERT_TRUE(exists(namespaces, "doomed")) << "removed before it was emptied and finalized";
    EXPECT_EQ(str(current(namespaces, "doomed"), "metadata.labels.x"), "y");
    EXPECT_TRUE(exists(configmaps, "content", "doomed"));
    EXPECT_EQ(str(current(namespaces, "doomed"), "status.phase"), "Terminating");
}

TEST_F(ResourceServiceTest, deletingATerminatingNamespaceAgainChangesNothing) {
    (void)mustCreate(namespaces, obj(R"({"metadata":{"name":"doomed"}})"));
    ASSERT_TRUE(svc().remove(*namespaces, "", "doomed", {}));
    int64_t before = revision();
    env.clock.advance(std::chrono::minutes(1));
    auto again = svc().remove(*namespaces, "", "doomed", {});
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_FALSE(again->removed);
    EXPECT_EQ(revision(), before);
}

TEST_F(ResourceServiceTest, clusterScopedObjectsHaveNoNamespace) {
    json::object node = obj(R"({"apiVersion":"v1","kind":"Node",)"
                            R"("metadata":{"name":"node-1","namespace":"default"}})");
    auto created = svc().create(*env.type("", "nodes"), "", node, {});
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_FALSE(at(*created, "metadata.namespace"));
}

} // namespace
