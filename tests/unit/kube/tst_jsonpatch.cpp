#include "kube/jsonpatch.h"

#include "testjson.h"

#include <gtest/gtest.h>

#include <ostream>

namespace pilot::kube {
namespace {

using test::J;

struct PatchCase {
    const char* name;
    const char* doc;
    const char* patch;
    const char* expected; // result JSON, or nullptr when an error is expected
    const char* error = "";
};

void PrintTo(const PatchCase& c, std::ostream* os) {
    *os << c.name;
}

class JsonPatchTest : public ::testing::TestWithParam<PatchCase> {};

TEST_P(JsonPatchTest, Applies) {
    const PatchCase& c = GetParam();
    const auto doc = J(c.doc);
    const auto before = doc;
    auto result = applyJsonPatch(doc, J(c.patch));
    EXPECT_JSON_EQ(doc, before); // the input is never modified
    if (c.expected == nullptr) {
        ASSERT_FALSE(result.has_value()) << c.name << " gave " << boost::json::serialize(*result);
        EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument);
        EXPECT_EQ(result.error().message, c.error) << c.name;
        return;
    }
    ASSERT_TRUE(result.has_value()) << c.name << ": " << result.error().message;
    EXPECT_JSON_EQ(*result, J(c.expected)) << c.name;
}

INSTANTIATE_TEST_SUITE_P(
    Rfc6902, JsonPatchTest,
    ::testing::Values(
        PatchCase{"add member", R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux"}])",
                  R"({"baz":"qux","foo":"bar"})"},
        PatchCase{"add array element", R"({"foo":["bar","baz"]})",
                  R"([{"op":"add","path":"/foo/1","value":"qux"}])",
                  R"({"foo":["bar","qux","baz"]})"},
        PatchCase{"add at end index", R"({"foo":["bar"]})",
                  R"([{"op":"add","path":"/foo/1","value":"x"}])", R"({"foo":["bar","x"]})"},
        PatchCase{"append with dash", R"({"foo":["bar"]})",
                  R"([{"op":"add","path":"/foo/-","value":["abc","def"]}])",
                  R"({"foo":["bar",["abc","def"]]})"},
        PatchCase{"add replaces member", R"({"a":1})", R"([{"op":"add","path":"/a","value":2}])",
                  R"({"a":2})"},
        PatchCase{"add null value", R"({})", R"([{"op":"add","path":"/a","value":null}])",
                  R"({"a":null})"},
        PatchCase{"add root", R"({"a":1})", R"([{"op":"add","path":"","value":[1]}])", "[1]"},
        PatchCase{"remove member", R"({"baz":"qux","foo":"bar"})",
                  R"([{"op":"remove","path":"/baz"}])", R"({"foo":"bar"})"},
        PatchCase{"remove element", R"({"foo":["bar","qux","baz"]})",
                  R"([{"op":"remove","path":"/foo/1"}])", R"({"foo":["bar","baz"]})"},
        PatchCase{"replace", R"({"baz":"qux","foo":"bar"})",
                  R"([{"op":"replace","path":"/baz","value":"boo"}])",
                  R"({"baz":"boo","foo":"bar"})"},
        PatchCase{"move member", R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})",
                  R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])",
                  R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})"},
        PatchCase{"move element", R"({"foo":["all","grass","cows","eat"]})",
                  R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])",
                  R"({"foo":["all","cows","eat","grass"]})"},
        PatchCase{"move onto itself", R"({"a":1})", R"([{"op":"move","from":"/a","path":"/a"}])",
                  R"({"a":1})"},
        PatchCase{"copy", R"({"a":{"b":[1]}})", R"([{"op":"copy","from":"/a","path":"/c"},
                  {"op":"add","path":"/c/b/-","value":2}])",
                  R"({"a":{"b":[1]},"c":{"b":[1,2]}})"},
        PatchCase{"test ok", R"({"baz":"qux","foo":["a",2,"c"]})",
                  R"([{"op":"test","path":"/baz","value":"qux"},
                      {"op":"test","path":"/foo/1","value":2.0}])",
                  R"({"baz":"qux","foo":["a",2,"c"]})"},
        PatchCase{"nested add", R"({"foo":"bar"})",
                  R"([{"op":"add","path":"/child","value":{"grandchild":{}}}])",
                  R"({"foo":"bar","child":{"grandchild":{}}})"},
        PatchCase{"ignores unknown members", R"({"foo":"bar"})",
                  R"([{"op":"add","path":"/baz","value":"qux","xyz":123}])",
                  R"({"foo":"bar","baz":"qux"})"},
        PatchCase{"pointer escapes", R"({"/":9,"~1":10,"a/b":{"c~d":1}})",
                  R"([{"op":"test","path":"/~01","value":10},
                      {"op":"replace","path":"/a~1b/c~0d","value":2}])",
                  R"({"/":9,"~1":10,"a/b":{"c~d":2}})"},
        PatchCase{"empty key", R"({"":1})", R"([{"op":"replace","path":"/","value":2}])",
                  R"({"":2})"},
        PatchCase{"rollout undo", R"({"metadata":{"annotations":{"a":"1"}},
                  "spec":{"template":{"metadata":{"labels":{"app":"v2"}}}}})",
                  R"([{"op":"replace","path":"/spec/template","value":{"metadata":{"labels":
                      {"app":"v1"}}}},{"op":"replace","path":"/metadata/annotations",
                      "value":{"b":"2"}}])",
                  R"({"metadata":{"annotations":{"b":"2"}},"spec":{"template":{"metadata":
                      {"labels":{"app":"v1"}}}}})"},
        PatchCase{"empty patch", R"({"a":1})", "[]", R"({"a":1})"}));

INSTANTIATE_TEST_SUITE_P(
    Errors, JsonPatchTest,
    ::testing::Values(
        PatchCase{"test fails", R"({"baz":"qux"})",
                  R"([{"op":"test","path":"/baz","value":"bar"}])", nullptr,
                  "json patch operation 0 (test /baz): test failed: value at /baz is \"qux\", "
                  "expected \"bar\""},
        PatchCase{"string is not number", R"({"/":9,"~1":10})",
                  R"([{"op":"test","path":"/~01","value":"10"}])", nullptr,
                  "json patch operation 0 (test /~01): test failed: value at /~01 is 10, expected "
                  "\"10\""},
        PatchCase{"add to missing parent", R"({"foo":"bar"})",
                  R"([{"op":"add","path":"/baz/bat","value":"qux"}])", nullptr,
                  "json patch operation 0 (add /baz/bat): path /baz not found"},
        PatchCase{"replace missing", R"({"spec":{}})",
                  R"([{"op":"add","path":"/a","value":1},
                      {"op":"replace","path":"/spec/foo","value":1}])",
                  nullptr, "json patch operation 1 (replace /spec/foo): path /spec/foo not found"},
        PatchCase{"remove missing", R"({})", R"([{"op":"remove","path":"/x"}])", nullptr,
                  "json patch operation 0 (remove /x): path /x not found"},
        PatchCase{"remove root", R"({})", R"([{"op":"remove","path":""}])", nullptr,
                  "json patch operation 0 (remove ): cannot remove the whole document"},
        PatchCase{"index out of range", R"({"a":[1]})", R"([{"op":"add","path":"/a/2","value":1}])",
                  nullptr,
                  "json patch operation 0 (add /a/2): array index 2 out of range (length 1)"},
        PatchCase{"leading zero index", R"({"a":[1,2]})", R"([{"op":"remove","path":"/a/01"}])",
                  nullptr, "json patch operation 0 (remove /a/01): invalid array index \"01\""},
        PatchCase{"dash outside add", R"({"a":[1]})", R"([{"op":"remove","path":"/a/-"}])", nullptr,
                  "json patch operation 0 (remove /a/-): invalid array index \"-\""},
        PatchCase{"add into scalar", R"({"a":1})", R"([{"op":"add","path":"/a/b","value":1}])",
                  nullptr,
                  "json patch operation 0 (add /a/b): cannot add to /a: it is a number, not an "
                  "object or array"},
        PatchCase{"missing value", R"({})", R"([{"op":"add","path":"/a"}])", nullptr,
                  "json patch operation 0 (add /a): missing \"value\""},
        PatchCase{"missing path", R"({})", R"([{"op":"add","value":1}])", nullptr,
                  "json patch operation 0 (add <none>): missing \"path\""},
        PatchCase{"bad pointer", R"({})", R"([{"op":"add","path":"a","value":1}])", nullptr,
                  "json patch operation 0 (add a): invalid JSON pointer \"a\": must be empty "
                  "or start with '/'"},
        PatchCase{"bad escape", R"({})", R"([{"op":"add","path":"/a~2","value":1}])", nullptr,
                  "json patch operation 0 (add /a~2): invalid JSON pointer \"/a~2\": '~' must "
                  "be followed by '0' or '1'"},
        PatchCase{"unknown op", R"({})", R"([{"op":"merge","path":"/a"}])", nullptr,
                  "json patch operation 0 (merge /a): unknown operation \"merge\""},
        PatchCase{"missing op", R"({})", R"([{"path":"/a"}])", nullptr,
                  "json patch operation 0: missing string \"op\""},
        PatchCase{"op not object", R"({})", R"([1])", nullptr,
                  "json patch operation 0: must be an object, not a number"},
        PatchCase{"patch not array", R"({})", R"({"op":"add"})", nullptr,
                  "json patch must be an array of operations, not a object"},
        PatchCase{"move into child", R"({"a":{"b":1}})",
                  R"([{"op":"move","from":"/a","path":"/a/b/c"}])", nullptr,
                  "json patch operation 0 (move /a/b/c): cannot move a value into one of its "
                  "own children"},
        PatchCase{"move from missing", R"({})", R"([{"op":"move","from":"/x","path":"/y"}])",
                  nullptr, "json patch operation 0 (move /y): path /x not found"}));

TEST(JsonPatchLimitsTest, TooManyOperations) {
    boost::json::array ops;
    for (size_t i = 0; i <= MaxJsonPatchOperations; ++i) {
        ops.push_back(J(R"({"op":"test","path":"","value":{}})"));
    }
    auto result = applyJsonPatch(J("{}"), ops);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().message,
              "The allowed maximum operations in a JSON patch is 10000, got 10001");
}

TEST(JsonPointerTest, Tokens) {
    EXPECT_EQ(*parseJsonPointer(""), std::vector<std::string>{});
    EXPECT_EQ(*parseJsonPointer("/"), std::vector<std::string>{""});
    EXPECT_EQ(*parseJsonPointer("/a~1b/~0c/~01"), (std::vector<std::string>{"a/b", "~c", "~1"}));
    EXPECT_EQ(*parseJsonPointer("/a//b/"), (std::vector<std::string>{"a", "", "b", ""}));
    EXPECT_FALSE(parseJsonPointer("/a~").has_value());
}

} // namespace
} // namespace pilot::kube
