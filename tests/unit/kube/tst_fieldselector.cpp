#include "kube/fieldselector.h"

#include "kube/objectmeta.h"
#include "testjson.h"

#include <gtest/gtest.h>

#include <ostream>

#include <map>

namespace pilot::kube {
namespace {

using test::J;

FieldSelector::Getter getterFor(const boost::json::value& obj) {
    return [&obj](std::string_view field) {
        const boost::json::value* v = at(obj, field);
        return v != nullptr ? scalarString(*v) : std::string();
    };
}

TEST(FieldSelectorTest, KubectlDescribeNodeSelector) {
    auto s =
        FieldSelector::parse("spec.nodeName=node-1,status.phase!=Succeeded,status.phase!=Failed");
    ASSERT_TRUE(s.has_value()) << s.error().message;
    ASSERT_EQ(s->requirements().size(), 3u);

    const auto running = J(R"({"spec":{"nodeName":"node-1"},"status":{"phase":"Running"}})");
    const auto failed = J(R"({"spec":{"nodeName":"node-1"},"status":{"phase":"Failed"}})");
    const auto elsewhere = J(R"({"spec":{"nodeName":"node-2"},"status":{"phase":"Running"}})");
    const auto unscheduled = J(R"({"spec":{},"status":{"phase":"Pending"}})");
    EXPECT_TRUE(s->matches(getterFor(running)));
    EXPECT_FALSE(s->matches(getterFor(failed)));
    EXPECT_FALSE(s->matches(getterFor(elsewhere)));
    EXPECT_FALSE(s->matches(getterFor(unscheduled)));
    EXPECT_EQ(s->requiresExactMatch("spec.nodeName"), "node-1");
    EXPECT_EQ(s->requiresExactMatch("status.phase"), std::nullopt);
}

TEST(FieldSelectorTest, EmptyValueMatchesMissingField) {
    auto s = FieldSelector::parse("spec.nodeName=");
    ASSERT_TRUE(s.has_value());
    EXPECT_TRUE(s->matches(getterFor(J(R"({"spec":{}})"))));
    EXPECT_FALSE(s->matches(getterFor(J(R"({"spec":{"nodeName":"n"}})"))));
}

struct ParseCase {
    const char* text;
    std::vector<FieldRequirement> terms;
    const char* canonical;
};

void PrintTo(const ParseCase& c, std::ostream* os) {
    *os << c.text;
}

class FieldSelectorParseTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(FieldSelectorParseTest, Parses) {
    auto s = FieldSelector::parse(GetParam().text);
    ASSERT_TRUE(s.has_value()) << GetParam().text << ": " << s.error().message;
    const auto& terms = s->requirements();
    ASSERT_EQ(terms.size(), GetParam().terms.size());
    for (size_t i = 0; i < terms.size(); ++i) {
        EXPECT_EQ(terms[i].field, GetParam().terms[i].field);
        EXPECT_EQ(terms[i].op, GetParam().terms[i].op);
        EXPECT_EQ(terms[i].value, GetParam().terms[i].value);
    }
    EXPECT_EQ(s->toString(), GetParam().canonical);
}

INSTANTIATE_TEST_SUITE_P(
    Grammar, FieldSelectorParseTest,
    ::testing::Values(
        ParseCase{"", {}, ""}, ParseCase{",,", {}, ""},
        ParseCase{"metadata.name=a", {{"metadata.name", FieldOp::Equals, "a"}}, "metadata.name=a"},
        ParseCase{
            "metadata.name==a", {{"metadata.name", FieldOp::DoubleEquals, "a"}}, "metadata.name=a"},
        ParseCase{"status.phase!=Failed",
                  {{"status.phase", FieldOp::NotEquals, "Failed"}},
                  "status.phase!=Failed"},
        ParseCase{
            "b=2,a=1,", {{"a", FieldOp::Equals, "1"}, {"b", FieldOp::Equals, "2"}}, "a=1,b=2"},
        ParseCase{"a=x\\,y,b=z",
                  {{"a", FieldOp::Equals, "x,y"}, {"b", FieldOp::Equals, "z"}},
                  "a=x\\,y,b=z"},
        ParseCase{"a=x\\=y", {{"a", FieldOp::Equals, "x=y"}}, "a=x\\=y"},
        ParseCase{"a=x\\\\y", {{"a", FieldOp::Equals, "x\\y"}}, "a=x\\\\y"},
        ParseCase{"a!=\\=b", {{"a", FieldOp::NotEquals, "=b"}}, "a!=\\=b"},
        ParseCase{"a=", {{"a", FieldOp::Equals, ""}}, "a="}));

struct ErrorCase {
    const char* text;
    const char* message;
};

void PrintTo(const ErrorCase& c, std::ostream* os) {
    *os << c.text;
}

class FieldSelectorErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(FieldSelectorErrorTest, Rejects) {
    auto s = FieldSelector::parse(GetParam().text);
    ASSERT_FALSE(s.has_value()) << GetParam().text;
    EXPECT_EQ(s.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(s.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, FieldSelectorErrorTest,
    ::testing::Values(ErrorCase{"a", "invalid selector: 'a'; can't understand 'a'"},
                      ErrorCase{"x=1,spec",
                                "invalid selector: 'x=1,spec'; can't understand 'spec'"},
                      ErrorCase{"a=b=c", "invalid field selector: unescaped character in value: ="},
                      ErrorCase{"a!==b", "invalid field selector: unescaped character in value: ="},
                      ErrorCase{"a=b\\q", "invalid field selector: invalid escape sequence: \\q"},
                      ErrorCase{"a=b\\", "invalid field selector: invalid escape sequence: \\"}));

TEST(FieldSelectorTest, EscapeValue) {
    EXPECT_EQ(escapeFieldSelectorValue("a,b=c\\d"), "a\\,b\\=c\\\\d");
}

TEST(FieldSelectorTest, DefaultMatchesEverything) {
    const FieldSelector all;
    EXPECT_TRUE(all.empty());
    EXPECT_TRUE(all.matches([](std::string_view) { return std::string("x"); }));
}

} // namespace
} // namespace pilot::kube
