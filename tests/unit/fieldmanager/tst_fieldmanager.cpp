#include "kube/fieldmanager/fieldmanager.h"

#include "kube/jsonutil.h"
#include "kube/types/typeregistry.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace pilot::kube::fieldmanager {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

json::value J(std::string_view text) {
    return json::parse(text);
}

#define EXPECT_JSON_EQ(actual, expected)                                                           \
    EXPECT_TRUE(::pilot::kube::jsonEqual((actual), (expected)))                                    \
        << "  actual: " << json::serialize(actual) << "\nexpected: " << json::serialize(expected)

const schema::Type* deploymentSchema() {
    static const auto Registry = TypeRegistry::builtin();
    const ResourceTypePtr type = Registry->byKind("apps", "v1", "Deployment");
    return type ? type->schema : nullptr;
}

const TimePoint T0 = *parseTime("2024-05-01T10:00:00Z");

WriteContext context(std::string manager, TimePoint now = T0) {
    return WriteContext{std::move(manager), "apps/v1", "", now, deploymentSchema(), true};
}

/// A Deployment manifest with the given spec (JSON text), as kubectl would send it.
json::value deployment(std::string_view spec, std::string_view metadataExtra = "") {
    return J(fmt::format(R"({{"apiVersion":"apps/v1","kind":"Deployment",
        "metadata":{{"name":"web","namespace":"default"{}}},"spec":{}}})",
                         metadataExtra, spec));
}

json::value webSpec(int replicas, std::string_view image = "nginx:1.25") {
    return J(fmt::format(
        R"({{"replicas":{},"selector":{{"matchLabels":{{"app":"web"}}}},
            "template":{{"metadata":{{"labels":{{"app":"web"}}}},
              "spec":{{"containers":[{{"name":"web","image":"{}"}}]}}}}}})",
        replicas, image));
}

json::value deploymentWith(const json::value& spec, std::string_view metadataExtra = "") {
    return deployment(json::serialize(spec), metadataExtra);
}

const json::object* entryOf(const json::value& obj, std::string_view manager,
                            std::string_view operation = "Apply") {
    const json::array* entries = arrayAt(*objectAt(obj.get_object(), "metadata"), "managedFields");
    if (entries == nullptr) {
        return nullptr;
    }
    for (const json::value& e : *entries) {
        if (stringAt(e.get_object(), "manager") == manager &&
            stringAt(e.get_object(), "operation") == operation) {
            return &e.get_object();
        }
    }
    return nullptr;
}

FieldSet ownedBy(const json::value& obj, std::string_view manager,
                 std::string_view operation = "Apply") {
    const json::object* entry = entryOf(obj, manager, operation);
    if (entry == nullptr) {
        return {};
    }
    return *fromFieldsV1(entry->at("fieldsV1"));
}

size_t entryCount(const json::value& obj) {
    const json::array* entries = arrayAt(*objectAt(obj.get_object(), "metadata"), "managedFields");
    return entries != nullptr ? entries->size() : 0;
}

Path path(std::initializer_list<std::string_view> fields) {
    Path p;
    for (std::string_view name : fields) {
        p.push_back(PathElement::ofField(std::string(name)));
    }
    return p;
}

const Path Replicas = path({"spec", "replicas"});

Path containerField(std::string_view container, std::string_view field) {
    Path p = path({"spec", "template", "spec", "containers"});
    p.push_back(PathElement::ofKey({{"name", json::value(container)}}));
    p.push_back(PathElement::ofField(std::string(field)));
    return p;
}

const json::value& at(const json::value& v, std::initializer_list<std::string_view> keys) {
    const json::value* cur = &v;
    for (std::string_view key : keys) {
        cur = &cur->get_object().at(key);
    }
    return *cur;
}

bool hasAt(const json::value& v, std::initializer_list<std::string_view> keys) {
    const json::value* cur = &v;
    for (std::string_view key : keys) {
        if (!cur->is_object() || !cur->get_object().contains(key)) {
            return false;
        }
        cur = &cur->get_object().at(key);
    }
    return true;
}

json::value applyOk(const json::value* live, const json::value& applied, const WriteContext& ctx,
                    bool force = false) {
    auto result = apply(live, applied, ctx, force);
    EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
    if (!result) {
        return {};
    }
    EXPECT_TRUE(result->conflicts.empty()) << conflictsMessage(result->conflicts);
    return result->object;
}

// --- fieldsOf ---------------------------------------------------------------------------------

TEST(FieldsOf, DeploymentManifestMatchesUpstreamManagedFields) {
    ASSERT_NE(deploymentSchema(), nullptr);
    const json::value manifest = J(R"({"apiVersion":"apps/v1","kind":"Deployment",
        "metadata":{"name":"web","labels":{"app":"web"},"finalizers":["example.com/x"]},
        "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
          "template":{"metadata":{"labels":{"app":"web"}},
            "spec":{"containers":[{"name":"web","image":"nginx","args":["-g","daemon off;"],
              "ports":[{"containerPort":80}],"env":[{"name":"A","value":"1"}],
              "resources":{}}]}}}})");
    const FieldSet set = fieldsOf(manifest, deploymentSchema());
    // The selector is an atomic struct; args an atomic list; ports are keyed by containerPort
    // and protocol (defaulted to TCP); env by name; finalizers a set; an empty struct
    // (resources) sets nothing.
    EXPECT_EQ(
        json::serialize(toFieldsV1(set)),
        R"({"f:apiVersion":{},"f:kind":{},"f:metadata":{"f:finalizers":{"v:\"example.com/x\"":{}},)"
        R"("f:labels":{"f:app":{}},"f:name":{}},"f:spec":{"f:replicas":{},"f:selector":{},)"
        R"("f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{)"
        R"("k:{\"name\":\"web\"}":{".":{},"f:args":{},"f:env":{"k:{\"name\":\"A\"}":{".":{},)"
        R"("f:name":{},"f:value":{}}},"f:image":{},"f:name":{},"f:ports":{)"
        R"("k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}})");
}

TEST(FieldsOf, SchemaLessObjectsAreMapsWithAtomicLists) {
    const FieldSet set = fieldsOf(J(R"({"spec":{"a":{"b":1},"list":[1,2]}})"), nullptr);
    EXPECT_EQ(json::serialize(toFieldsV1(set)),
              R"({"f:spec":{".":{},"f:a":{".":{},"f:b":{}},"f:list":{}}})");
}

// --- apply ------------------------------------------------------------------------------------

TEST(Apply, CreateRecordsTheApplierAsOwnerOfExactlyTheAppliedFields) {
    const json::value manifest = deploymentWith(webSpec(2), R"(,"labels":{"app":"web"})");
    auto result = apply(nullptr, manifest, context("kubectl"), false);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_TRUE(result->changed);
    const json::value& obj = result->object;
    EXPECT_JSON_EQ(at(obj, {"spec"}), at(manifest, {"spec"}));
    ASSERT_EQ(entryCount(obj), 1u);
    const json::object* entry = entryOf(obj, "kubectl");
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(stringAt(*entry, "apiVersion"), "apps/v1");
    EXPECT_EQ(stringAt(*entry, "time"), "2024-05-01T10:00:00Z");
    EXPECT_EQ(stringAt(*entry, "fieldsType"), "FieldsV1");
    EXPECT_EQ(
        json::serialize(entry->at("fieldsV1")),
        R"({"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},)"
        R"("f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{)"
        R"("k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}}}}}})");
}

TEST(Apply, ReapplyingTheSameConfigurationChangesNothing) {
    const json::value manifest = deploymentWith(webSpec(2));
    const json::value live = applyOk(nullptr, manifest, context("kubectl"));
    auto again = apply(&live, manifest, context("kubectl", T0 + 1h), false);
    ASSERT_TRUE(again);
    EXPECT_FALSE(again->changed);
    EXPECT_JSON_EQ(again->object, live); // not even the entry's time moves
}

TEST(Apply, RejectsManagedFieldsVersionMismatchAndItemsWithoutKeys) {
    auto managed = apply(nullptr, deployment("{}", R"(,"managedFields":[])"), context("m"), false);
    ASSERT_FALSE(managed);
    EXPECT_EQ(managed.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(managed.error().message, "metadata.managedFields must be nil");

    json::value otherVersion = deployment("{}");
    otherVersion.get_object()["apiVersion"] = "apps/v1beta1";
    auto version = apply(nullptr, otherVersion, context("m"), false);
    ASSERT_FALSE(version);
    EXPECT_EQ(version.error().message, "Incorrect version specified in apply patch. Specified "
                                       "patch version: apps/v1beta1, expected: apps/v1");

    auto noKey =
        apply(nullptr, deployment(R"({"template":{"spec":{"containers":[{"image":"x"}]}}})"),
              context("m"), false);
    ASSERT_FALSE(noKey);
    EXPECT_NE(noKey.error().message.find(".spec.template.spec.containers: element 0: "
                                         "associative list with keys has an element that omits "
                                         "key field \"name\""),
              std::string::npos)
        << noKey.error().message;

    auto duplicate = apply(
        nullptr, deployment(R"({"template":{"spec":{"containers":[{"name":"a"},{"name":"a"}]}}})"),
        context("m"), false);
    ASSERT_FALSE(duplicate);
    EXPECT_NE(duplicate.error().message.find("duplicate entries for key [name=\"a\"]"),
              std::string::npos)
        << duplicate.error().message;
}

TEST(Apply, FieldsDroppedFromTheConfigurationAreRemoved) {
    const json::value first =
        deployment(R"({"replicas":3,"paused":true,"template":{"spec":{"containers":[
            {"name":"web","image":"nginx"},{"name":"side","image":"busybox"}]}}})",
                   R"(,"labels":{"app":"web","tier":"front"})");
    const json::value live = applyOk(nullptr, first, context("kubectl"));
    const json::value second = deployment(R"({"replicas":3,"template":{"spec":{"containers":[
            {"name":"web","image":"nginx"}]}}})",
                                          R"(,"labels":{"app":"web"})");
    const json::value after = applyOk(&live, second, context("kubectl", T0 + 1min));
    EXPECT_FALSE(hasAt(after, {"spec", "paused"}));
    EXPECT_FALSE(hasAt(after, {"metadata", "labels", "tier"}));
    EXPECT_JSON_EQ(at(after, {"metadata", "labels"}), J(R"({"app":"web"})"));
    EXPECT_JSON_EQ(at(after, {"spec", "template", "spec", "containers"}),
                   J(R"([{"name":"web","image":"nginx"}])"));
    EXPECT_EQ(ownedBy(after, "kubectl"), fieldsOf(second, deploymentSchema())
                                             .difference(fieldsOf(J(R"({"apiVersion":"","kind":"",
                                                 "metadata":{"name":"","namespace":""}})"),
                                                                  nullptr)));
    EXPECT_EQ(stringAt(*entryOf(after, "kubectl"), "time"), "2024-05-01T10:01:00Z");
}

TEST(Apply, FieldsNobodyOwnsStayWhenTheApplierDropsOthers) {
    // Defaults the server added (owned by nobody) are not removed with the applied fields.
    json::value live = applyOk(nullptr, deploymentWith(webSpec(2)), context("kubectl"));
    live.get_object()["spec"].get_object()["revisionHistoryLimit"] = 10;
    live.get_object()["spec"]
        .get_object()["template"]
        .get_object()["spec"]
        .get_object()["containers"]
        .get_array()[0]
        .get_object()["imagePullPolicy"] = "IfNotPresent";
    const json::value after = applyOk(
        &live, deployment(R"({"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":
            {"labels":{"app":"web"}},"spec":{"containers":[{"name":"web","image":"nginx:1.25"}]}}})"),
        context("kubectl", T0 + 1min));
    EXPECT_FALSE(hasAt(after, {"spec", "replicas"}));
    EXPECT_EQ(at(after, {"spec", "revisionHistoryLimit"}), json::value(10));
    EXPECT_EQ(
        at(after, {"spec", "template", "spec", "containers"}).get_array()[0].at("imagePullPolicy"),
        json::value("IfNotPresent"));
}

TEST(Apply, SharedFieldsAreCoOwnedAndOnlyRemovedWhenTheLastOwnerDropsThem) {
    const json::value live = applyOk(nullptr, deploymentWith(webSpec(3)), context("a"));
    // Same value: no conflict, both own it.
    const json::value shared = applyOk(&live, deployment(R"({"replicas":3})"), context("b"));
    EXPECT_TRUE(ownedBy(shared, "a").has(Replicas));
    EXPECT_TRUE(ownedBy(shared, "b").has(Replicas));

    // "a" drops replicas: "b" still owns it, so it stays.
    json::value noReplicas = webSpec(3);
    noReplicas.get_object().erase("replicas");
    const json::value aDropped = applyOk(&shared, deploymentWith(noReplicas), context("a"));
    EXPECT_EQ(at(aDropped, {"spec", "replicas"}), json::value(3));
    EXPECT_FALSE(ownedBy(aDropped, "a").has(Replicas));
    EXPECT_TRUE(ownedBy(aDropped, "b").has(Replicas));

    // "b" drops it too: now it goes; "b" owns nothing and its entry disappears.
    const json::value bDropped = applyOk(&aDropped, deployment("{}"), context("b"));
    EXPECT_FALSE(hasAt(bDropped, {"spec", "replicas"}));
    EXPECT_EQ(entryOf(bDropped, "b"), nullptr);
    EXPECT_NE(entryOf(bDropped, "a"), nullptr);
}

TEST(Apply, ConflictsWithAnUpdateManagerOnlyWhenTheValueChanges) {
    // Created by client-side apply (an ordinary create).
    const json::value created =
        update(nullptr, deploymentWith(webSpec(2)), context("kubectl-client-side-apply"));
    auto same = apply(&created, deployment(R"({"replicas":2})"), context("other"), false);
    ASSERT_TRUE(same);
    EXPECT_TRUE(same->conflicts.empty());
    EXPECT_TRUE(ownedBy(same->object, "other").has(Replicas));
    EXPECT_TRUE(ownedBy(same->object, "kubectl-client-side-apply", "Update").has(Replicas));

    auto changed = apply(&created, deployment(R"({"replicas":5})"), context("other"), false);
    ASSERT_TRUE(changed);
    ASSERT_EQ(changed->conflicts.size(), 1u);
    const Conflict& c = changed->conflicts[0];
    EXPECT_EQ(c.manager, "kubectl-client-side-apply");
    EXPECT_EQ(c.field(), ".spec.replicas");
    EXPECT_EQ(c.message(), R"(conflict with "kubectl-client-side-apply" using apps/v1)");
    EXPECT_EQ(conflictsMessage(changed->conflicts),
              R"(Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" )"
              R"(using apps/v1: .spec.replicas)");
    EXPECT_TRUE(changed->object.is_null());
}

TEST(Apply, SeveralConflictsAreGroupedByManager) {
    const json::value created = update(nullptr, deploymentWith(webSpec(2)), context("x"));
    const json::value applied = applyOk(&created, deployment(R"({"paused":true})"), context("y"));
    auto result = apply(&applied, deployment(R"({"replicas":4,"paused":false,"template":{
                            "spec":{"containers":[{"name":"web","image":"nginx:1.26"}]}}})"),
                        context("z"), false);
    ASSERT_TRUE(result);
    ASSERT_EQ(result->conflicts.size(), 3u);
    EXPECT_EQ(conflictsMessage(result->conflicts),
              "Apply failed with 3 conflicts: conflicts with \"x\" using apps/v1:\n"
              "- .spec.replicas\n"
              "- .spec.template.spec.containers[name=\"web\"].image\n"
              "conflicts with \"y\":\n"
              "- .spec.paused");
}

TEST(Apply, ForceMovesOwnershipToTheApplier) {
    const json::value created = update(nullptr, deploymentWith(webSpec(2)), context("editor"));
    auto forced = apply(&created, deployment(R"({"replicas":5})"), context("ops"), true);
    ASSERT_TRUE(forced);
    EXPECT_TRUE(forced->conflicts.empty());
    EXPECT_EQ(at(forced->object, {"spec", "replicas"}), json::value(5));
    EXPECT_TRUE(ownedBy(forced->object, "ops").has(Replicas));
    const FieldSet editor = ownedBy(forced->object, "editor", "Update");
    EXPECT_FALSE(editor.has(Replicas));
    EXPECT_TRUE(editor.has(containerField("web", "image"))); // the rest stays with the editor
}

TEST(Apply, AnUpdateAfterApplyTakesTheChangedFieldAndTheNextApplyConflicts) {
    const json::value live = applyOk(nullptr, deploymentWith(webSpec(2)), context("kubectl"));
    json::value scaled = live;
    scaled.get_object()["spec"].get_object()["replicas"] = 7;
    const json::value afterScale = update(&live, scaled, context("hpa", T0 + 5min));
    EXPECT_TRUE(ownedBy(afterScale, "hpa", "Update").has(Replicas));
    EXPECT_FALSE(ownedBy(afterScale, "kubectl").has(Replicas));
    EXPECT_TRUE(ownedBy(afterScale, "kubectl").has(containerField("web", "image")));
    EXPECT_EQ(stringAt(*entryOf(afterScale, "hpa", "Update"), "time"), "2024-05-01T10:05:00Z");
    // The entries come out Apply first, then Update.
    EXPECT_EQ(
        stringAt(
            arrayAt(at(afterScale, {"metadata"}).get_object(), "managedFields")->at(0).get_object(),
            "manager"),
        "kubectl");

    auto reapply = apply(&afterScale, deploymentWith(webSpec(2)), context("kubectl"), false);
    ASSERT_TRUE(reapply);
    ASSERT_EQ(reapply->conflicts.size(), 1u);
    EXPECT_EQ(conflictsMessage(reapply->conflicts),
              R"(Apply failed with 1 conflict: conflict with "hpa" using apps/v1: .spec.replicas)");
}

TEST(Apply, ContainersMergeByNameAndOtherManagersItemsSurvive) {
    const json::value live = applyOk(
        nullptr,
        deployment(R"({"template":{"spec":{"containers":[{"name":"web","image":"nginx"}]}}})"),
        context("a"));
    // "b" adds a sidecar and an env var in the "web" container: keyed merge, nothing replaced.
    const json::value both = applyOk(&live, deployment(R"({"template":{"spec":{"containers":[
            {"name":"web","env":[{"name":"B","value":"2"}]},{"name":"side","image":"busybox"}]}}})"),
                                     context("b"));
    EXPECT_JSON_EQ(at(both, {"spec", "template", "spec", "containers"}),
                   J(R"([{"name":"web","image":"nginx","env":[{"name":"B","value":"2"}]},
                         {"name":"side","image":"busybox"}])"));
    EXPECT_TRUE(ownedBy(both, "a").has(containerField("web", "image")));
    EXPECT_FALSE(ownedBy(both, "b").has(containerField("web", "image")));
    Path envB = containerField("web", "env");
    envB.push_back(PathElement::ofKey({{"name", json::value("B")}}));
    EXPECT_TRUE(ownedBy(both, "b").has(envB));

    // "a" re-applies without change: the sidecar and env of "b" stay.
    const json::value again = applyOk(
        &both,
        deployment(R"({"template":{"spec":{"containers":[{"name":"web","image":"nginx"}]}}})"),
        context("a"));
    EXPECT_EQ(at(again, {"spec", "template", "spec", "containers"}).get_array().size(), 2u);
    // "b" drops the sidecar: it goes, the env var too.
    const json::value dropped =
        applyOk(&again, deployment(R"({"template":{"spec":{"containers":[{"name":"web"}]}}})"),
                context("b"));
    EXPECT_JSON_EQ(at(dropped, {"spec", "template", "spec", "containers"}),
                   J(R"([{"name":"web","image":"nginx"}])"));
}

TEST(Apply, PortsAreKeyedByContainerPortAndDefaultedProtocol) {
    const json::value manifest = deployment(R"({"template":{"spec":{"containers":[
        {"name":"web","ports":[{"containerPort":80}]}]}}})");
    json::value live = applyOk(nullptr, manifest, context("a"));
    // The server defaults the protocol; the applied item still names the same port.
    live.get_object()["spec"]
        .get_object()["template"]
        .get_object()["spec"]
        .get_object()["containers"]
        .get_array()[0]
        .get_object()["ports"]
        .get_array()[0]
        .get_object()["protocol"] = "TCP";
    const json::value again = applyOk(&live, manifest, context("a", T0 + 1min));
    EXPECT_JSON_EQ(at(again, {"spec", "template", "spec", "containers"}),
                   J(R"([{"name":"web","ports":[{"containerPort":80,"protocol":"TCP"}]}])"));
    // Another port is added alongside, and dropping it removes only it.
    const json::value two = applyOk(&again, deployment(R"({"template":{"spec":{"containers":[
        {"name":"web","ports":[{"containerPort":80},{"containerPort":443}]}]}}})"),
                                    context("a"));
    EXPECT_EQ(at(two, {"spec", "template", "spec", "containers"})
                  .get_array()[0]
                  .at("ports")
                  .get_array()
                  .size(),
              2u);
    const json::value one = applyOk(&two, manifest, context("a"));
    EXPECT_JSON_EQ(at(one, {"spec", "template", "spec", "containers"}),
                   J(R"([{"name":"web","ports":[{"containerPort":80,"protocol":"TCP"}]}])"));
}

TEST(Apply, EnvIsKeyedByName) {
    const json::value live = applyOk(nullptr, deployment(R"({"template":{"spec":{"containers":[
        {"name":"web","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]}}})"),
                                     context("a"));
    const json::value changed = applyOk(&live, deployment(R"({"template":{"spec":{"containers":[
        {"name":"web","env":[{"name":"B","value":"3"}]}]}}})"),
                                        context("a"));
    EXPECT_JSON_EQ(at(changed, {"spec", "template", "spec", "containers"}),
                   J(R"([{"name":"web","env":[{"name":"B","value":"3"}]}])"));
}

TEST(Apply, FinalizersAreASetOfValues) {
    const json::value live =
        applyOk(nullptr, deployment("{}", R"(,"finalizers":["example.com/a"])"), context("a"));
    const json::value both =
        applyOk(&live, deployment("{}", R"(,"finalizers":["example.com/b"])"), context("b"));
    EXPECT_JSON_EQ(at(both, {"metadata", "finalizers"}), J(R"(["example.com/a","example.com/b"])"));
    EXPECT_EQ(json::serialize(entryOf(both, "b")->at("fieldsV1")),
              R"({"f:metadata":{"f:finalizers":{"v:\"example.com/b\"":{}}}})");
    const json::value aDropped = applyOk(&both, deployment("{}"), context("a"));
    EXPECT_JSON_EQ(at(aDropped, {"metadata", "finalizers"}), J(R"(["example.com/b"])"));
}

TEST(Apply, AtomicListsAreReplacedAndOwnedAsAWhole) {
    const json::value live = applyOk(nullptr, deployment(R"({"template":{"spec":{"containers":[
        {"name":"web","args":["a","b"],"command":["run"]}]}}})"),
                                     context("a"));
    EXPECT_TRUE(ownedBy(live, "a").has(containerField("web", "args")));
    const json::value changed = applyOk(&live, deployment(R"({"template":{"spec":{"containers":[
        {"name":"web","args":["c"],"command":["run"]}]}}})"),
                                        context("a"));
    EXPECT_JSON_EQ(at(changed, {"spec", "template", "spec", "containers"}),
                   J(R"([{"name":"web","args":["c"],"command":["run"]}])"));
    // Another manager changing one element conflicts on the whole list.
    auto other = apply(&changed, deployment(R"({"template":{"spec":{"containers":[
        {"name":"web","args":["d"]}]}}})"),
                       context("b"), false);
    ASSERT_TRUE(other);
    ASSERT_EQ(other->conflicts.size(), 1u);
    EXPECT_EQ(other->conflicts[0].field(), R"(.spec.template.spec.containers[name="web"].args)");
}

TEST(Apply, StatusIsNotOwnedThroughTheMainResource) {
    const json::value obj =
        applyOk(nullptr, J(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
                      "spec":{"replicas":1},"status":{"replicas":1}})"),
                context("a"));
    EXPECT_EQ(json::serialize(entryOf(obj, "a")->at("fieldsV1")),
              R"({"f:spec":{"f:replicas":{}}})");
}

TEST(Apply, ObjectsWithoutManagedFieldsAreOwnedBeforeTheFirstApply) {
    const json::value live = deploymentWith(webSpec(2));
    auto result = apply(&live, deployment(R"({"replicas":4})"), context("kubectl"), false);
    ASSERT_TRUE(result);
    ASSERT_EQ(result->conflicts.size(), 1u);
    EXPECT_EQ(result->conflicts[0].manager, "before-first-apply");
}

TEST(Apply, KubectlTakesOverFieldsStillAsLastAppliedFromClientSideApply) {
    // Client-side apply created the object and stored its configuration in the annotation.
    const json::value config = deploymentWith(webSpec(2));
    const std::string annotation =
        fmt::format(R"(,"annotations":{{"kubectl.kubernetes.io/last-applied-configuration":{}}})",
                    json::serialize(json::string(json::serialize(config))));
    const json::value created = update(nullptr, deploymentWith(webSpec(2), annotation),
                                       context("kubectl-client-side-apply"));

    auto takeover = apply(&created, deploymentWith(webSpec(3)), context("kubectl"), false);
    ASSERT_TRUE(takeover);
    EXPECT_TRUE(takeover->conflicts.empty()) << conflictsMessage(takeover->conflicts);
    EXPECT_TRUE(ownedBy(takeover->object, "kubectl").has(Replicas));
    EXPECT_FALSE(ownedBy(takeover->object, "kubectl-client-side-apply", "Update").has(Replicas));
    // The annotation now holds what kubectl applied, so client-side apply diffs against it.
    const std::string refreshed =
        stringAt(objectAt(objectAt(takeover->object.get_object(), "metadata"), "annotations"),
                 "kubectl.kubernetes.io/last-applied-configuration");
    ASSERT_FALSE(refreshed.empty());
    EXPECT_EQ(refreshed.back(), '\n');
    EXPECT_JSON_EQ(json::parse(refreshed), deploymentWith(webSpec(3)));

    // Another manager name gets the conflict.
    auto other = apply(&created, deploymentWith(webSpec(3)), context("someone"), false);
    ASSERT_TRUE(other);
    EXPECT_EQ(other->conflicts.size(), 1u);

    // Once the live value drifted from the annotation (someone scaled), kubectl conflicts too.
    json::value drifted = created;
    drifted.get_object()["spec"].get_object()["replicas"] = 5;
    const json::value scaled = update(&created, drifted, context("kubectl-client-side-apply"));
    auto conflict = apply(&scaled, deploymentWith(webSpec(3)), context("kubectl"), false);
    ASSERT_TRUE(conflict);
    EXPECT_EQ(conflict->conflicts.size(), 1u);
}

TEST(Apply, DuplicateLiveItemsTheConfigurationDoesNotNameSurvive) {
    const json::value created = update(nullptr, deployment(R"({"template":{"spec":{"containers":[
        {"name":"web","env":[{"name":"A","value":"1"},{"name":"A","value":"2"}]}]}}})"),
                                       context("editor"));
    const json::value applied = applyOk(&created, deployment(R"({"template":{"spec":{"containers":[
        {"name":"web","image":"nginx"}]}}})"),
                                        context("a"));
    EXPECT_JSON_EQ(at(applied, {"spec", "template", "spec", "containers"}),
                   J(R"([{"name":"web","env":[{"name":"A","value":"1"},{"name":"A","value":"2"}],
                          "image":"nginx"}])"));
}

// --- update -----------------------------------------------------------------------------------

TEST(Update, CreateOwnsEverythingWithUpstreamMarkers) {
    const json::value created =
        update(nullptr,
               deployment(R"({"replicas":1,"template":{"spec":{"containers":[
            {"name":"web","image":"nginx","env":[{"name":"A","value":"1"}]}]}}})",
                          R"(,"labels":{"app":"web"},"uid":"u1","resourceVersion":"5")"),
               context("kubectl-create"));
    const json::object* entry = entryOf(created, "kubectl-create", "Update");
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(stringAt(*entry, "apiVersion"), "apps/v1");
    EXPECT_EQ(stringAt(*entry, "time"), "2024-05-01T10:00:00Z");
    // Maps and optional lists that appear are owned themselves ("."); structs and the required
    // containers list are not; server-managed metadata is nobody's.
    EXPECT_EQ(json::serialize(entry->at("fieldsV1")),
              R"({"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},)"
              R"("f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},)"
              R"("f:env":{".":{},"k:{\"name\":\"A\"}":{".":{},"f:name":{},"f:value":{}}},)"
              R"("f:image":{},"f:name":{}}}}}}})");
}

TEST(Update, ChangedFieldsMoveAndRemovedFieldsLeaveEveryEntry) {
    const json::value created = update(nullptr, deploymentWith(webSpec(2)), context("creator"));
    json::value edited = created;
    edited.get_object()["spec"].get_object()["replicas"] = 3;
    edited.get_object()["spec"]
        .get_object()["template"]
        .get_object()["metadata"]
        .get_object()
        .erase("labels");
    const json::value after = update(&created, edited, context("editor", T0 + 1h));
    const FieldSet creator = ownedBy(after, "creator", "Update");
    const FieldSet editor = ownedBy(after, "editor", "Update");
    EXPECT_FALSE(creator.has(Replicas));
    EXPECT_TRUE(editor.has(Replicas));
    EXPECT_FALSE(creator.has(path({"spec", "template", "metadata", "labels", "app"})));
    EXPECT_FALSE(editor.has(path({"spec", "template", "metadata", "labels", "app"})));
    EXPECT_TRUE(creator.has(containerField("web", "image")));

    // A write that changes nothing leaves the entries (and their times) alone.
    const json::value same = update(&after, after, context("editor", T0 + 2h));
    EXPECT_JSON_EQ(same, after);
}

TEST(Update, RequestsMayResetManagedFields) {
    const json::value created = update(nullptr, deploymentWith(webSpec(2)), context("creator"));
    json::value reset = created;
    reset.get_object()["metadata"].get_object()["managedFields"] = json::array();
    const json::value after = update(&created, reset, context("editor"));
    EXPECT_EQ(entryCount(after), 0u);

    // Without managedFields in the request, the stored ones carry on.
    json::value plain = created;
    plain.get_object()["metadata"].get_object().erase("managedFields");
    const json::value kept = update(&created, plain, context("editor"));
    EXPECT_EQ(entryCount(kept), 1u);
}

TEST(Update, SubresourceWritesOwnOnlyWhatTheEndpointServes) {
    const json::value created = update(nullptr, deploymentWith(webSpec(2)), context("creator"));
    json::value withStatus = created;
    withStatus.get_object()["status"] = J(R"({"replicas":2,"conditions":[
        {"type":"Available","status":"True"}]})");
    withStatus.get_object()["spec"].get_object()["paused"] = true; // reset by the endpoint
    WriteContext status = context("controller");
    status.subresource = "status";
    const json::value after = update(&created, withStatus, status);
    ASSERT_EQ(entryCount(after), 2u);
    const json::object* controller = entryOf(after, "controller", "Update");
    ASSERT_NE(controller, nullptr);
    const json::object& entry = *controller;
    EXPECT_EQ(stringAt(entry, "manager"), "controller");
    EXPECT_EQ(stringAt(entry, "subresource"), "status");
    EXPECT_EQ(json::serialize(entry.at("fieldsV1")),
              R"({"f:status":{"f:conditions":{".":{},"k:{\"type\":\"Available\"}":{".":{},)"
              R"("f:status":{},"f:type":{}}},"f:replicas":{}}})");

    // The main resource never owns status.
    json::value mainWrite = created;
    mainWrite.get_object()["status"] = J(R"({"replicas":1})");
    EXPECT_EQ(entryOf(update(&created, mainWrite, context("someone")), "someone", "Update"),
              nullptr);
}

TEST(Update, AtMostTenUpdateManagersAreKept) {
    json::value obj = update(nullptr, deploymentWith(webSpec(1)), context("m0"));
    for (int i = 1; i <= 11; ++i) {
        json::value next = obj;
        (*ensureObject(next.get_object()["metadata"].get_object(),
                       "labels"))[fmt::format("l{}", i)] = "x";
        obj = update(&obj, next, context(fmt::format("m{}", i), T0 + std::chrono::minutes(i)));
    }
    EXPECT_EQ(entryCount(obj), 10u);
    EXPECT_NE(entryOf(obj, "ancient-changes", "Update"), nullptr);
    EXPECT_NE(entryOf(obj, "m11", "Update"), nullptr);
}

} // namespace
} // namespace pilot::kube::fieldmanager
