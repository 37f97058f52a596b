#include "engine/apiserver/apihandler.h"

#include "handlertestutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace pilot;
using namespace pilot::apiserver;
using namespace pilot::apiserver::test;

namespace {

// --- multiple served versions ---

TEST_F(ApiHandlerTest, everyServedVersionReadsAndWritesTheSameObject) {
    const std::string v1 = "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers";
    const std::string v2 = "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers";
    StreamReader v1Watch(watch(v1, {}));
    HandlerResult created =
        send("POST", v1,
             R"({"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler",)"
             R"("metadata":{"name":"web"},"spec":{"scaleTargetRef":{"apiVersion":"apps/v1",)"
             R"("kind":"Deployment","name":"web"},"minReplicas":1,"maxReplicas":5,)"
             R"("targetCPUUtilizationPercentage":50}})");
    ASSERT_EQ(created.response.status, 201) << created.response.body;
    EXPECT_EQ(str(bodyOf(created), "apiVersion"), "autoscaling/v1");

    json::object asV2 = bodyOf(get(v2 + "/web"));
    EXPECT_EQ(str(asV2, "apiVersion"), "autoscaling/v2");
    const json::value* metrics = at(asV2, "spec.metrics");
    ASSERT_TRUE(metrics && metrics->is_array() && metrics->as_array().size() == 1)
        << json::serialize(asV2);
    const json::object& metric = metrics->as_array()[0].as_object();
    EXPECT_EQ(str(metric, "type"), "Resource");
    EXPECT_EQ(str(metric, "resource.name"), "cpu");
    EXPECT_EQ(at(metric, "resource.target.averageUtilization")->as_int64(), 50);
    EXPECT_FALSE(at(asV2, "spec.targetCPUUtilizationPercentage"));
    // Before the controller's first sync: desiredReplicas (and in v1 currentReplicas) read 0,
    // as their fields are not omitempty upstream (the Python client requires them).
    EXPECT_EQ(json::serialize(*at(asV2, "status")), R"({"desiredReplicas":0})");
    json::object asV1 = bodyOf(get(v1 + "/web"));
    EXPECT_EQ(at(asV1, "status.currentReplicas")->as_int64(), 0);
    EXPECT_EQ(at(asV1, "status.desiredReplicas")->as_int64(), 0);

    // A v2 patch is seen through v1, in lists and in v1 watch events.
    HandlerResult patched =
        patch(v2 + "/web", R"({"spec":{"maxReplicas":8}})", "application/merge-patch+json");
    ASSERT_EQ(patched.response.status, 200) << patched.response.body;
    json::object list = bodyOf(get(v1));
    EXPECT_EQ(str(list, "apiVersion"), "autoscaling/v1");
    ASSERT_EQ(list.at("items").as_array().size(), 1U);
    const json::object& item = list.at("items").as_array()[0].as_object();
    EXPECT_EQ(str(item, "apiVersion"), "autoscaling/v1");
    EXPECT_EQ(at(item, "spec.maxReplicas")->as_int64(), 8);
    EXPECT_EQ(at(item, "spec.targetCPUUtilizationPercentage")->as_int64(), 50);

    std::vector<json::object> events = v1Watch.events();
    ASSERT_EQ(summaries(events), (std::vector<std::string>{"ADDED web", "MODIFIED web"}));
    for (const json::object& e : events) {
        EXPECT_EQ(str(e, "object.apiVersion"), "autoscaling/v1");
    }
}

// --- lists: tables, paging, selectors ---

TEST_F(ApiHandlerTest, kubectlGetReceivesATable) {
    (void)mustPost(Pods, pod("web-1"));
    env.clock.advance(std::chrono::minutes(5));
    HandlerResult r = get(Pods, {{"limit", "500"}}, KubectlGetAccept);
    ASSERT_EQ(r.response.status, 200) << r.response.body;
    json::object table = bodyOf(r);
    EXPECT_EQ(str(table, "kind"), "Table");
    EXPECT_EQ(str(table, "apiVersion"), "meta.k8s.io/v1");
    EXPECT_EQ(str(table, "metadata.resourceVersion"), std::to_string(env.store->currentRevision()));
    std::vector<std::string> columns;
    std::vector<int64_t> priorities;
    for (const json::value& c : table.at("columnDefinitions").as_array()) {
        columns.emplace_back(c.as_object().at("name").as_string());
        priorities.push_back(c.as_object().at("priority").as_int64());
    }
    ASSERT_GE(columns.size(), 5U);
    EXPECT_EQ(std::vector<std::string>(columns.begin(), columns.begin() + 5),
              (std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age"}));
    EXPECT_EQ(std::count(priorities.begin(), priorities.begin() + 5, 0), 5);

    const json::array& rows = table.at("rows").as_array();
    ASSERT_EQ(rows.size(), 1U);
    const json::array& cells = rows[0].as_object().at("cells").as_array();
    EXPECT_EQ(cells[0].as_string(), "web-1");
    EXPECT_EQ(cells[1].as_string(), "0/1");
    EXPECT_EQ(cells[2].as_string(), "Pending");
    EXPECT_EQ(cells[4].as_string(), "5m");
    const json::object& rowObject = rows[0].as_object().at("object").as_object();
    EXPECT_EQ(str(rowObject, "kind"), "PartialObjectMetadata");
    EXPECT_EQ(str(rowObject, "apiVersion"), "meta.k8s.io/v1");
    EXPECT_EQ(str(rowObject, "metadata.namespace"), "default") << "get -A needs it";
    EXPECT_FALSE(rowObject.contains("spec"));
    json::object metadata = bodyOf(get(std::string(Pods) + "/web-1")).at("metadata").as_object();
    ASSERT_TRUE(metadata.contains("managedFields"));
    metadata.erase("managedFields");
    EXPECT_EQ(rowObject.at("metadata"), json::value(metadata)) << "all but managedFields";
}

TEST_F(ApiHandlerTest, tableIncludeObjectAndSingleObjectGet) {
    (void)mustPost(ConfigMaps, configMap("c"));
    json::object none = bodyOf(get(ConfigMaps, {{"includeObject", "None"}}, KubectlGetAccept));
    EXPECT_FALSE(none.at("rows").as_array()[0].as_object().contains("object"));
    json::object full = bodyOf(get(ConfigMaps, {{"includeObject", "Object"}}, KubectlGetAccept));
    EXPECT_EQ(str(full.at("rows").as_array()[0].as_object().at("object").as_object(), "kind"),
              "ConfigMap");

    json::object one = bodyOf(get(std::string(ConfigMaps) + "/c", {}, KubectlGetAccept));
    EXPECT_EQ(str(one, "kind"), "Table");
    EXPECT_EQ(one.at("rows").as_array().size(), 1U);

    json::object beta =
        bodyOf(get(ConfigMaps, {}, "application/json;as=Table;v=v1beta1;g=meta.k8s.io"));
    EXPECT_EQ(str(beta, "apiVersion"), "meta.k8s.io/v1beta1");
}

TEST_F(ApiHandlerTest, partialObjectMetadataListForMetadataClients) {
    // client-go's metadata informers (garbage collectors, quota) ask for this.
    (void)mustPost(ConfigMaps, configMap("c"));
    HandlerResult r = get(ConfigMaps, {},
                          "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,"
                          "application/json");
    ASSERT_EQ(r.response.status, 200) << r.response.body;
    json::object list = bodyOf(r);
    EXPECT_EQ(str(list, "kind"), "PartialObjectMetadataList");
    EXPECT_EQ(str(list, "apiVersion"), "meta.k8s.io/v1");
    const json::object& item = list.at("items").as_array().at(0).as_object();
    EXPECT_EQ(str(item, "kind"), "PartialObjectMetadata");
    EXPECT_EQ(str(item, "metadata.name"), "c");
    EXPECT_FALSE(item.contains("data"));
}

TEST_F(ApiHandlerTest, pagingFollowsContinueTokens) {
    for (const char* name : {"a", "b", "c"}) {
        (void)mustPost(ConfigMaps, configMap(name));
    }
    json::object first = bodyOf(get(ConfigMaps, {{"limit", "2"}}));
    EXPECT_EQ(itemNames(first), (std::vector<std::string>{"a", "b"}));
    std::string token = str(first, "metadata.continue");
    ASSERT_NE(token, "");
    EXPECT_EQ(at(first, "metadata.remainingItemCount")->as_int64(), 1);

    // A write between pages does not change the snapshot the pages come from.
    (void)mustPost(ConfigMaps, configMap("d"));
    json::object second = bodyOf(get(ConfigMaps, {{"limit", "2"}, {"continue", token}}));
    EXPECT_EQ(itemNames(second), std::vector<std::string>{"c"});
    EXPECT_EQ(str(second, "metadata.continue"), "");
    EXPECT_EQ(str(second, "metadata.resourceVersion"), str(first, "metadata.resourceVersion"));

    expectStatus(get(ConfigMaps, {{"continue", "not-a-token"}}), 400, "BadRequest");
    expectStatus(get(ConfigMaps, {{"limit", "many"}}), 400, "BadRequest");
}

TEST_F(ApiHandlerTest, resourceVersionParametersAreValidated) {
    expectStatus(get(ConfigMaps, {{"resourceVersion", "abc"}}), 400, "BadRequest");
    HandlerResult match =
        get(ConfigMaps, {{"resourceVersion", "1"}, {"resourceVersionMatch", "Newest"}});
    expectStatus(match, 400, "BadRequest");
    EXPECT_EQ(str(bodyOf(match), "message"),
              "resourceVersionMatch: Unsupported value: \"Newest\": supported values: "
              "\"Exact\", \"NotOlderThan\"");
    expectStatus(get(ConfigMaps, {{"resourceVersion", "0"}, {"resourceVersionMatch", "Exact"}}),
                 400, "BadRequest");
    EXPECT_EQ(get(ConfigMaps, {{"resourceVersion", "0"}}).response.status, 200);
}

TEST_F(ApiHandlerTest, listAtAnExactResourceVersion) {
    (void)mustPost(ConfigMaps, configMap("a"));
    std::string rv = std::to_string(env.store->currentRevision());
    (void)mustPost(ConfigMaps, configMap("b"));
    json::object then =
        bodyOf(get(ConfigMaps, {{"resourceVersion", rv}, {"resourceVersionMatch", "Exact"}}));
    EXPECT_EQ(itemNames(then), std::vector<std::string>{"a"});
    EXPECT_EQ(str(then, "metadata.resourceVersion"), rv);
}

TEST_F(ApiHandlerTest, selectorsFilterLists) {
    env.createNamespace("other");
    for (const auto& [ns, name, app] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"default", "c1", "a"}, {"default", "c2", "b"}, {"other", "c3", "a"}}) {
        json::object cm = configMap(name);
        cm["metadata"].as_object()["labels"] = json::object{{"app", app}};
        ASSERT_EQ(post("/api/v1/namespaces/" + ns + "/configmaps", cm).response.status, 201);
    }
    EXPECT_EQ(itemNames(bodyOf(get(ConfigMaps, {{"labelSelector", "app=a"}}))),
              std::vector<std::string>{"c1"});
    EXPECT_EQ(itemNames(bodyOf(get("/api/v1/configmaps", {{"labelSelector", "app in (a)"}}))),
              (std::vector<std::string>{"c1", "c3"}))
        << "cluster-wide lists span namespaces";
    EXPECT_EQ(itemNames(bodyOf(get(ConfigMaps, {{"fieldSelector", "metadata.name=c2"}}))),
              std::vector<std::string>{"c2"});
    EXPECT_EQ(itemNames(bodyOf(
                  get("/api/v1/configmaps", {{"fieldSelector", "metadata.namespace!=default"}}))),
              std::vector<std::string>{"c3"});

    HandlerResult unknownField = get(ConfigMaps, {{"fieldSelector", "data.x=1"}});
    expectStatus(unknownField, 400, "BadRequest");
    EXPECT_EQ(str(bodyOf(unknownField), "message"),
              "\"data.x\" is not a known field selector: only \"metadata.name\", "
              "\"metadata.namespace\"");
    expectStatus(get(ConfigMaps, {{"labelSelector", "app in (a"}}), 400, "BadRequest");
}

TEST_F(ApiHandlerTest, podFieldSelectorsAsDrainUsesThem) {
    (void)mustPost(Pods, pod("on-1", "node-1"));
    (void)mustPost(Pods, pod("on-2", "node-2"));
    (void)mustPost(Pods, pod("pending"));
    EXPECT_EQ(itemNames(bodyOf(get("/api/v1/pods", {{"fieldSelector", "spec.nodeName=node-1"}}))),
              std::vector<std::string>{"on-1"});
    EXPECT_EQ(itemNames(bodyOf(
                  get("/api/v1/pods",
                      {{"fieldSelector",
                        "spec.nodeName=node-2,status.phase!=Succeeded,status.phase!=Failed"}}))),
              std::vector<std::string>{"on-2"});
}

// --- watch ---

TEST_F(ApiHandlerTest, watchWithoutResourceVersionStartsWithTheCurrentObjects) {
    (void)mustPost(ConfigMaps, configMap("existing"));
    StreamReader reader(watch(ConfigMaps, {}));
    EXPECT_EQ(summaries(reader.events()), std::vector<std::string>{"ADDED existing"});

    int wakesBefore = reader.wakes();
    json::object created = mustPost(ConfigMaps, configMap("new"));
    EXPECT_GT(reader.wakes(), wakesBefore) << "the session is woken for new events";
    (void)patch(std::string(ConfigMaps) + "/new", R"({"data":{"k":"2"}})",
                "application/merge-patch+json");
    (void)send("DELETE", std::string(ConfigMaps) + "/new");
    std::vector<json::object> events = reader.events();
    EXPECT_EQ(summaries(events),
              (std::vector<std::string>{"ADDED new", "MODIFIED new", "DELETED new"}));
    ASSERT_EQ(events.size(), 3U);
    EXPECT_EQ(str(events[0], "object.kind"), "ConfigMap") << "events carry kind/apiVersion";
    EXPECT_EQ(str(events[0], "object.apiVersion"), "v1");
    EXPECT_EQ(str(events[0], "object.metadata.resourceVersion"),
              str(created, "metadata.resourceVersion"));
    EXPECT_EQ(str(events[2], "object.metadata.resourceVersion"),
              std::to_string(env.store->currentRevision()))
        << "DELETED carries the deletion's resourceVersion";
    EXPECT_FALSE(reader.finished());
}

TEST_F(ApiHandlerTest, watchFromAResourceVersionSendsOnlyLaterEvents) {
    (void)mustPost(ConfigMaps, configMap("before"));
    std::string listRv = str(bodyOf(get(ConfigMaps)), "metadata.resourceVersion");
    (void)mustPost(ConfigMaps, configMap("after"));
    // Python sends capitalised booleans.
    HandlerResult r =
        get(ConfigMaps,
            {{"watch", "True"}, {"resourceVersion", listRv}, {"allowWatchBookmarks", "True"}});
    ASSERT_TRUE(r.stream);
    StreamReader reader(r.stream);
    EXPECT_EQ(summaries(reader.events()), std::vector<std::string>{"ADDED after"});
}

TEST_F(ApiHandlerTest, watchOneObjectAsKubectlWaitDoes) {
    (void)mustPost(ConfigMaps, configMap("app"));
    (void)mustPost(ConfigMaps, configMap("other"));
    std::string rv = std::to_string(env.store->currentRevision());
    StreamReader byName(watch(ConfigMaps, {{"fieldSelector", "metadata.name=app"},
                                           {"resourceVersion", rv},
                                           {"timeoutSeconds", "300"}}));
    StreamReader byPath(watch(std::string(ConfigMaps) + "/app", {{"resourceVersion", rv}}));
    (void)send("DELETE", std::string(ConfigMaps) + "/other");
    (void)send("DELETE", std::string(ConfigMaps) + "/app");
    EXPECT_EQ(summaries(byName.events()), std::vector<std::string>{"DELETED app"});
    EXPECT_EQ(summaries(byPath.events()), std::vector<std::string>{"DELETED app"});
}

TEST_F(ApiHandlerTest, watchSelectorTransitionsAddAndDelete) {
    json::object cm = configMap("c");
    cm["metadata"].as_object()["labels"] = json::object{{"app", "a"}};
    (void)mustPost(ConfigMaps, cm);
    StreamReader reader(watch(ConfigMaps, {{"labelSelector", "app=a"}}));
    EXPECT_EQ(summaries(reader.events()), std::vector<std::string>{"ADDED c"});
    (void)patch(std::string(ConfigMaps) + "/c", R"({"metadata":{"labels":{"app":"b"}}})",
                "application/merge-patch+json");
    (void)patch(std::string(ConfigMaps) + "/c", R"({"metadata":{"labels":{"app":"a"}}})",
                "application/merge-patch+json");
    EXPECT_EQ(summaries(reader.events()), (std::vector<std::string>{"DELETED c", "ADDED c"}));
}

TEST_F(ApiHandlerTest, clusterWideWatchSeesEveryNamespace) {
    env.createNamespace("other");
    StreamReader reader(watch("/api/v1/configmaps", {}));
    EXPECT_TRUE(reader.events().empty());
    (void)mustPost(ConfigMaps, configMap("here"));
    (void)mustPost("/api/v1/namespaces/other/configmaps", configMap("there"));
    EXPECT_EQ(summaries(reader.events()), (std::vector<std::string>{"ADDED here", "ADDED there"}));
}

TEST_F(ApiHandlerTest, tableWatchSendsColumnDefinitionsOnce) {
    (void)mustPost(Pods, pod("p1"));
    StreamReader reader(watch(Pods, {}, KubectlGetAccept));
    (void)mustPost(Pods, pod("p2"));
    std::vector<json::object> events = reader.events();
    ASSERT_EQ(events.size(), 2U);
    for (const json::object& e : events) {
        EXPECT_EQ(str(e, "type"), "ADDED");
        EXPECT_EQ(str(e, "object.kind"), "Table");
        EXPECT_EQ(e.at("object").as_object().at("rows").as_array().size(), 1U);
    }
    EXPECT_TRUE(at(events[0], "object.columnDefinitions")->is_array());
    EXPECT_TRUE(at(events[1], "object.columnDefinitions")->is_null());
    const json::array& cells = events[1]
                                   .at("object")
                                   .as_object()
                                   .at("rows")
                                   .as_array()[0]
                                   .as_object()
                                   .at("cells")
                                   .as_array();
    EXPECT_EQ(cells[0].as_string(), "p2");
}

TEST_F(ApiHandlerTest, tableWatchRowsCarryTheObjectIncludeObjectAsks) {
    // kubectl get -w (Metadata, the default), -o custom-columns (Object), and None.
    auto rowObject = [&](const char* includeObject, const char* name) -> json::value {
        Query params;
        if (includeObject[0] != '\0') {
            params.emplace_back("includeObject", includeObject);
        }
        StreamReader reader(watch(ConfigMaps, params, KubectlGetAccept));
        (void)mustPost(ConfigMaps, configMap(name));
        // The watch starts with the ConfigMaps created before it; the new one comes last.
        std::vector<json::object> events = reader.events();
        EXPECT_FALSE(events.empty());
        if (events.empty()) {
            return nullptr;
        }
        const json::object& row =
            events.back().at("object").as_object().at("rows").as_array()[0].as_object();
        EXPECT_EQ(row.at("cells").as_array()[0].as_string(), name);
        const json::value* object = row.if_contains("object");
        return object ? *object : json::value(nullptr);
    };
    json::value metadata = rowObject("", "m");
    ASSERT_TRUE(metadata.is_object());
    EXPECT_EQ(str(metadata.as_object(), "kind"), "PartialObjectMetadata");
    EXPECT_EQ(str(metadata.as_object(), "metadata.name"), "m");
    EXPECT_FALSE(metadata.as_object().at("metadata").as_object().contains("managedFields"));
    EXPECT_FALSE(metadata.as_object().contains("data"));

    json::value object = rowObject("Object", "o");
    ASSERT_TRUE(object.is_object());
    EXPECT_EQ(str(object.as_object(), "kind"), "ConfigMap");
    EXPECT_TRUE(object.as_object().contains("data"));
    EXPECT_TRUE(object.as_object().at("metadata").as_object().contains("managedFields"));

    EXPECT_TRUE(rowObject("None", "n").is_null()) << "no object in the row";
}

TEST_F(ApiHandlerTest, metadataWatchAndGetSendPartialObjectMetadata) {
    // client-go's metadata informers watch this way (garbage collector, quota).
    constexpr const char* MetadataAccept =
        "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io,application/json";
    StreamReader reader(watch(ConfigMaps, {}, MetadataAccept));
    (void)mustPost(ConfigMaps, configMap("w"));
    std::vector<json::object> events = reader.events();
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(str(events[0], "type"), "ADDED");
    const json::object& object = events[0].at("object").as_object();
    EXPECT_EQ(str(object, "kind"), "PartialObjectMetadata");
    EXPECT_EQ(str(object, "apiVersion"), "meta.k8s.io/v1");
    EXPECT_EQ(str(object, "metadata.name"), "w");
    EXPECT_FALSE(object.contains("data"));
    EXPECT_FALSE(object.at("metadata").as_object().contains("managedFields"));

    json::object full = bodyOf(get(std::string(ConfigMaps) + "/w"));
    json::object one = bodyOf(get(std::string(ConfigMaps) + "/w", {}, MetadataAccept));
    EXPECT_EQ(str(one, "kind"), "PartialObjectMetadata");
    json::object metadata = full.at("metadata").as_object();
    metadata.erase("managedFields");
    EXPECT_EQ(one.at("metadata"), json::value(metadata)) << "all but managedFields";
    EXPECT_EQ(object.at("metadata"), json::value(metadata));
}

TEST_F(ApiHandlerTest, watchFromAnExpiredResourceVersionSends410AndEnds) {
    ApiEnv small(5); // five events of history per resource
    createBeyondHistory(small);
    HandlerResult r = small.send("GET", ConfigMaps, {}, {{"watch", "1"}, {"resourceVersion", "2"}});
    ASSERT_TRUE(r.stream);
    EXPECT_EQ(r.stream->status(), 200) << "the real server answers 200 plus an ERROR event";
    StreamReader reader(r.stream);
    std::vector<json::object> events = reader.events();
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(str(events[0], "type"), "ERROR");
    EXPECT_EQ(str(events[0], "object.kind"), "Status");
    EXPECT_EQ(str(events[0], "object.reason"), "Expired");
    EXPECT_EQ(at(events[0], "object.code")->as_int64(), 410);
    EXPECT_TRUE(reader.finished());
}

TEST_F(ApiHandlerTest, cancelledWatchEnds) {
    auto stream = watch(ConfigMaps, {});
    StreamReader reader(stream);
    stream->cancel();
    (void)mustPost(ConfigMaps, configMap("late"));
    std::vector<json::object> events = reader.events();
    EXPECT_TRUE(events.empty());
    EXPECT_TRUE(reader.finished());
}

TEST_F(ApiHandlerTest, watchParameterErrors) {
    expectStatus(get(ConfigMaps, {{"watch", "1"}, {"timeoutSeconds", "soon"}}), 400, "BadRequest");
    expectStatus(get(ConfigMaps, {{"watch", "1"}, {"resourceVersion", "x"}}), 400, "BadRequest");
    expectStatus(get(ConfigMaps, {{"watch", "1"}, {"labelSelector", "=="}}), 400, "BadRequest");
}

TEST_F(ApiHandlerTest, metricsCountRequests) {
    (void)mustPost(ConfigMaps, configMap("c"));
    (void)get(std::string(ConfigMaps) + "/missing");
    std::string metrics = get("/metrics").response.body;
    EXPECT_NE(metrics.find(R"(apiserver_request_total{code="201",component="apiserver",)"
                           R"(dry_run="",group="",resource="configmaps",scope="resource",)"
                           R"(subresource="",verb="POST",version="v1"} 1)"),
              std::string::npos)
        << metrics;
    EXPECT_NE(metrics.find(R"(apiserver_request_total{code="404",component="apiserver",)"
                           R"(dry_run="",group="",resource="configmaps",scope="resource",)"
                           R"(subresource="",verb="GET",version="v1"} 1)"),
              std::string::npos);
}

} // namespace
