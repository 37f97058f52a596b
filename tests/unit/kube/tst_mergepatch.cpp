#include "kube/mergepatch.h"

#include "testjson.h"

#include <gtest/gtest.h>

#include <ostream>

namespace pilot::kube {
namespace {

using test::J;

struct MergeCase {
    const char* doc;
    const char* patch;
    const char* expected;
};

void PrintTo(const MergeCase& c, std::ostream* os) {
    *os << c.doc;
}

class ApplyMergePatchTest : public ::testing::TestWithParam<MergeCase> {};

TEST_P(ApplyMergePatchTest, FollowsRfc7386) {
    const auto doc = J(GetParam().doc);
    EXPECT_JSON_EQ(applyMergePatch(doc, J(GetParam().patch)), J(GetParam().expected))
        << GetParam().doc << " + " << GetParam().patch;
}

// RFC 7386 appendix A plus what kubectl label/scale send.
INSTANTIATE_TEST_SUITE_P(
    Rfc7386, ApplyMergePatchTest,
    ::testing::Values(
        MergeCase{R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
        MergeCase{R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
        MergeCase{R"({"a":"b"})", R"({"a":null})", R"({})"},
        MergeCase{R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
        MergeCase{R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
        MergeCase{R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
        MergeCase{R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
        MergeCase{R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
        MergeCase{R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
        MergeCase{R"({"a":"b"})", R"(["c"])", R"(["c"])"},
        MergeCase{R"({"a":"foo"})", "null", "null"},
        MergeCase{R"({"a":"foo"})", R"("bar")", R"("bar")"},
        MergeCase{R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
        MergeCase{R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
        MergeCase{R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
        MergeCase{R"({"metadata":{"name":"x","labels":{"a":"1"}}})",
                  R"({"metadata":{"labels":{"k":"v","a":null}}})",
                  R"({"metadata":{"name":"x","labels":{"k":"v"}}})"},
        MergeCase{R"({"spec":{"replicas":1,"selector":"app=web"}})", R"({"spec":{"replicas":3}})",
                  R"({"spec":{"replicas":3,"selector":"app=web"}})"}));

TEST(ApplyMergePatchTest, KeepsKeyOrder) {
    const auto result = applyMergePatch(J(R"({"a":1,"b":2,"c":3})"), J(R"({"a":null,"d":4})"));
    EXPECT_EQ(boost::json::serialize(result), R"({"b":2,"c":3,"d":4})");
}

TEST(ApplyMergePatchTest, HandlesMaximumJsonDepth) {
    std::string deep;
    for (int i = 0; i < 9999; ++i) {
        deep += "{\"a\":";
    }
    deep += "null" + std::string(9999, '}');
    const auto patch = J(deep);
    const auto result = applyMergePatch(J("{}"), patch);
    EXPECT_TRUE(result.is_object());
    EXPECT_JSON_EQ(createMergePatch(result, result), J("{}"));
}

struct CreateCase {
    const char* original;
    const char* modified;
    const char* patch;
};

void PrintTo(const CreateCase& c, std::ostream* os) {
    *os << c.original;
}

class CreateMergePatchTest : public ::testing::TestWithParam<CreateCase> {};

TEST_P(CreateMergePatchTest, ProducesMinimalPatch) {
    const auto original = J(GetParam().original);
    const auto modified = J(GetParam().modified);
    const auto patch = createMergePatch(original, modified);
    EXPECT_JSON_EQ(patch, J(GetParam().patch));
    EXPECT_JSON_EQ(applyMergePatch(original, patch), modified);
}

INSTANTIATE_TEST_SUITE_P(
    Diffs, CreateMergePatchTest,
    ::testing::Values(CreateCase{R"({"a":1})", R"({"a":1})", "{}"},
                      CreateCase{R"({"a":1,"b":2})", R"({"a":1})", R"({"b":null})"},
                      CreateCase{R"({"a":1})", R"({"a":2,"c":[1]})", R"({"a":2,"c":[1]})"},
                      CreateCase{R"({"m":{"x":1,"y":{"z":1}}})", R"({"m":{"x":1,"y":{"z":2}}})",
                                 R"({"m":{"y":{"z":2}}})"},
                      CreateCase{R"({"l":[1,2]})", R"({"l":[1,2,3]})", R"({"l":[1,2,3]})"},
                      CreateCase{R"({"n":1})", R"({"n":1.0})", "{}"},
                      CreateCase{R"({"o":{"a":1}})", R"({"o":"s"})", R"({"o":"s"})"},
                      CreateCase{R"({"a":1})", R"([1])", R"([1])"}));

} // namespace
} // namespace pilot::kube
