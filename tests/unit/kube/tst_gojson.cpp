#include "kube/gojson.h"
#include "kube/goquote.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace pilot::kube;

namespace {

TEST(GoJson, WritesMapsAsGoEncodingJsonDoes) {
    boost::json::value v = boost::json::parse(
        R"({"z":1,"a":{"y":[true,null,"<b>&"],"b":1.5},"m":"line\nbreak\u0001"})");
    EXPECT_EQ(
        toGoJson(v),
        R"({"a":{"b":1.5,"y":[true,null,"\u003cb\u003e\u0026"]},"m":"line\nbreak\u0001","z":1})");
}

TEST(GoJson, FloatsUseGoShortestForms) {
    EXPECT_EQ(goFloat(0.5, true), "0.5");
    EXPECT_EQ(goFloat(1e21, true), "1e+21");
    EXPECT_EQ(goFloat(1e20, true), "100000000000000000000");
    EXPECT_EQ(goFloat(1e-7, true), "1e-7");
    EXPECT_EQ(goFloat(0.000001, true), "0.000001");
    EXPECT_EQ(goFloat(1e6, false), "1e+06");
    EXPECT_EQ(goFloat(123456, false), "123456");
    EXPECT_EQ(goFloat(-2.25, false), "-2.25");
}

TEST(GoQuote, QuotesAsStrconvQuoteDoes) {
    EXPECT_EQ(goQuote("plain"), "\"plain\"");
    EXPECT_EQ(goQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(goQuote("\a\b\f\n\r\t\v"), "\"\\a\\b\\f\\n\\r\\t\\v\"");
    EXPECT_EQ(goQuote(std::string("\x01\x7f", 2)), "\"\\x01\\x7f\"");
    EXPECT_EQ(goQuote("caf\u00e9 \u65e5\u672c"), "\"caf\u00e9 \u65e5\u672c\"") << "UTF-8 is kept";
}

} // namespace
