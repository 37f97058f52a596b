#include "kube/quantity.h"

#include "testjson.h"

#include <gtest/gtest.h>

#include <ostream>

#include <algorithm>

namespace pilot::kube {
namespace {

using test::J;

Quantity q(std::string_view text) {
    auto parsed = Quantity::parse(text);
    EXPECT_TRUE(parsed.has_value()) << text << ": " << parsed.error().message;
    return parsed.value_or(Quantity());
}

struct CanonicalCase {
    const char* input;
    const char* canonical;
};

void PrintTo(const CanonicalCase& c, std::ostream* os) {
    *os << c.input;
}

class QuantityCanonicalTest : public ::testing::TestWithParam<CanonicalCase> {};

TEST_P(QuantityCanonicalTest, PrintsLikeKubernetes) {
    EXPECT_EQ(q(GetParam().input).toString(), GetParam().canonical) << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(
    Canonical, QuantityCanonicalTest,
    ::testing::Values(
        CanonicalCase{"100m", "100m"}, CanonicalCase{"0.1", "100m"}, CanonicalCase{"1.5", "1500m"},
        CanonicalCase{"1000m", "1"}, CanonicalCase{"1500m", "1500m"}, CanonicalCase{"1k", "1k"},
        CanonicalCase{"1000", "1k"}, CanonicalCase{"1024", "1024"}, CanonicalCase{"5M", "5M"},
        CanonicalCase{"1.5M", "1500k"}, CanonicalCase{"1.5Gi", "1536Mi"},
        CanonicalCase{"1024Mi", "1Gi"}, CanonicalCase{"500Mi", "500Mi"},
        CanonicalCase{"1Ki", "1Ki"}, CanonicalCase{"8Ki", "8Ki"}, CanonicalCase{"0.5Ki", "512"},
        CanonicalCase{"1.1Ki", "1126400m"}, CanonicalCase{"1Ei", "1Ei"},
        CanonicalCase{"1.5Pi", "1536Ti"}, CanonicalCase{"2e3", "2e3"},
        CanonicalCase{"1.5e3", "1500"}, CanonicalCase{"12e2", "1200"}, CanonicalCase{"1E3", "1E3"},
        CanonicalCase{"0", "0"}, CanonicalCase{"-0", "0"}, CanonicalCase{"0.0", "0"},
        CanonicalCase{"0Ki", "0"}, CanonicalCase{"+1", "+1"}, CanonicalCase{"-100m", "-100m"},
        CanonicalCase{"-1.5Gi", "-1536Mi"}, CanonicalCase{"1n", "1n"}, CanonicalCase{"1000n", "1u"},
        CanonicalCase{"0.001m", "1u"}, CanonicalCase{"0.0000000001", "1n"},
        CanonicalCase{"3.14159", "3141590u"},
        CanonicalCase{"9223372036854775807", "9223372036854775807"},
        CanonicalCase{"100000000000000000000", "9223372036854775807"},
        CanonicalCase{"8Ei", "9223372036854775807"},
        // From upstream's quantity tests.
        CanonicalCase{".001Ki", "1024m"}, CanonicalCase{".000000000001Ki", "2n"},
        CanonicalCase{"1000M", "1G"}, CanonicalCase{"307200Ki", "300Mi"},
        CanonicalCase{"1.08", "1080m"}, CanonicalCase{"1080000000n", "1080m"},
        CanonicalCase{"0.001T", "1G"}, CanonicalCase{".001e12", "1e9"},
        CanonicalCase{"0.001e0", "1e-3"}, CanonicalCase{"1000e-12", "1e-9"},
        CanonicalCase{"80e-3", "80e-3"}, CanonicalCase{"00", "0"}));

struct ErrorCase {
    const char* input;
    const char* message;
};

void PrintTo(const ErrorCase& c, std::ostream* os) {
    *os << c.input;
}

class QuantityErrorTest : public ::testing::TestWithParam<ErrorCase> {};

constexpr const char* FormatWrong = "quantities must match the regular expression "
                                    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr const char* SuffixWrong = "unable to parse quantity's suffix";

TEST_P(QuantityErrorTest, Rejects) {
    auto parsed = Quantity::parse(GetParam().input);
    ASSERT_FALSE(parsed.has_value()) << GetParam().input << " -> " << parsed->toString();
    EXPECT_EQ(parsed.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(parsed.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, QuantityErrorTest,
    ::testing::Values(ErrorCase{"", FormatWrong}, ErrorCase{"abc", FormatWrong},
                      ErrorCase{"1.5.5", FormatWrong}, ErrorCase{"1 ", FormatWrong},
                      ErrorCase{" 1", FormatWrong}, ErrorCase{"1Mx", FormatWrong},
                      ErrorCase{"1Zi", FormatWrong}, ErrorCase{"1ki", SuffixWrong},
                      ErrorCase{"1KI", FormatWrong}, ErrorCase{"1e", SuffixWrong},
                      ErrorCase{"1Ki5", SuffixWrong}, ErrorCase{"1mm", SuffixWrong},
                      ErrorCase{"1.1.M", FormatWrong}, ErrorCase{"1+1.0M", FormatWrong},
                      ErrorCase{"0.1mi", SuffixWrong}, ErrorCase{"0.1am", FormatWrong},
                      ErrorCase{"-3.01e-", SuffixWrong}, ErrorCase{"1e4294967297", SuffixWrong}));

struct ValueCase {
    const char* input;
    int64_t value;
    int64_t milli;
};

void PrintTo(const ValueCase& c, std::ostream* os) {
    *os << c.input;
}

class QuantityValueTest : public ::testing::TestWithParam<ValueCase> {};

TEST_P(QuantityValueTest, RoundsAwayFromZero) {
    const Quantity v = q(GetParam().input);
    EXPECT_EQ(v.value(), GetParam().value) << GetParam().input;
    EXPECT_EQ(v.milliValue(), GetParam().milli) << GetParam().input;
}

INSTANTIATE_TEST_SUITE_P(
    Values, QuantityValueTest,
    ::testing::Values(ValueCase{"100m", 1, 100}, ValueCase{"1.5", 2, 1500},
                      ValueCase{"-1.5", -2, -1500}, ValueCase{"1n", 1, 1},
                      ValueCase{"0.0001", 1, 1}, ValueCase{"1Gi", 1073741824, 1073741824000},
                      ValueCase{"2", 2, 2000}, ValueCase{"0", 0, 0},
                      ValueCase{"9223372036854775807", 9223372036854775807, 9223372036854775807}));

TEST(QuantityTest, ComparesValuesNotNotation) {
    EXPECT_EQ(q("1"), q("1000m"));
    EXPECT_EQ(q("1Ki"), q("1024"));
    EXPECT_GT(q("1Gi"), q("1G"));
    EXPECT_LT(q("-1"), q("0"));
    std::vector<Quantity> v{q("2"), q("100m"), q("1Ki"), q("-5")};
    std::sort(v.begin(), v.end());
    EXPECT_EQ(v.front().toString(), "-5");
    EXPECT_EQ(v.back().toString(), "1Ki");
}

TEST(QuantityTest, Arithmetic) {
    EXPECT_EQ((q("100m") + q("900m")).toString(), "1");
    EXPECT_EQ((q("1Gi") + q("512Mi")).toString(), "1536Mi");
    EXPECT_EQ((Quantity() + q("1Gi")).toString(), "1Gi");
    EXPECT_EQ((q("1") - q("1500m")).toString(), "-500m");
    Quantity total = q("+1");
    total.add(q("0"));
    EXPECT_EQ(total.toString(), "1"); // arithmetic drops the remembered spelling
    EXPECT_EQ(total.sign(), 1);
    EXPECT_TRUE((q("1") - q("1")).isZero());
}

TEST(QuantityTest, Constructors) {
    EXPECT_EQ(Quantity::fromValue(3).toString(), "3");
    EXPECT_EQ(Quantity::fromMilli(1500).toString(), "1500m");
    EXPECT_EQ(Quantity::fromValue(1024, Quantity::Format::BinarySI).toString(), "1Ki");
    EXPECT_EQ(Quantity::fromValue(110, Quantity::Format::BinarySI).toString(), "110");
    EXPECT_EQ(q("1Gi").format(), Quantity::Format::BinarySI);
    EXPECT_EQ(q("0.5Gi").format(), Quantity::Format::BinarySI);
    EXPECT_EQ(q("0.5Ki").format(), Quantity::Format::BinarySI);
    EXPECT_EQ(q("1e3").format(), Quantity::Format::DecimalExponent);
}

TEST(QuantityTest, FromJson) {
    EXPECT_EQ(Quantity::fromJson(J("2"))->toString(), "2");
    EXPECT_EQ(Quantity::fromJson(J("0.5"))->toString(), "500m");
    EXPECT_EQ(Quantity::fromJson(J("\"1Gi\""))->toString(), "1Gi");
    EXPECT_EQ(Quantity::fromJson(J("null"))->toString(), "0");
    EXPECT_FALSE(Quantity::fromJson(J("true")).has_value());
    EXPECT_FALSE(Quantity::fromJson(J("\"lots\"")).has_value());
}

} // namespace
} // namespace pilot::kube
