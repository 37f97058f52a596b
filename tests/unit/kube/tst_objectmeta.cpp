#include "kube/objectmeta.h"

#include "testjson.h"

#include <gtest/gtest.h>

#include <ostream>

namespace pilot::kube {
namespace {

using test::J;

const boost::json::value Pod = J(R"({
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {
    "name": "web-1", "namespace": "default", "uid": "u-1", "resourceVersion": "42",
    "generation": 3, "creationTimestamp": "2026-11-21T19:45:45Z",
    "deletionTimestamp": "2026-11-21T20:00:00Z",
    "labels": {"app": "web", "tier": "front"},
    "annotations": {"note": "x", "count": 5},
    "finalizers": ["a/b", 7, "c"],
    "ownerReferences": [
      {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "rs-1"},
      {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "ctl", "uid": "rs-2",
       "controller": true}]
  },
  "spec": {"nodeName": "node-1", "hostNetwork": true, "priority": 10, "ratio": 0.5,
           "containers": [{"name": "main"}]},
  "status": {"phase": "Running"}
})");

TEST(ObjectMetaTest, ReadsMetadata) {
    const boost::json::object& pod = Pod.as_object();
    EXPECT_EQ(apiVersion(pod), "v1");
    EXPECT_EQ(kind(pod), "Pod");
    EXPECT_EQ(name(pod), "web-1");
    EXPECT_EQ(namespaceOf(pod), "default");
    EXPECT_EQ(uid(pod), "u-1");
    EXPECT_EQ(resourceVersion(pod), "42");
    EXPECT_EQ(generation(pod), 3);
    EXPECT_EQ(creationTimestamp(pod), "2026-11-21T19:45:45Z");
    EXPECT_TRUE(hasDeletionTimestamp(pod));
    ASSERT_NE(labels(pod), nullptr);
    EXPECT_EQ(labels(pod)->size(), 2u);
    EXPECT_EQ(label(pod, "app"), "web");
    EXPECT_EQ(label(pod, "missing"), std::nullopt);
    EXPECT_EQ(annotation(pod, "note"), "x");
    EXPECT_EQ(annotation(pod, "count"), std::nullopt); // not a string
    EXPECT_EQ(finalizers(pod), (std::vector<std::string_view>{"a/b", "c"}));
    EXPECT_TRUE(hasFinalizer(pod, "c"));
    EXPECT_FALSE(hasFinalizer(pod, "d"));
    ASSERT_NE(ownerReferences(pod), nullptr);
    EXPECT_EQ(ownerReferences(pod)->size(), 2u);
    ASSERT_NE(controllerRef(pod), nullptr);
    EXPECT_EQ(controllerRef(pod)->at("uid"), "rs-2");
}

TEST(ObjectMetaTest, ToleratesMissingAndMistypedFields) {
    const auto empty = J("{}");
    const auto bad = J(R"({"metadata": {"name": 5, "labels": "x", "generation": "3",
                                        "finalizers": {}}})");
    for (const auto* v : {&empty, &bad}) {
        const boost::json::object& obj = v->as_object();
        EXPECT_EQ(name(obj), "");
        EXPECT_EQ(namespaceOf(obj), "");
        EXPECT_EQ(generation(obj), 0);
        EXPECT_EQ(labels(obj), nullptr);
        EXPECT_FALSE(hasDeletionTimestamp(obj));
        EXPECT_TRUE(finalizers(obj).empty());
        EXPECT_EQ(ownerReferences(obj), nullptr);
        EXPECT_EQ(controllerRef(obj), nullptr);
    }
}

TEST(ObjectMetaTest, SetResourceVersionCreatesMetadata) {
    boost::json::object obj;
    setResourceVersion(obj, 17);
    EXPECT_EQ(resourceVersion(obj), "17");
    obj["metadata"] = "garbage";
    setResourceVersion(obj, 18);
    EXPECT_EQ(resourceVersion(obj), "18");
}

struct AtCase {
    const char* path;
    const char* expected; // scalarString of the result, or nullptr when missing
};

void PrintTo(const AtCase& c, std::ostream* os) {
    *os << c.path;
}

class AtTest : public ::testing::TestWithParam<AtCase> {};

TEST_P(AtTest, FollowsDottedPaths) {
    const boost::json::value* v = at(Pod, GetParam().path);
    if (GetParam().expected == nullptr) {
        EXPECT_EQ(v, nullptr) << GetParam().path;
        return;
    }
    ASSERT_NE(v, nullptr) << GetParam().path;
    EXPECT_EQ(scalarString(*v), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Paths, AtTest,
    ::testing::Values(AtCase{"spec.nodeName", "node-1"}, AtCase{"spec.hostNetwork", "true"},
                      AtCase{"spec.priority", "10"}, AtCase{"spec.ratio", "0.5"},
                      AtCase{"metadata.labels.app", "web"}, AtCase{"status.phase", "Running"},
                      AtCase{"spec.containers.0.name", "main"},
                      AtCase{"spec.containers.1.name", nullptr},
                      AtCase{"spec.containers.x", nullptr}, AtCase{"spec.missing", nullptr},
                      AtCase{"status.phase.deeper", nullptr},
                      AtCase{"metadata.finalizers", R"(["a/b",7,"c"])"}));

TEST(ObjectMetaTest, ScalarStringOfNullIsEmpty) {
    EXPECT_EQ(scalarString(boost::json::value(nullptr)), "");
    EXPECT_EQ(scalarString(boost::json::value(false)), "false");
    EXPECT_EQ(scalarString(boost::json::value(-3)), "-3");
}

} // namespace
} // namespace pilot::kube
