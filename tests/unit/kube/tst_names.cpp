#include "kube/names.h"

#include <gtest/gtest.h>

#include <ostream>

#include <string>
#include <vector>

namespace pilot::kube {
namespace {

using Messages = std::vector<std::string>;

const std::string SubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const std::string LabelMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const std::string Dns1035Msg =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const std::string NamePartMsg =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const std::string LabelValueMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

struct Case {
    std::string value;
    Messages expected;
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << c.value;
}

class SubdomainTest : public ::testing::TestWithParam<Case> {};
TEST_P(SubdomainTest, Validates) {
    EXPECT_EQ(validateDns1123Subdomain(GetParam().value), GetParam().expected) << GetParam().value;
}
INSTANTIATE_TEST_SUITE_P(
    Names, SubdomainTest,
    ::testing::Values(Case{"web", {}}, Case{"example.com", {}}, Case{"a-1.b-2", {}}, Case{"0", {}},
                      Case{std::string(253, 'a'), {}}, Case{"", {SubdomainMsg}},
                      Case{"Bad_Name", {SubdomainMsg}}, Case{"-a", {SubdomainMsg}},
                      Case{"a.", {SubdomainMsg}}, Case{"a..b", {SubdomainMsg}},
                      Case{"a-.b", {SubdomainMsg}},
                      Case{std::string(254, 'a'), {"must be no more than 253 bytes"}},
                      Case{std::string(254, 'A'),
                           {"must be no more than 253 bytes", SubdomainMsg}}));

class LabelTest : public ::testing::TestWithParam<Case> {};
TEST_P(LabelTest, Validates) {
    EXPECT_EQ(validateDns1123Label(GetParam().value), GetParam().expected) << GetParam().value;
}
INSTANTIATE_TEST_SUITE_P(
    Names, LabelTest,
    ::testing::Values(Case{"default", {}}, Case{"kube-node-lease", {}}, Case{"1abc", {}},
                      Case{std::string(63, 'a'), {}},
                      Case{std::string(64, 'a'), {"must be no more than 63 bytes"}},
                      Case{"a.b", {"must not contain dots"}}, Case{"A", {LabelMsg}},
                      Case{"", {LabelMsg}}, Case{"a-", {LabelMsg}}, Case{"a_b", {LabelMsg}}));

class Dns1035Test : public ::testing::TestWithParam<Case> {};
TEST_P(Dns1035Test, Validates) {
    EXPECT_EQ(validateDns1035Label(GetParam().value), GetParam().expected) << GetParam().value;
}
INSTANTIATE_TEST_SUITE_P(
    Names, Dns1035Test,
    ::testing::Values(Case{"my-svc", {}}, Case{"a1", {}}, Case{"1abc", {Dns1035Msg}},
                      Case{"a.b", {Dns1035Msg}}, Case{"", {Dns1035Msg}},
                      Case{std::string(64, 'a'), {"must be no more than 63 bytes"}}));

class QualifiedNameTest : public ::testing::TestWithParam<Case> {};
TEST_P(QualifiedNameTest, Validates) {
    EXPECT_EQ(validateQualifiedName(GetParam().value), GetParam().expected) << GetParam().value;
}
INSTANTIATE_TEST_SUITE_P(
    Keys, QualifiedNameTest,
    ::testing::Values(
        Case{"app", {}}, Case{"MyName", {}}, Case{"my.name_x-1", {}},
        Case{"app.kubernetes.io/name", {}}, Case{"kubernetes.io/hostname", {}},
        Case{"", {"name part must be non-empty", NamePartMsg}}, Case{"-app", {NamePartMsg}},
        Case{"a b", {NamePartMsg}},
        Case{std::string(64, 'a'), {"name part must be no more than 63 bytes"}},
        Case{"/name", {"prefix part must be non-empty"}},
        Case{"Example.com/name", {"prefix part " + SubdomainMsg}},
        Case{"example.com/", {"name part must be non-empty", NamePartMsg}},
        Case{"a/b/c",
             {"a qualified name must consist of alphanumeric characters, '-', '_' or '.', and "
              "must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  "
              "or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?"
              "[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. "
              "'example.com/MyName')"}}));

class LabelValueTest : public ::testing::TestWithParam<Case> {};
TEST_P(LabelValueTest, Validates) {
    EXPECT_EQ(validateLabelValue(GetParam().value), GetParam().expected) << GetParam().value;
}
INSTANTIATE_TEST_SUITE_P(
    Values, LabelValueTest,
    ::testing::Values(Case{"", {}}, Case{"web", {}}, Case{"MyValue", {}}, Case{"1.2_3-x", {}},
                      Case{"-x", {LabelValueMsg}}, Case{"x-", {LabelValueMsg}},
                      Case{"a/b", {LabelValueMsg}}, Case{"a b", {LabelValueMsg}},
                      Case{std::string(64, 'v'), {"must be no more than 63 bytes"}}));

TEST(NamesTest, JoinMessages) {
    EXPECT_EQ(joinMessages({}), "");
    EXPECT_EQ(joinMessages({"a", "b"}), "a; b");
}

} // namespace
} // namespace pilot::kube
