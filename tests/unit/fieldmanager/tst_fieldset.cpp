#include "kube/fieldmanager/fieldset.h"
#include "kube/fieldmanager/fieldsv1.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <string>

namespace pilot::kube::fieldmanager {
namespace {

namespace json = boost::json;

PathElement f(std::string name) {
    return PathElement::ofField(std::move(name));
}

PathElement k(std::string name, json::value value) {
    return PathElement::ofKey({{std::move(name), std::move(value)}});
}

FieldSet setOf(std::initializer_list<Path> paths) {
    FieldSet s;
    for (const Path& p : paths) {
        s.insert(p);
    }
    return s;
}

FieldSet decode(std::string_view text) {
    auto set = fromFieldsV1(json::parse(text));
    EXPECT_TRUE(set.has_value()) << (set ? "" : set.error().message);
    return set ? *set : FieldSet();
}

TEST(FieldsV1, RoundTripsTheUpstreamShapeByteForByte) {
    // managedFields as a 1.32 API server writes them (keys already in upstream order).
    const std::vector<std::string> samples = {
        R"({"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}}}}}})",
        R"({"f:metadata":{"f:annotations":{".":{},"f:deployment.kubernetes.io/revision":{}},"f:finalizers":{".":{},"v:\"example.com/a\"":{}}},"f:spec":{"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{"f:ports":{".":{},"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:protocol":{}},"k:{\"containerPort\":443,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}})",
        R"({"f:status":{"f:conditions":{"k:{\"type\":\"Available\"}":{".":{},"f:status":{},"f:type":{}}},"f:replicas":{}}})",
    };
    for (const std::string& text : samples) {
        SCOPED_TRACE(text);
        EXPECT_EQ(json::serialize(toFieldsV1(decode(text))), text);
    }
}

TEST(FieldsV1, WritesElementsInUpstreamOrderWhateverTheInsertionOrder) {
    FieldSet s;
    s.insert({f("spec"), f("template"), f("spec"), f("containers"), k("name", "web"), f("name")});
    s.insert({f("spec"), f("template"), f("spec"), f("containers"), k("name", "web")});
    s.insert({f("spec"), f("replicas")});
    s.insert({f("spec"), f("template"), f("spec"), f("containers"), k("name", "web"), f("image")});
    s.insert({f("metadata"), f("labels"), f("app")});
    // Numbers in keys compare numerically: 80 before 443.
    s.insert({f("spec"), f("ports"), k("port", 443)});
    s.insert({f("spec"), f("ports"), k("port", 80)});
    EXPECT_EQ(
        json::serialize(toFieldsV1(s)),
        R"({"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:ports":{"k:{\"port\":80}":{},"k:{\"port\":443}":{}},"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}}}}}})");
}

TEST(FieldsV1, KeyElementsSortTheirFieldsByName) {
    const PathElement e =
        PathElement::ofKey({{"protocol", json::value("TCP")}, {"containerPort", json::value(80)}});
    EXPECT_EQ(encodePathElement(e), R"(k:{"containerPort":80,"protocol":"TCP"})");
    auto back = decodePathElement(R"(k:{"protocol":"TCP","containerPort":80})");
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, e);
    EXPECT_EQ(encodePathElement(PathElement::ofValue("x")), R"(v:"x")");
    EXPECT_EQ(encodePathElement(PathElement::ofIndex(3)), "i:3");
}

TEST(FieldsV1, RejectsMalformedInput) {
    EXPECT_FALSE(fromFieldsV1(json::parse(R"({"x:foo":{}})")));
    EXPECT_FALSE(fromFieldsV1(json::parse(R"({"f:a":1})")));
    EXPECT_FALSE(fromFieldsV1(json::parse(R"({"k:notjson":{}})")));
    EXPECT_FALSE(fromFieldsV1(json::parse(R"({"i:1x":{}})")));
    EXPECT_FALSE(fromFieldsV1(json::parse("[]")));
}

TEST(FieldsV1, EmptyObjectIsALeafAndDotMarksANodeAsOwned) {
    const FieldSet s = decode(R"({"f:a":{},"f:b":{".":{},"f:c":{}},"f:d":{"f:e":{}}})");
    EXPECT_TRUE(s.has({f("a")}));
    EXPECT_TRUE(s.has({f("b")}));
    EXPECT_TRUE(s.has({f("b"), f("c")}));
    EXPECT_FALSE(s.has({f("d")}));
    EXPECT_TRUE(s.has({f("d"), f("e")}));
    EXPECT_EQ(s.size(), 4u);
}

TEST(FieldSet, PathsPrintLikeUpstreamConflicts) {
    EXPECT_EQ(pathString({f("spec"), f("template"), f("spec"), f("containers"), k("name", "web"),
                          f("image")}),
              R"(.spec.template.spec.containers[name="web"].image)");
    EXPECT_EQ(pathString({f("ports"), PathElement::ofKey({{"containerPort", json::value(80)},
                                                          {"protocol", json::value("TCP")}})}),
              R"(.ports[containerPort=80,protocol="TCP"])");
    EXPECT_EQ(pathString({f("metadata"), f("finalizers"), PathElement::ofValue("a/b")}),
              R"(.metadata.finalizers[="a/b"])");
    EXPECT_EQ(pathString({f("items"), PathElement::ofIndex(2)}), ".items[2]");
}

TEST(FieldSet, SetOperations) {
    const FieldSet a = setOf({{f("spec"), f("replicas")}, {f("spec"), f("paused")}, {f("x")}});
    const FieldSet b = setOf({{f("spec"), f("replicas")}, {f("y")}});

    const FieldSet both = a.intersectionWith(b);
    EXPECT_EQ(both, setOf({{f("spec"), f("replicas")}}));

    const FieldSet all = a.unionWith(b);
    EXPECT_EQ(all.size(), 4u);
    EXPECT_TRUE(all.has({f("y")}));

    const FieldSet onlyA = a.difference(b);
    EXPECT_EQ(onlyA, setOf({{f("spec"), f("paused")}, {f("x")}}));
    EXPECT_TRUE(a.difference(a).empty());
    EXPECT_TRUE(FieldSet().empty());
}

TEST(FieldSet, DifferenceIsPathByPathButRecursiveDifferenceTakesSubtrees) {
    const FieldSet s = setOf({{f("status")}, {f("status"), f("replicas")}, {f("spec"), f("x")}});
    const FieldSet status = setOf({{f("status")}});
    EXPECT_EQ(s.difference(status), setOf({{f("status"), f("replicas")}, {f("spec"), f("x")}}));
    EXPECT_EQ(s.recursiveDifference(status), setOf({{f("spec"), f("x")}}));
}

TEST(FieldSet, IteratesMembersBeforeChildren) {
    const FieldSet s = setOf({{f("spec"), f("template"), f("spec")},
                              {f("spec"), f("replicas")},
                              {f("metadata"), f("labels"), f("a")}});
    std::vector<std::string> printed;
    for (const Path& p : s.paths()) {
        printed.push_back(pathString(p));
    }
    EXPECT_EQ(printed, (std::vector<std::string>{".metadata.labels.a", ".spec.replicas",
                                                 ".spec.template.spec"}));
}

} // namespace
} // namespace pilot::kube::fieldmanager
