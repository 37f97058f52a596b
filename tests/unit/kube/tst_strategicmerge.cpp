#include "kube/strategicmerge.h"

#include "testjson.h"

#include <gtest/gtest.h>

#include <ostream>

#include <deque>

namespace pilot::kube {
namespace {

using schema::Kind;
using test::J;

/// A hand-built slice of the apps/v1 and core/v1 schemas with the patch metadata that matters.
class Schemas {
public:
    Schemas() {
        const schema::Type* str = scalar(Kind::String);
        const schema::Type* integer = scalar(Kind::Integer);
        const schema::Type* boolean = scalar(Kind::Boolean);
        const schema::Type* any = scalar(Kind::Any);
        const schema::Type* stringMap = map(str);
        const schema::Type* stringList = array(str);

        const schema::Type* envVar = object("EnvVar", {field("name", str), field("value", str)});
        const schema::Type* port =
            object("ContainerPort", {field("containerPort", integer), field("protocol", str)});
        const schema::Type* mount =
            object("VolumeMount", {field("name", str), field("mountPath", str)});
        container =
            object("Container", {field("name", str), field("image", str), field("args", stringList),
                                 field("env", array(envVar), "merge", "name"),
                                 field("ports", array(port), "merge", "containerPort"),
                                 field("volumeMounts", array(mount), "merge", "mountPath")});
        const schema::Type* configMapSource = object("ConfigMapVolumeSource", {field("name", str)});
        const schema::Type* emptyDir = object("EmptyDirVolumeSource", {field("medium", str)});
        const schema::Type* volume =
            object("Volume", {field("name", str), field("configMap", configMapSource),
                              field("emptyDir", emptyDir)});
        const schema::Type* toleration =
            object("Toleration", {field("key", str), field("effect", str)});
        const schema::Type* podSpec =
            object("PodSpec", {field("containers", array(container), "merge", "name"),
                               field("volumes", array(volume), "merge,retainKeys", "name"),
                               field("tolerations", array(toleration)),
                               field("nodeSelector", stringMap), field("nodeName", str)});
        const schema::Type* ownerRef =
            object("OwnerReference", {field("uid", str), field("name", str)});
        const schema::Type* meta =
            object("ObjectMeta",
                   {field("name", str), field("labels", stringMap), field("annotations", stringMap),
                    field("finalizers", stringList, "merge"),
                    field("ownerReferences", array(ownerRef), "merge", "uid")});
        const schema::Type* templateSpec =
            object("PodTemplateSpec", {field("metadata", meta), field("spec", podSpec)});
        const schema::Type* rollingUpdate = object(
            "RollingUpdateDeployment", {field("maxSurge", any), field("maxUnavailable", any)});
        const schema::Type* strategy = object(
            "DeploymentStrategy", {field("type", str), field("rollingUpdate", rollingUpdate)});
        const schema::Type* deploymentSpec = object(
            "DeploymentSpec",
            {field("replicas", integer), field("selector", any), field("template", templateSpec),
             field("strategy", strategy, "retainKeys"), field("paused", boolean)});
        deployment = object("Deployment", {field("apiVersion", str), field("kind", str),
                                           field("metadata", meta), field("spec", deploymentSpec)});
        const schema::Type* condition =
            object("NodeCondition", {field("type", str), field("status", str)});
        const schema::Type* nodeSpec =
            object("NodeSpec", {field("unschedulable", boolean), field("taints", array(any))});
        const schema::Type* nodeStatus =
            object("NodeStatus", {field("conditions", array(condition), "merge", "type")});
        node = object("Node", {field("metadata", meta), field("spec", nodeSpec),
                               field("status", nodeStatus)});
        pod = object("Pod", {field("metadata", meta), field("spec", podSpec)});
    }

    const schema::Type* deployment = nullptr;
    const schema::Type* node = nullptr;
    const schema::Type* pod = nullptr;
    const schema::Type* container = nullptr;

private:
    static schema::Field field(std::string name, const schema::Type* type,
                               std::string strategy = {}, std::string mergeKey = {}) {
        schema::Field f;
        f.name = std::move(name);
        f.type = type;
        f.patchStrategy = std::move(strategy);
        f.patchMergeKey = std::move(mergeKey);
        return f;
    }

    const schema::Type* scalar(Kind kind) {
        schema::Type& t = m_types.emplace_back();
        t.kind = kind;
        return &t;
    }

    const schema::Type* map(const schema::Type* values) {
        schema::Type& t = m_types.emplace_back();
        t.kind = Kind::Map;
        t.values = values;
        return &t;
    }

    const schema::Type* array(const schema::Type* items) {
        schema::Type& t = m_types.emplace_back();
        t.kind = Kind::Array;
        t.items = items;
        return &t;
    }

    const schema::Type* object(std::string name, std::vector<schema::Field> fields) {
        schema::Type& t = m_types.emplace_back();
        t.name = std::move(name);
        t.kind = Kind::Object;
        t.properties = std::move(fields);
        return &t;
    }

    std::deque<schema::Type> m_types;
};

const Schemas& schemas() {
    static const Schemas s;
    return s;
}

/// Fails when a `$` directive survived anywhere in the result.
void expectNoDirectives(const boost::json::value& v, const std::string& path = "") {
    if (v.is_object()) {
        for (const auto& [key, value] : v.get_object()) {
            EXPECT_FALSE(key.starts_with("$")) << "directive " << key << " left at " << path;
            expectNoDirectives(value, path + "." + std::string(key));
        }
    } else if (v.is_array()) {
        for (const auto& item : v.get_array()) {
            expectNoDirectives(item, path + "[]");
        }
    }
}

boost::json::value apply(const char* original, const char* patch, const schema::Type* type) {
    auto result = applyStrategicMergePatch(J(original), J(patch), type);
    EXPECT_TRUE(result.has_value()) << result.error().message;
    if (!result) {
        return nullptr;
    }
    expectNoDirectives(*result);
    return *result;
}

// ---------------------------------------------------------------------------------------------
// The three patches kubectl apply generated (kube-api-compat.md §4.1)
// ---------------------------------------------------------------------------------------------

TEST(StrategicMergeKubectlTest, UpdatesImageAndEnvWithElementOrder) {
    const auto result = apply(
        R"({"apiVersion":"apps/v1","kind":"Deployment",
            "metadata":{"name":"app","uid":"u1","labels":{"app":"app"}},
            "spec":{"replicas":1,"template":{"metadata":{"labels":{"app":"app"}},"spec":{
              "containers":[
                {"name":"main","image":"nginx:1.25","env":[{"name":"A","value":"1"}],
                 "terminationMessagePath":"/dev/termination-log"},
                {"name":"side","image":"busybox","args":["sleep","1d"]}]}}},
            "status":{"replicas":1}})",
        R"({"spec":{"template":{"spec":{
            "$setElementOrder/containers":[{"name":"main"},{"name":"side"}],
            "containers":[{"$setElementOrder/env":[{"name":"A"}],"env":[{"name":"A","value":"2"}],
            "image":"nginx:1.26","name":"main"}]}}}})",
        schemas().deployment);
    EXPECT_JSON_EQ(result, J(R"({"apiVersion":"apps/v1","kind":"Deployment",
            "metadata":{"name":"app","uid":"u1","labels":{"app":"app"}},
            "spec":{"replicas":1,"template":{"metadata":{"labels":{"app":"app"}},"spec":{
              "containers":[
                {"name":"main","image":"nginx:1.26","env":[{"name":"A","value":"2"}],
                 "terminationMessagePath":"/dev/termination-log"},
                {"name":"side","image":"busybox","args":["sleep","1d"]}]}}},
            "status":{"replicas":1}})"));
}

TEST(StrategicMergeKubectlTest, DeletesLabelsEnvAndContainer) {
    const auto result = apply(
        R"({"metadata":{"name":"app","labels":{"app":"app","x":"y"}},
            "spec":{"template":{"spec":{"containers":[
              {"name":"main","image":"nginx","env":[{"name":"A","value":"2"}]},
              {"name":"side","image":"busybox"}]}}}})",
        R"({"metadata":{"labels":null},"spec":{"template":{"spec":{
            "$setElementOrder/containers":[{"name":"main"}],
            "containers":[{"env":null,"name":"main","ports":[{"containerPort":80}]},
            {"$patch":"delete","name":"side"}]}}}})",
        schemas().deployment);
    EXPECT_JSON_EQ(result, J(R"({"metadata":{"name":"app"},"spec":{"template":{"spec":{
        "containers":[{"name":"main","image":"nginx","ports":[{"containerPort":80}]}]}}}})"));
}

TEST(StrategicMergeKubectlTest, RetainKeysSwitchesStrategyAndVolumeSource) {
    const auto result = apply(
        R"({"spec":{"strategy":{"type":"RollingUpdate",
              "rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
            "template":{"spec":{"containers":[{"name":"main"}],
              "volumes":[{"name":"v","emptyDir":{}},{"name":"w","emptyDir":{}}]}}}})",
        R"({"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"},
            "template":{"spec":{"$setElementOrder/volumes":[{"name":"v"}],
            "volumes":[{"$retainKeys":["configMap","name"],"configMap":{"name":"x"},"emptyDir":null,
            "name":"v"}]}}}})",
        schemas().deployment);
    EXPECT_JSON_EQ(result, J(R"({"spec":{"strategy":{"type":"Recreate"},
        "template":{"spec":{"containers":[{"name":"main"}],
          "volumes":[{"name":"v","configMap":{"name":"x"}},{"name":"w","emptyDir":{}}]}}}})"));
}

TEST(StrategicMergeKubectlTest, RetainKeysDropsUnlistedFieldsEvenWithoutNulls) {
    const auto result = apply(R"({"spec":{"strategy":{"type":"RollingUpdate",
                                   "rollingUpdate":{"maxSurge":1}}}})",
                              R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})",
                              schemas().deployment);
    EXPECT_JSON_EQ(result, J(R"({"spec":{"strategy":{"type":"Recreate"}}})"));
}

// ---------------------------------------------------------------------------------------------
// Other clients' patches
// ---------------------------------------------------------------------------------------------

TEST(StrategicMergeClientsTest, CordonAndUncordon) {
    const char* node = R"({"metadata":{"name":"n1"},"spec":{"taints":[{"key":"a"}]}})";
    const auto cordoned = apply(node, R"({"spec":{"unschedulable":true}})", schemas().node);
    EXPECT_JSON_EQ(cordoned, J(R"({"metadata":{"name":"n1"},"spec":{"taints":[{"key":"a"}],
                         "unschedulable":true}})"));
    auto uncordoned =
        applyStrategicMergePatch(cordoned, J(R"({"spec":{"unschedulable":null}})"), schemas().node);
    ASSERT_TRUE(uncordoned.has_value());
    EXPECT_JSON_EQ(*uncordoned, J(node));
}

TEST(StrategicMergeClientsTest, SetImage) {
    const auto result = apply(
        R"({"spec":{"template":{"spec":{"containers":[{"name":"main","image":"nginx:1.25"},
            {"name":"side","image":"busybox"}]}}}})",
        R"({"spec":{"template":{"spec":{
            "$setElementOrder/containers":[{"name":"main"},{"name":"side"}],
            "containers":[{"image":"nginx:1.27","name":"main"}]}}}})",
        schemas().deployment);
    EXPECT_JSON_EQ(result, J(R"({"spec":{"template":{"spec":{"containers":[
        {"name":"main","image":"nginx:1.27"},{"name":"side","image":"busybox"}]}}}})"));
}

TEST(StrategicMergeClientsTest, RolloutRestartAnnotation) {
    const auto result = apply(R"({"spec":{"template":{"metadata":{"labels":{"app":"a"}}}}})",
                              R"({"spec":{"template":{"metadata":{"annotations":{
            "kubectl.kubernetes.io/restartedAt":"2026-11-21T19:44:01Z"}}}}})",
                              schemas().deployment);
    EXPECT_JSON_EQ(result, J(R"({"spec":{"template":{"metadata":{"labels":{"app":"a"},
        "annotations":{"kubectl.kubernetes.io/restartedAt":"2026-11-21T19:44:01Z"}}}}})"));
}

TEST(StrategicMergeClientsTest, NodeStatusConditions) {
    const auto result = apply(
        R"({"status":{"conditions":[{"type":"MemoryPressure","status":"False"},
                                    {"type":"Ready","status":"False"}]}})",
        R"({"status":{
            "$setElementOrder/conditions":[{"type":"MemoryPressure"},{"type":"DiskPressure"},
            {"type":"Ready"}],"conditions":[{"type":"DiskPressure","status":"False"},
            {"type":"Ready","status":"True"}]}})",
        schemas().node);
    EXPECT_JSON_EQ(result, J(R"({"status":{"conditions":[{"type":"MemoryPressure","status":"False"},
        {"type":"DiskPressure","status":"False"},{"type":"Ready","status":"True"}]}})"));
}

// ---------------------------------------------------------------------------------------------
// One directive at a time
// ---------------------------------------------------------------------------------------------

struct Case {
    const char* name;
    const char* original;
    const char* patch;
    const char* expected;
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << c.name;
}

class StrategicMergeCaseTest : public ::testing::TestWithParam<Case> {};

TEST_P(StrategicMergeCaseTest, Applies) {
    const Case& c = GetParam();
    EXPECT_JSON_EQ(apply(c.original, c.patch, schemas().pod), J(c.expected)) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Directives, StrategicMergeCaseTest,
    ::testing::Values(
        Case{"null deletes", R"({"spec":{"nodeName":"n","nodeSelector":{"a":"b"}}})",
             R"({"spec":{"nodeName":null,"missing":null}})",
             R"({"spec":{"nodeSelector":{"a":"b"}}})"},
        Case{"nulls inside new maps are dropped", R"({"metadata":{}})",
             R"({"metadata":{"annotations":{"a":null,"b":"1"}}})",
             R"({"metadata":{"annotations":{"b":"1"}}})"},
        Case{"maps merge recursively", R"({"spec":{"nodeSelector":{"a":"1","b":"2"}}})",
             R"({"spec":{"nodeSelector":{"b":"3","c":"4"}}})",
             R"({"spec":{"nodeSelector":{"a":"1","b":"3","c":"4"}}})"},
        Case{"keyed list merges and keeps server items",
             R"({"spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}]}})",
             R"({"spec":{"containers":[{"name":"b","image":"z"},{"name":"c","image":"w"}]}})",
             R"({"spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"z"},
                 {"name":"c","image":"w"}]}})"},
        Case{"patch order wins over server order",
             R"({"spec":{"containers":[{"name":"1"},{"name":"2","image":"b"},{"name":"3"}]}})",
             R"({"spec":{"containers":[{"name":"3","image":"c"},{"name":"1","image":"a"},
                 {"name":"2","args":["x"]}]}})",
             R"({"spec":{"containers":[{"name":"3","image":"c"},{"name":"1","image":"a"},
                 {"name":"2","image":"b","args":["x"]}]}})"},
        Case{"server-only items keep their relative place",
             R"({"spec":{"containers":[{"name":"1"},{"name":"2","image":"b"},{"name":"3"}]}})",
             R"({"spec":{"containers":[{"name":"3","image":"c"},{"name":"1","image":"a"}]}})",
             R"({"spec":{"containers":[{"name":"2","image":"b"},{"name":"3","image":"c"},
                 {"name":"1","image":"a"}]}})"},
        Case{"a lone new item goes before server-only items (upstream order)",
             R"({"spec":{"containers":[{"name":"a"},{"name":"b"}]}})",
             R"({"spec":{"containers":[{"name":"c"}]}})",
             R"({"spec":{"containers":[{"name":"c"},{"name":"a"},{"name":"b"}]}})"},
        Case{"nested keyed lists merge",
             R"({"spec":{"containers":[{"name":"a",
                "env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}],
                 "ports":[{"containerPort":80,"protocol":"TCP"}]}]}})",
             R"({"spec":{"containers":[{"name":"a","env":[{"name":"Y","value":"3"}],
                 "ports":[{"containerPort":80,"name":"http"},{"containerPort":443}]}]}})",
             R"({"spec":{"containers":[{"name":"a",
                "env":[{"name":"X","value":"1"},{"name":"Y","value":"3"}],
                 "ports":[{"containerPort":80,"protocol":"TCP","name":"http"},
                     {"containerPort":443}]}]}})"},
        Case{"delete directive removes every match",
             R"({"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"b"},{"name":"c"}]}})",
             R"({"spec":{"containers":[{"$patch":"delete","name":"b"},
                {"$patch":"delete","name":"zz"}]}})",
             R"({"spec":{"containers":[{"name":"a"},{"name":"c"}]}})"},
        Case{"lists without strategy are replaced",
             R"({"spec":{"containers":[{"name":"a","args":["1","2"]}],
                "tolerations":[{"key":"x"}]}})",
             R"({"spec":{"containers":[{"name":"a","args":["3"]}],"tolerations":[{"key":"y"}]}})",
             R"({"spec":{"containers":[{"name":"a","args":["3"]}],"tolerations":[{"key":"y"}]}})"},
        Case{"set element order with items the list lacks",
             R"({"spec":{"containers":[{"name":"1"},{"name":"3"}]}})",
             R"({"spec":{"$setElementOrder/containers":[{"name":"3"},{"name":"2"},{"name":"1"}],
                 "containers":[{"name":"3","image":"c"},{"name":"1","image":"a"}]}})",
             R"({"spec":{"containers":[{"name":"3","image":"c"},{"name":"1","image":"a"}]}})"},
        Case{"set element order alone reorders",
             R"({"spec":{"containers":[{"name":"a"},{"name":"x"},{"name":"b"}]}})",
             R"({"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}]}})",
             R"({"spec":{"containers":[{"name":"x"},{"name":"b"},{"name":"a"}]}})"},
        Case{"set element order on a new list", R"({"spec":{}})",
             R"({"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],
                 "containers":[{"name":"b"},{"name":"a","$setElementOrder/env":[{"name":"E"}],
                 "env":[{"name":"E","value":"1"}]}]}})",
             R"({"spec":{"containers":[{"name":"b"},
                {"name":"a","env":[{"name":"E","value":"1"}]}]}})"},
        Case{"set element order for a deleted list is ignored",
             R"({"spec":{"containers":[{"name":"a"}]}})",
             R"({"spec":{"$setElementOrder/containers":[],"containers":null}})", R"({"spec":{}})"},
        Case{"primitive merge list is a set union", R"({"metadata":{"finalizers":["a","b"]}})",
             R"({"metadata":{"finalizers":["b","c"]}})",
             R"({"metadata":{"finalizers":["a","b","c"]}})"},
        Case{"primitive merge list follows patch order",
             R"({"metadata":{"finalizers":["1","2","3"]}})",
             R"({"metadata":{"finalizers":["3","1"]}})",
             R"({"metadata":{"finalizers":["2","3","1"]}})"},
        Case{"new primitive goes before server-only values (upstream order)",
             R"({"metadata":{"finalizers":["a","b"]}})", R"({"metadata":{"finalizers":["c"]}})",
             R"({"metadata":{"finalizers":["c","a","b"]}})"},
        Case{"delete from primitive list", R"({"metadata":{"finalizers":["a","b","c","b"]}})",
             R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b","zz"]}})",
             R"({"metadata":{"finalizers":["a","c"]}})"},
        Case{"delete from primitive list with element order",
             R"({"metadata":{"finalizers":["1","2","3","4"]}})",
             R"({"metadata":{"$setElementOrder/finalizers":["1","2"],
                 "$deleteFromPrimitiveList/finalizers":["3"]}})",
             R"({"metadata":{"finalizers":["1","2","4"]}})"},
        Case{"add and delete primitives", R"({"metadata":{"finalizers":["1","2","3"]}})",
             R"({"metadata":{"$setElementOrder/finalizers":["1","2","4"],
                 "$deleteFromPrimitiveList/finalizers":["3"],"finalizers":["4"]}})",
             R"({"metadata":{"finalizers":["1","2","4"]}})"},
        Case{"delete from a missing primitive list is a no-op", R"({"metadata":{}})",
             R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["x"]}})", R"({"metadata":{}})"},
        Case{"replace directive on a map", R"({"metadata":{"labels":{"a":"1","b":"2"}}})",
             R"({"metadata":{"labels":{"$patch":"replace","c":"3"}}})",
             R"({"metadata":{"labels":{"c":"3"}}})"},
        Case{"replace directive on a list",
             R"({"spec":{"containers":[{"name":"a"},{"name":"b"}]}})",
             R"({"spec":{"containers":[{"$patch":"replace"},{"name":"z","env":[{"name":"E"}]}]}})",
             R"({"spec":{"containers":[{"name":"z","env":[{"name":"E"}]}]}})"},
        Case{"replace directive alone empties a list", R"({"spec":{"containers":[{"name":"a"}]}})",
             R"({"spec":{"containers":[{"$patch":"replace"}]}})", R"({"spec":{"containers":[]}})"},
        Case{"delete directive on a map removes it",
             R"({"spec":{"nodeSelector":{"a":"1"},"nodeName":"n"}})",
             R"({"spec":{"nodeSelector":{"$patch":"delete"}}})", R"({"spec":{"nodeName":"n"}})"},
        Case{"delete directive at the top leaves an empty object", R"({"a":1})",
             R"({"$patch":"delete"})", "{}"},
        Case{"merge directive on a map is the default", R"({"metadata":{"labels":{"a":"1"}}})",
             R"({"metadata":{"labels":{"$patch":"merge","b":"2"}}})",
             R"({"metadata":{"labels":{"a":"1","b":"2"}}})"},
        Case{"new keyed item with directives is cleaned", R"({"spec":{"containers":[]}})",
             R"({"spec":{"containers":[{"name":"a","$retainKeys":["name","env"],"env":[
                 {"name":"X","value":null},{"$patch":"delete","name":"Y"}]}]}})",
             R"({"spec":{"containers":[{"name":"a","env":[{"name":"X"}]}]}})"},
        Case{"type change replaces", R"({"spec":{"nodeSelector":"oops"}})",
             R"({"spec":{"nodeSelector":{"a":"1"}}})", R"({"spec":{"nodeSelector":{"a":"1"}}})"},
        Case{"unknown fields merge as plain JSON",
             R"({"spec":{"extra":{"list":[1,2],"m":{"a":1}}}})",
             R"({"spec":{"extra":{"list":[3],"m":{"b":2}}}})",
             R"({"spec":{"extra":{"list":[3],"m":{"a":1,"b":2}}}})"},
        Case{"owner references merge by uid",
             R"({"metadata":{"ownerReferences":[{"uid":"1","name":"a"}]}})",
             R"({"metadata":{"ownerReferences":[{"uid":"1","name":"b"}]}})",
             R"({"metadata":{"ownerReferences":[{"uid":"1","name":"b"}]}})"},
        Case{"empty patch changes nothing", R"({"spec":{"nodeName":"n"}})", "{}",
             R"({"spec":{"nodeName":"n"}})"}));

TEST(StrategicMergeTest, WithoutSchemaItIsAJsonMergePatch) {
    const auto result = apply(R"({"spec":{"containers":[{"name":"a"},{"name":"b"}],"x":1}})",
                              R"({"spec":{"containers":[{"name":"c"}],"x":null}})", nullptr);
    EXPECT_JSON_EQ(result, J(R"({"spec":{"containers":[{"name":"c"}]}})"));
}

TEST(StrategicMergeTest, AnyTypedFieldIsReplacedOrMergedPlainly) {
    const auto result =
        apply(R"({"spec":{"selector":{"matchLabels":{"a":"1"},"matchExpressions":[{"key":"k"}]}}})",
              R"({"spec":{"selector":{"matchLabels":{"b":"2"},"matchExpressions":[]}}})",
              schemas().deployment);
    EXPECT_JSON_EQ(
        result,
        J(R"({"spec":{"selector":{"matchLabels":{"a":"1","b":"2"},"matchExpressions":[]}}})"));
}

TEST(StrategicMergeTest, KeepsKeyOrderOfTheOriginal) {
    const auto result = apply(R"({"a":1,"b":2,"c":3})", R"({"b":null,"d":4,"a":5})", nullptr);
    EXPECT_EQ(boost::json::serialize(result), R"({"a":5,"c":3,"d":4})");
}

std::string nested(int depth, const char* leaf) {
    std::string text;
    for (int i = 0; i < depth; ++i) {
        text += "{\"a\":";
    }
    text += leaf;
    text += std::string(static_cast<size_t>(depth), '}');
    return text;
}

TEST(StrategicMergeTest, DeepPatchesWorkUpToALimitAndFailCleanlyBeyond) {
    const auto moderate = J(nested(400, "1"));
    auto ok = applyStrategicMergePatch(J(nested(400, "2")), moderate, nullptr);
    ASSERT_TRUE(ok.has_value()) << ok.error().message;
    EXPECT_JSON_EQ(*ok, moderate);
    auto tooDeep = applyStrategicMergePatch(J("{}"), J(nested(9000, "1")), schemas().pod);
    ASSERT_FALSE(tooDeep.has_value());
    EXPECT_NE(tooDeep.error().message.find("nested too deeply"), std::string::npos);
}

struct ErrorCase {
    const char* name;
    const char* original;
    const char* patch;
    const char* fragment;
};

void PrintTo(const ErrorCase& c, std::ostream* os) {
    *os << c.name;
}

class StrategicMergeErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(StrategicMergeErrorTest, RejectsBadDirectives) {
    const ErrorCase& c = GetParam();
    auto result = applyStrategicMergePatch(J(c.original), J(c.patch), schemas().pod);
    ASSERT_FALSE(result.has_value()) << c.name << " gave " << boost::json::serialize(*result);
    EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(result.error().message.find(c.fragment), std::string::npos)
        << c.name << ": " << result.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Errors, StrategicMergeErrorTest,
    ::testing::Values(
        ErrorCase{"unknown map directive", R"({"spec":{}})", R"({"spec":{"$patch":"bogus"}})",
                  "strategic merge patch: .spec: unknown patch type: \"bogus\" in map"},
        ErrorCase{"merge directive in a list", R"({"spec":{"containers":[{"name":"a"}]}})",
                  R"({"spec":{"containers":[{"$patch":"merge"}]}})",
                  "merging lists cannot yet be specified in the patch"},
        ErrorCase{"unknown list directive", R"({"spec":{"containers":[{"name":"a"}]}})",
                  R"({"spec":{"containers":[{"$patch":"nope","name":"a"}]}})",
                  "unknown patch type: \"nope\""},
        ErrorCase{"delete without merge key", R"({"spec":{"containers":[{"name":"a"}]}})",
                  R"({"spec":{"containers":[{"$patch":"delete"}]}})",
                  "does not contain declared merge key: name"},
        ErrorCase{
            "item without merge key", R"({"spec":{"containers":[{"name":"a"}]}})",
            R"({"spec":{"containers":[{"image":"x"}]}})",
            ".spec.containers: map: {\"image\":\"x\"} does not contain declared merge key: name"},
        ErrorCase{
            "order contradicts patch",
            R"({"spec":{"containers":[{"name":"1"},{"name":"3"},{"name":"2"}]}})",
            R"({"spec":{"$setElementOrder/containers":[{"name":"1"},{"name":"2"},{"name":"3"}],
                      "containers":[{"name":"3","image":"x"},{"name":"1","image":"y"}]}})",
            "doesn't match $setElementOrder list"},
        ErrorCase{"order entries need the merge key", R"({"spec":{"containers":[{"name":"1"}]}})",
                  R"({"spec":{"$setElementOrder/containers":[{"image":"x"}]}})",
                  "does not contain declared merge key: name"},
        ErrorCase{"order directive without a list name", R"({"spec":{}})",
                  R"({"spec":{"$setElementOrder":[]}})",
                  "invalid patch format of setElementOrder list"},
        ErrorCase{"order directive that is not a list", R"({"spec":{}})",
                  R"({"spec":{"$setElementOrder/containers":{}}})",
                  "invalid patch format of setElementOrder list"},
        ErrorCase{"primitive delete list that is not a list", R"({"metadata":{}})",
                  R"({"metadata":{"$deleteFromPrimitiveList/finalizers":"x"}})",
                  "invalid patch format of primitive list"},
        ErrorCase{"primitive delete list without a name", R"({"metadata":{}})",
                  R"({"metadata":{"$deleteFromPrimitiveListfinalizers":["x"]}})",
                  "invalid patch format of primitive list"},
        ErrorCase{"retainKeys missing a patched field", R"({"spec":{"volumes":[{"name":"v"}]}})",
                  R"({"spec":{"volumes":[{"name":"v","$retainKeys":["name"],"emptyDir":{}}]}})",
                  "field \"emptyDir\" is patched but not listed in $retainKeys"},
        ErrorCase{"retainKeys that is not a list", R"({"spec":{}})",
                  R"({"spec":{"$retainKeys":"name"}})", "invalid patch format of retainKeys"},
        ErrorCase{"mixed element types", R"({"metadata":{"finalizers":["a"]}})",
                  R"({"metadata":{"finalizers":[1]}})", "list element types are not identical"},
        ErrorCase{"lists of lists", R"({"metadata":{"finalizers":[["a"]]}})",
                  R"({"metadata":{"finalizers":[["b"]]}})", "lists of lists are not supported"},
        ErrorCase{"patch is not an object", R"({})", R"([1])",
                  "strategic merge patch must be a JSON object"}));

} // namespace
} // namespace pilot::kube
