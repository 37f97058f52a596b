#include "kube/labelselector.h"

#include "testjson.h"

#include <gtest/gtest.h>

#include <ostream>

namespace pilot::kube {
namespace {

using test::J;

struct ParseCase {
    const char* text;
    const char* canonical;
};

void PrintTo(const ParseCase& c, std::ostream* os) {
    *os << c.text;
}

class LabelSelectorParseTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(LabelSelectorParseTest, ParsesToCanonicalForm) {
    auto s = LabelSelector::parse(GetParam().text);
    ASSERT_TRUE(s.has_value()) << GetParam().text << ": " << s.error().message;
    EXPECT_EQ(s->toString(), GetParam().canonical);
    // The canonical form parses back to itself.
    auto again = LabelSelector::parse(s->toString());
    ASSERT_TRUE(again.has_value()) << again.error().message;
    EXPECT_EQ(again->toString(), GetParam().canonical);
}

INSTANTIATE_TEST_SUITE_P(
    Grammar, LabelSelectorParseTest,
    ::testing::Values(ParseCase{"", ""}, ParseCase{"app=web", "app=web"},
                      ParseCase{"app==web", "app==web"}, ParseCase{"app!=web", "app!=web"},
                      ParseCase{" app = web ,\ttier in ( a , b ) ", "app=web,tier in (a,b)"},
                      ParseCase{"tier in (b,a,b)", "tier in (a,b)"},
                      ParseCase{"x notin (a)", "x notin (a)"}, ParseCase{"k", "k"},
                      ParseCase{"!k", "!k"}, ParseCase{"b=1,a=2", "a=2,b=1"},
                      ParseCase{"k in (a,b),z", "k in (a,b),z"}, ParseCase{"k=", "k="},
                      ParseCase{"k=,j", "j,k="},
                      ParseCase{"x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"},
                      ParseCase{"k>5", "k>5"}, ParseCase{"k<5", "k<5"},
                      ParseCase{"app.kubernetes.io/name=web", "app.kubernetes.io/name=web"},
                      ParseCase{"in in (in,notin)", "in in (in,notin)"},
                      ParseCase{"tier in (web),idx!=2", "idx!=2,tier in (web)"}));

struct ErrorCase {
    const char* text;
    const char* message;
};

void PrintTo(const ErrorCase& c, std::ostream* os) {
    *os << c.text;
}

class LabelSelectorErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(LabelSelectorErrorTest, RejectsWithKubernetesMessage) {
    auto s = LabelSelector::parse(GetParam().text);
    ASSERT_FALSE(s.has_value()) << GetParam().text;
    EXPECT_EQ(s.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(s.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, LabelSelectorErrorTest,
    ::testing::Values(
        ErrorCase{"k in (a", "unable to parse requirement: found '', expected: ',' or ')'"},
        ErrorCase{"k in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"},
        ErrorCase{"k=a=b", "found '=', expected: ',' or 'end of string'"},
        ErrorCase{",k", "found ',', expected: !, identifier, or 'end of string'"},
        ErrorCase{"k,", "found '', expected: identifier after ','"},
        ErrorCase{"k in a", "unable to parse requirement: found 'a' expected: '('"},
        ErrorCase{"!", "unable to parse requirement: found '', expected: identifier"},
        ErrorCase{"k x", "unable to parse requirement: found 'x', expected: in, notin, =, ==, "
                         "!=, gt, lt"},
        ErrorCase{"k=bad value", "found 'value', expected: ',' or 'end of string'"},
        ErrorCase{"-bad=x",
                  "unable to parse requirement: <nil>: Invalid value: \"-bad\": name part must "
                  "consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                  "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
                  "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"},
        ErrorCase{"k=-bad",
                  "unable to parse requirement: values[0][k]: Invalid value: \"-bad\": a valid "
                  "label must be an empty string or consist of alphanumeric characters, '-', "
                  "'_' or '.', and must start and end with an alphanumeric character (e.g. "
                  "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                  "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"},
        ErrorCase{"k<-5", "unable to parse requirement: values[0][k]: Invalid value: \"-5\": a "
                          "valid label must be an empty string or consist of alphanumeric "
                          "characters, '-', '_' or '.', and must start and end with an "
                          "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
                          "regex used for validation is "
                          "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"},
        ErrorCase{"k>abc", "unable to parse requirement: values[0]: Invalid value: \"abc\": for "
                           "'Gt', 'Lt' operators, the value must be an integer"}));

struct MatchCase {
    const char* selector;
    const char* labels; // JSON object, or "null" for an object without labels
    bool matches;
};

void PrintTo(const MatchCase& c, std::ostream* os) {
    *os << c.selector;
}

class LabelSelectorMatchTest : public ::testing::TestWithParam<MatchCase> {};

TEST_P(LabelSelectorMatchTest, Matches) {
    auto s = LabelSelector::parse(GetParam().selector);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    const auto labels = J(GetParam().labels);
    const boost::json::object* l = labels.is_object() ? &labels.get_object() : nullptr;
    EXPECT_EQ(s->matches(l), GetParam().matches)
        << GetParam().selector << " vs " << GetParam().labels;
    // The watch cache's filter asks for each label instead of handing over a JSON object.
    auto lookup = [l](std::string_view key) -> std::optional<std::string_view> {
        const boost::json::value* v = l ? l->if_contains(key) : nullptr;
        if (v == nullptr) {
            return std::nullopt;
        }
        return v->is_string() ? std::string_view(v->get_string()) : std::string_view();
    };
    EXPECT_EQ(s->matchesLookup(lookup), GetParam().matches)
        << GetParam().selector << " vs " << GetParam().labels << " (lookup)";
}

INSTANTIATE_TEST_SUITE_P(
    Semantics, LabelSelectorMatchTest,
    ::testing::Values(
        MatchCase{"app=web", R"({"app":"web"})", true},
        MatchCase{"app=web", R"({"app":"db"})", false}, MatchCase{"app=web", "{}", false},
        MatchCase{"app=web", "null", false}, MatchCase{"app!=web", "{}", true},
        MatchCase{"app!=web", "null", true}, MatchCase{"app!=web", R"({"app":"web"})", false},
        MatchCase{"app!=web", R"({"app":"x"})", true},
        MatchCase{"tier in (a,b)", R"({"tier":"a"})", true},
        MatchCase{"tier in (a,b)", R"({"tier":"c"})", false},
        MatchCase{"tier in (a,b)", "{}", false}, MatchCase{"tier notin (a,b)", "{}", true},
        MatchCase{"tier notin (a,b)", R"({"tier":"b"})", false},
        MatchCase{"k", R"({"k":""})", true}, MatchCase{"k", "{}", false},
        MatchCase{"!k", "{}", true}, MatchCase{"!k", R"({"k":"x"})", false},
        MatchCase{"k=", R"({"k":""})", true}, MatchCase{"k=", "{}", false},
        MatchCase{"k>5", R"({"k":"6"})", true}, MatchCase{"k>5", R"({"k":"5"})", false},
        MatchCase{"k>5", R"({"k":"x"})", false}, MatchCase{"k>5", "{}", false},
        MatchCase{"k<5", R"({"k":"-1"})", true},
        MatchCase{"a=1,b=2", R"({"a":"1","b":"2","c":"3"})", true},
        MatchCase{"a=1,b=2", R"({"a":"1"})", false}, MatchCase{"", "{}", true},
        MatchCase{"", "null", true}));

TEST(LabelSelectorTest, EverythingAndNothing) {
    const LabelSelector all;
    EXPECT_TRUE(all.empty());
    EXPECT_TRUE(all.matches(nullptr));
    const LabelSelector none = LabelSelector::nothing();
    EXPECT_FALSE(none.empty());
    EXPECT_TRUE(none.matchesNothing());
    EXPECT_FALSE(none.matches(nullptr));
    const auto labels = J(R"({"a":"b"})");
    EXPECT_FALSE(none.matches(&labels.get_object()));
}

TEST(LabelSelectorTest, FromMetav1LabelSelector) {
    const auto sel = J(R"({"matchLabels":{"app":"web"},"matchExpressions":[
        {"key":"tier","operator":"In","values":["b","a"]},
        {"key":"env","operator":"DoesNotExist"},
        {"key":"track","operator":"NotIn","values":["canary"]},
        {"key":"zone","operator":"Exists","values":[]}]})");
    auto s = LabelSelector::fromJson(&sel);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    EXPECT_EQ(s->toString(), "app=web,!env,tier in (a,b),track notin (canary),zone");
    const auto yes = J(R"({"app":"web","tier":"a","zone":"z1"})");
    const auto no = J(R"({"app":"web","tier":"a","zone":"z1","env":"prod"})");
    EXPECT_TRUE(s->matches(&yes.get_object()));
    EXPECT_FALSE(s->matches(&no.get_object()));
}

TEST(LabelSelectorTest, NullSelectorMatchesNothingAndEmptyMatchesEverything) {
    auto null = LabelSelector::fromJson(nullptr);
    ASSERT_TRUE(null.has_value());
    EXPECT_TRUE(null->matchesNothing());
    const auto jnull = J("null");
    EXPECT_TRUE(LabelSelector::fromJson(&jnull)->matchesNothing());
    const auto empty = J(R"({"matchLabels":{},"matchExpressions":[]})");
    auto all = LabelSelector::fromJson(&empty);
    ASSERT_TRUE(all.has_value());
    EXPECT_TRUE(all->empty());
    EXPECT_TRUE(all->matches(nullptr));
}

struct JsonErrorCase {
    const char* selector;
    const char* fragment;
};

void PrintTo(const JsonErrorCase& c, std::ostream* os) {
    *os << c.selector;
}

class LabelSelectorJsonErrorTest : public ::testing::TestWithParam<JsonErrorCase> {};

TEST_P(LabelSelectorJsonErrorTest, NamesTheField) {
    const auto sel = J(GetParam().selector);
    auto s = LabelSelector::fromJson(&sel);
    ASSERT_FALSE(s.has_value()) << GetParam().selector;
    EXPECT_NE(s.error().message.find(GetParam().fragment), std::string::npos) << s.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Errors, LabelSelectorJsonErrorTest,
    ::testing::Values(
        JsonErrorCase{R"({"matchExpressions":[{"key":"a","operator":"Foo"}]})",
                      "matchExpressions[0].operator: \"Foo\" is not a valid label selector "
                      "operator"},
        JsonErrorCase{R"({"matchExpressions":[{"key":"a","operator":"In","values":[]}]})",
                      "matchExpressions[0].values: Invalid value: []string{}: for 'in', "
                      "'notin' operators, values set can't be empty"},
        JsonErrorCase{R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})",
                      "values set must be empty for exists and does not exist"},
        JsonErrorCase{R"({"matchExpressions":[{"key":"a b","operator":"Exists"}]})",
                      "matchExpressions[0].key: Invalid value: \"a b\""},
        JsonErrorCase{R"({"matchLabels":{"app":"-x"}})", "matchLabels: Invalid value: \"-x\": a "
                                                         "valid label must be"},
        JsonErrorCase{R"({"matchLabels":{"a/b/c":"x"}})",
                      "matchLabels: Invalid value: \"a/b/c\": a qualified name must"},
        JsonErrorCase{R"({"matchLabels":{"app":1}})", "matchLabels[app]: must be a string"},
        JsonErrorCase{R"({"matchExpressions":{}})", "matchExpressions: must be an array"},
        JsonErrorCase{R"("app=web")", "must be an object"}));

TEST(LabelSelectorTest, FromSetAndExactMatch) {
    const auto set = J(R"({"tier":"front","app":"web","n":1})");
    const LabelSelector s = LabelSelector::fromSet(set.get_object());
    EXPECT_EQ(s.toString(), "app=web,tier=front");
    EXPECT_EQ(s.requiresExactMatch("app"), "web");

    auto parsed = LabelSelector::parse("x in (a),y in (a,b),z!=c,w==d");
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->requiresExactMatch("x"), "a");
    EXPECT_EQ(parsed->requiresExactMatch("w"), "d");
    EXPECT_EQ(parsed->requiresExactMatch("y"), std::nullopt);
    EXPECT_EQ(parsed->requiresExactMatch("z"), std::nullopt);
    EXPECT_EQ(parsed->requiresExactMatch("missing"), std::nullopt);
}

} // namespace
} // namespace pilot::kube
