// The typed ApiClient helpers through InProcessApiClient: the same handler, admission and
// Status errors as HTTP.

#include "engine/apiserver/inprocessclient.h"

#include "clienttestutil.h"
#include "engine/apiserver/apierror.h"
#include "kube/client/apiclient.h"
#include "kube/jsonutil.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <set>
#include <string>

using namespace pilot;
using namespace pilot::kube;
using namespace pilot::kube::test;
using apiserver::test::configMap;
using apiserver::test::deployment;

namespace {

class InProcessClientTest : public ::testing::Test {
protected:
    void SetUp() override {
        env.createNamespace("default");
        env.createNamespace("other");
    }

    json::object mustCreate(const ApiResource& resource, const json::object& object,
                            const std::string& ns = "default") {
        auto created = client.create(resource, ns, object);
        EXPECT_TRUE(created) << created.error().message;
        return created ? *created : json::object();
    }

    ApiEnv env;
    apiserver::InProcessApiClient client{*env.handler, "tester"};
};

TEST_F(InProcessClientTest, createGetUpdateAndRemoveAConfigMap) {
    json::object created = mustCreate(resources::ConfigMaps, configMap("settings", "one"));
    EXPECT_EQ(namespaceOf(created), "default");
    EXPECT_FALSE(uid(created).empty());

    auto got = client.get(resources::ConfigMaps, "default", "settings");
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(stringAt(objectAt(*got, "data"), "k"), "one");

    json::object changed = *got;
    changed["data"].as_object()["k"] = "two";
    auto updated = client.update(resources::ConfigMaps, changed);
    ASSERT_TRUE(updated) << updated.error().message;
    EXPECT_EQ(stringAt(objectAt(*updated, "data"), "k"), "two");
    EXPECT_NE(resourceVersion(*updated), resourceVersion(*got));

    auto removed = client.remove(resources::ConfigMaps, "default", "settings");
    ASSERT_TRUE(removed) << removed.error().message;
    auto gone = client.get(resources::ConfigMaps, "default", "settings");
    ASSERT_FALSE(gone);
    EXPECT_TRUE(isNotFound(gone.error()));
}

TEST_F(InProcessClientTest, writesAreRecordedUnderTheClientsFieldManager) {
    json::object created = mustCreate(resources::ConfigMaps, configMap("owned"));
    const json::array* managed = arrayAt(*metadataOf(created), "managedFields");
    ASSERT_TRUE(managed && !managed->empty());
    EXPECT_EQ(stringAt(managed->at(0).as_object(), "manager"), "tester");

    WriteOptions options;
    options.fieldManager = "someone-else";
    json::object changed = created;
    changed["data"].as_object()["extra"] = "x";
    auto updated = client.update(resources::ConfigMaps, changed, options);
    ASSERT_TRUE(updated) << updated.error().message;
    std::set<std::string> managers;
    for (const json::value& entry : *arrayAt(*metadataOf(*updated), "managedFields")) {
        managers.insert(stringAt(entry.as_object(), "manager"));
    }
    EXPECT_EQ(managers, (std::set<std::string>{"tester", "someone-else"}));
}

TEST_F(InProcessClientTest, errorsAreTypedFromTheStatusBody) {
    (void)mustCreate(resources::ConfigMaps, configMap("dup"));

    auto again = client.create(resources::ConfigMaps, "default", configMap("dup"));
    ASSERT_FALSE(again);
    EXPECT_TRUE(isAlreadyExists(again.error()));
    EXPECT_EQ(again.error().kind, ErrorCode::AlreadyExists);
    EXPECT_EQ(again.error().code, 409);

    auto missing = client.get(resources::ConfigMaps, "default", "absent");
    ASSERT_FALSE(missing);
    EXPECT_TRUE(isNotFound(missing.error()));
    EXPECT_EQ(missing.error().message, "configmaps \"absent\" not found");
    EXPECT_EQ(stringAt(objectAt(missing.error().status, "details"), "name"), "absent");

    auto invalid = client.create(resources::ConfigMaps, "default", configMap("Not_A_Name"));
    ASSERT_FALSE(invalid);
    EXPECT_TRUE(isInvalid(invalid.error()));
    EXPECT_EQ(invalid.error().kind, ErrorCode::InvalidArgument);
    EXPECT_NE(invalid.error().message.find("metadata.name"), std::string::npos)
        << invalid.error().message;
}

TEST_F(InProcessClientTest, anUpdateFromAStaleCopyIsAConflict) {
    json::object created = mustCreate(resources::ConfigMaps, configMap("race"));
    json::object first = created;
    first["data"].as_object()["k"] = "first";
    ASSERT_TRUE(client.update(resources::ConfigMaps, first));

    json::object stale = created;
    stale["data"].as_object()["k"] = "second";
    auto conflict = client.update(resources::ConfigMaps, stale);
    ASSERT_FALSE(conflict);
    EXPECT_TRUE(isConflict(conflict.error()));
    EXPECT_EQ(conflict.error().kind, ErrorCode::Conflict);
    auto now = client.get(resources::ConfigMaps, "default", "race");
    ASSERT_TRUE(now);
    EXPECT_EQ(stringAt(objectAt(*now, "data"), "k"), "first");
}

TEST_F(InProcessClientTest, everyPatchTypeChangesTheObject) {
    (void)mustCreate(resources::Deployments, deployment("web", 1, "nginx:1.25"));

    auto merged = client.patch(resources::Deployments, "default", "web", PatchType::Merge,
                               R"({"spec":{"replicas":3}})");
    ASSERT_TRUE(merged) << merged.error().message;
    EXPECT_EQ(integerAt(*objectAt(*merged, "spec"), "replicas"), 3);

    auto jsonPatched =
        client.patch(resources::Deployments, "default", "web", PatchType::Json,
                     R"([{"op":"add","path":"/metadata/labels","value":{"tier":"front"}}])");
    ASSERT_TRUE(jsonPatched) << jsonPatched.error().message;
    EXPECT_EQ(label(*jsonPatched, "tier"), "front");

    // Strategic merge: containers merge by name instead of replacing the list.
    auto strategic = client.patch(
        resources::Deployments, "default", "web", PatchType::StrategicMerge,
        R"({"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}})");
    ASSERT_TRUE(strategic) << strategic.error().message;
    json::value root(*strategic);
    const json::value* containers = at(root, "spec.template.spec.containers");
    ASSERT_TRUE(containers && containers->is_array());
    EXPECT_EQ(containers->as_array().size(), 2U) << json::serialize(*containers);

    auto status = client.patch(resources::Deployments, "default", "web", PatchType::Merge,
                               R"({"status":{"observedGeneration":7}})",
                               PatchOptions{.subresource = "status"});
    ASSERT_TRUE(status) << status.error().message;
    EXPECT_EQ(integerAt(*objectAt(*status, "status"), "observedGeneration"), 7);
}

TEST_F(InProcessClientTest, serverSideApplyConflictsUntilForced) {
    json::object desired = configMap("applied", "mine");
    desired["metadata"].as_object()["namespace"] = "default";
    auto applied = client.apply(resources::ConfigMaps, desired);
    ASSERT_TRUE(applied) << applied.error().message;
    EXPECT_EQ(stringAt(objectAt(*applied, "data"), "k"), "mine");

    json::object theirs = configMap("applied", "theirs");
    theirs["metadata"].as_object()["namespace"] = "default";
    PatchOptions other{.fieldManager = "other-controller"};
    auto conflict = client.apply(resources::ConfigMaps, theirs, other);
    ASSERT_FALSE(conflict);
    EXPECT_TRUE(isConflict(conflict.error())) << conflict.error().message;

    other.force = true;
    auto forced = client.apply(resources::ConfigMaps, theirs, other);
    ASSERT_TRUE(forced) << forced.error().message;
    EXPECT_EQ(stringAt(objectAt(*forced, "data"), "k"), "theirs");
}

TEST_F(InProcessClientTest, updateStatusWritesOnlyTheStatus) {
    json::object created = mustCreate(resources::Deployments, deployment("api", 2));
    json::object changed = created;
    changed["status"] = json::object{{"replicas", 2}, {"readyReplicas", 1}};
    changed["spec"].as_object()["replicas"] = 9; // ignored by the status subresource
    auto updated = client.updateStatus(resources::Deployments, changed);
    ASSERT_TRUE(updated) << updated.error().message;
    EXPECT_EQ(integerAt(*objectAt(*updated, "status"), "readyReplicas"), 1);
    EXPECT_EQ(integerAt(*objectAt(*updated, "spec"), "replicas"), 2);
}

TEST_F(InProcessClientTest, deletePreconditionsAndDryRun) {
    json::object created = mustCreate(resources::ConfigMaps, configMap("guarded"));

    DeleteOptions wrongUid;
    wrongUid.preconditionUid = "00000000-0000-0000-0000-000000000000";
    auto refused = client.remove(resources::ConfigMaps, "default", "guarded", wrongUid);
    ASSERT_FALSE(refused);
    EXPECT_TRUE(isConflict(refused.error())) << refused.error().message;

    DeleteOptions dryRun;
    dryRun.dryRun = true;
    ASSERT_TRUE(client.remove(resources::ConfigMaps, "default", "guarded", dryRun));
    EXPECT_TRUE(client.get(resources::ConfigMaps, "default", "guarded")) << "dry run kept it";

    DeleteOptions right;
    right.preconditionUid = std::string(uid(created));
    right.gracePeriodSeconds = 0;
    right.propagationPolicy = "Background";
    ASSERT_TRUE(client.remove(resources::ConfigMaps, "default", "guarded", right));
    EXPECT_FALSE(client.get(resources::ConfigMaps, "default", "guarded"));
}

TEST_F(InProcessClientTest, listsFilterBySelectorAndPageThroughEverything) {
    for (int i = 0; i < 5; ++i) {
        json::object cm = configMap("cm-" + std::to_string(i));
        cm["metadata"].as_object()["labels"] = json::object{{"parity", i % 2 ? "odd" : "even"}};
        (void)mustCreate(resources::ConfigMaps, cm);
    }
    (void)mustCreate(resources::ConfigMaps, configMap("elsewhere"), "other");

    ListOptions odd;
    odd.labelSelector = "parity=odd";
    auto oddList = client.list(resources::ConfigMaps, "default", odd);
    ASSERT_TRUE(oddList) << oddList.error().message;
    ASSERT_EQ(oddList->items.size(), 2U);
    EXPECT_EQ(kind(oddList->items[0]), "ConfigMap") << "items carry their kind";
    EXPECT_EQ(apiVersion(oddList->items[0]), "v1");
    EXPECT_FALSE(oddList->resourceVersion.empty());

    ListOptions page;
    page.limit = 2;
    auto first = client.list(resources::ConfigMaps, "default", page);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->items.size(), 2U);
    EXPECT_FALSE(first->continueToken.empty());

    auto all = client.listAll(resources::ConfigMaps, "default", page);
    ASSERT_TRUE(all) << all.error().message;
    EXPECT_EQ(all->items.size(), 5U);

    auto everywhere = client.listAll(resources::ConfigMaps, "");
    ASSERT_TRUE(everywhere);
    EXPECT_EQ(everywhere->items.size(), 6U);

    ListOptions byName;
    byName.fieldSelector = "metadata.name=cm-3";
    auto one = client.list(resources::ConfigMaps, "", byName);
    ASSERT_TRUE(one);
    ASSERT_EQ(one->items.size(), 1U);
    EXPECT_EQ(name(one->items[0]), "cm-3");
}

TEST_F(InProcessClientTest, aWatchStreamsChangesAfterItsResourceVersion) {
    json::object before = mustCreate(resources::ConfigMaps, configMap("before"));
    WatchOptions options;
    options.resourceVersion = std::string(resourceVersion(before));
    auto stream = client.watch(resources::ConfigMaps, "default", options);
    ASSERT_TRUE(stream) << stream.error().message;

    (void)mustCreate(resources::ConfigMaps, configMap("after"));
    ASSERT_TRUE(client.remove(resources::ConfigMaps, "default", "before"));

    StreamRead added = (*stream)->next(std::chrono::seconds(10));
    ASSERT_EQ(added.status, StreamRead::Status::Event);
    EXPECT_EQ(added.event.type, WatchEventType::Added);
    EXPECT_EQ(name(added.event.object), "after");
    StreamRead deleted = (*stream)->next(std::chrono::seconds(10));
    ASSERT_EQ(deleted.status, StreamRead::Status::Event);
    EXPECT_EQ(deleted.event.type, WatchEventType::Deleted);
    EXPECT_EQ(name(deleted.event.object), "before");

    EXPECT_EQ((*stream)->next(std::chrono::milliseconds(20)).status, StreamRead::Status::Timeout);
    (*stream)->close();
    EXPECT_EQ((*stream)->next(std::chrono::seconds(10)).status, StreamRead::Status::End);
}

TEST_F(InProcessClientTest, closeUnblocksAReaderOnAnotherThread) {
    auto stream = client.watch(resources::ConfigMaps, "default", {});
    ASSERT_TRUE(stream);
    auto reader = std::async(std::launch::async, [&] {
        StreamRead read;
        do {
            read = (*stream)->next(std::chrono::seconds(30));
        } while (read.status == StreamRead::Status::Event);
        return read.status;
    });
    (*stream)->close();
    ASSERT_EQ(reader.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    EXPECT_EQ(reader.get(), StreamRead::Status::End);
}

TEST_F(InProcessClientTest, aWatchOnAnUnknownResourceReportsTheErrorAsAnEvent) {
    ApiResource bogus{"example.com", "v1", "widgets", true};
    auto stream = client.watch(bogus, "default", {});
    ASSERT_TRUE(stream);
    StreamRead read = (*stream)->next(std::chrono::seconds(1));
    ASSERT_EQ(read.status, StreamRead::Status::Event);
    EXPECT_EQ(read.event.type, WatchEventType::Error);
    EXPECT_TRUE(isNotFound(ApiError::fromStatus(read.event.object)));
    EXPECT_EQ((*stream)->next(std::chrono::seconds(1)).status, StreamRead::Status::End);
}

TEST(InProcessClientHistory, aWatchFromACompactedVersionGetsGone) {
    ApiEnv env(2);
    env.createNamespace("default");
    apiserver::InProcessApiClient client(*env.handler);
    auto first = client.create(resources::ConfigMaps, "default", configMap("c0"));
    ASSERT_TRUE(first);
    for (int i = 1; i < 6; ++i) {
        ASSERT_TRUE(
            client.create(resources::ConfigMaps, "default", configMap("c" + std::to_string(i))));
    }
    WatchOptions options;
    options.resourceVersion = std::string(resourceVersion(*first));
    auto stream = client.watch(resources::ConfigMaps, "default", options);
    ASSERT_TRUE(stream);
    StreamRead read = (*stream)->next(std::chrono::seconds(5));
    ASSERT_EQ(read.status, StreamRead::Status::Event);
    ASSERT_EQ(read.event.type, WatchEventType::Error);
    EXPECT_TRUE(isGone(ApiError::fromStatus(read.event.object)));
}

TEST(StatusRoundTrip, everyComponentErrorSurvivesTheServerAndClientMappings) {
    const ErrorCode codes[] = {
        ErrorCode::InvalidArgument, ErrorCode::NotFound,    ErrorCode::AlreadyExists,
        ErrorCode::Conflict,        ErrorCode::Gone,        ErrorCode::Forbidden,
        ErrorCode::Unauthorized,    ErrorCode::Unavailable, ErrorCode::Timeout,
        ErrorCode::Internal};
    for (ErrorCode code : codes) {
        apiserver::ApiError server =
            apiserver::fromError(Error{code, "boom"}, "configmaps", "", "x");
        ApiError client = ApiError::fromResponse(server.code, apiserver::statusJson(server));
        EXPECT_EQ(client.kind, code) << errorCodeName(code) << " -> " << server.reason;
        EXPECT_EQ(client.code, server.code);
        EXPECT_EQ(client.reason, server.reason);
    }
}

TEST(InProcessClientUser, requestsRunAsTheEngine) {
    ApiEnv env;
    apiserver::InProcessApiClient client(*env.handler);
    auto namespaces = client.list(resources::Namespaces, "");
    ASSERT_TRUE(namespaces) << namespaces.error().message;
    apiserver::User user = apiserver::engineUser();
    EXPECT_EQ(user.name, "system:pilothouse-engine");
    EXPECT_NE(std::find(user.groups.begin(), user.groups.end(), "system:masters"),
              user.groups.end());
}

} // namespace
