#include "kube/jsonpath.h"

#include "testjson.h"

#include <gtest/gtest.h>

#include <ostream>

namespace pilot::kube {
namespace {

using test::J;

const boost::json::value Doc = J(R"({
  "metadata": {"name": "web", "labels": {"app": "web", "app.kubernetes.io/name": "shop"}},
  "spec": {"replicas": 3, "paused": false},
  "status": {"conditions": [
      {"type": "Available", "status": "True", "priority": 1},
      {"type": "Ready", "status": "False", "priority": 5},
      {"type": "Progressing", "status": "True", "priority": 3}]},
  "items": [{"name": "a", "n": {"name": "inner"}}, {"name": "b"}, {"other": 1}]
})");

struct PathCase {
    const char* path;
    const char* expected; // JSON array of the selected values
};

void PrintTo(const PathCase& c, std::ostream* os) {
    *os << c.path;
}

class JsonPathTest : public ::testing::TestWithParam<PathCase> {};

TEST_P(JsonPathTest, Selects) {
    auto result = evaluateJsonPath(Doc, GetParam().path);
    ASSERT_TRUE(result.has_value()) << GetParam().path << ": " << result.error().message;
    boost::json::array values;
    for (const boost::json::value* v : *result) {
        values.push_back(*v);
    }
    EXPECT_JSON_EQ(boost::json::value(values), J(GetParam().expected)) << GetParam().path;
}

INSTANTIATE_TEST_SUITE_P(
    Paths, JsonPathTest,
    ::testing::Values(
        PathCase{".spec.replicas", "[3]"}, PathCase{"{.spec.replicas}", "[3]"},
        PathCase{"$.spec.paused", "[false]"}, PathCase{"spec.replicas", "[3]"},
        PathCase{".status.conditions[0].type", R"(["Available"])"},
        PathCase{".status.conditions[-1].type", R"(["Progressing"])"},
        PathCase{".status.conditions[7].type", "[]"},
        PathCase{".metadata.labels.app", R"(["web"])"},
        PathCase{".metadata.labels.app\\.kubernetes\\.io/name", R"(["shop"])"},
        PathCase{".metadata.labels['app.kubernetes.io/name']", R"(["shop"])"},
        PathCase{".items[*].name", R"(["a","b"])"}, PathCase{".items[0:2].name", R"(["a","b"])"},
        PathCase{".items[1:].name", R"(["b"])"},
        PathCase{".status.conditions[?(@.type==\"Ready\")].status", R"(["False"])"},
        PathCase{".status.conditions[?(@.type=='Ready')].status", R"(["False"])"},
        PathCase{".status.conditions[?(@.status!=\"True\")].type", R"(["Ready"])"},
        PathCase{".status.conditions[?(@.priority>2)].type", R"(["Ready","Progressing"])"},
        PathCase{".status.conditions[?(@.priority<=1)].type", R"(["Available"])"},
        PathCase{".items[?(@.name)].name", R"(["a","b"])"},
        PathCase{"..name", R"(["web","a","inner","b"])"}, PathCase{".spec.*", "[3,false]"},
        PathCase{".missing.field", "[]"}, PathCase{".spec.replicas.deeper", "[]"}));

TEST(JsonPathTest, RootSelectsTheDocument) {
    auto result = evaluateJsonPath(Doc, "{.}");
    ASSERT_TRUE(result.has_value());
    ASSERT_EQ(result->size(), 1u);
    EXPECT_EQ((*result)[0], &Doc);
}

TEST(JsonPathTest, ParseOnceEvaluateMany) {
    auto path = JsonPath::parse(".spec.replicas");
    ASSERT_TRUE(path.has_value());
    const auto other = J(R"({"spec":{"replicas":7}})");
    ASSERT_EQ(path->evaluate(other).size(), 1u);
    EXPECT_EQ(*path->evaluate(other)[0], 7);
    EXPECT_EQ(*path->evaluate(Doc)[0], 3);
    EXPECT_EQ(path->expression(), ".spec.replicas");
}

class JsonPathErrorTest : public ::testing::TestWithParam<const char*> {};

TEST_P(JsonPathErrorTest, RejectsMalformedPaths) {
    auto result = evaluateJsonPath(Doc, GetParam());
    ASSERT_FALSE(result.has_value()) << GetParam();
    EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(result.error().message.find("invalid jsonpath"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Errors, JsonPathErrorTest,
                         ::testing::Values(".items[", ".items[x]", ".items[?(@.a==)]",
                                           ".items[?(.a)]", "{.spec", ".a['b]", ".a..",
                                           ".items[0:1:0]"));

} // namespace
} // namespace pilot::kube
