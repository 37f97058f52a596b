#include "kube/yaml.h"

#include "testjson.h"

#include <gtest/gtest.h>

#include <ostream>

#include <string>

namespace pilot::kube {
namespace {

using test::J;

struct ScalarCase {
    const char* yaml; // the value after "v: "
    const char* json; // expected JSON of that value
};

void PrintTo(const ScalarCase& c, std::ostream* os) {
    *os << c.yaml;
}

class YamlScalarTest : public ::testing::TestWithParam<ScalarCase> {};

TEST_P(YamlScalarTest, TypesScalarsLikeKubectl) {
    const ScalarCase& c = GetParam();
    auto doc = parseYaml(std::string("v: ") + c.yaml + "\n");
    ASSERT_TRUE(doc.has_value()) << c.yaml << ": " << doc.error().message;
    const boost::json::value expected = J(c.json);
    const boost::json::value& actual = doc->as_object().at("v");
    EXPECT_JSON_EQ(actual, expected) << " for " << c.yaml;
    // Integral numbers must come out as integers, not doubles (replicas: 2, not 2.0).
    if (expected.is_int64()) {
        EXPECT_TRUE(actual.is_int64()) << c.yaml;
    }
    if (expected.is_string()) {
        EXPECT_TRUE(actual.is_string()) << c.yaml;
    }
}

INSTANTIATE_TEST_SUITE_P(
    Scalars, YamlScalarTest,
    ::testing::Values(ScalarCase{"true", "true"}, ScalarCase{"True", "true"},
                      ScalarCase{"yes", "true"}, ScalarCase{"on", "true"}, ScalarCase{"y", "true"},
                      ScalarCase{"false", "false"}, ScalarCase{"No", "false"},
                      ScalarCase{"off", "false"}, ScalarCase{"n", "false"},
                      ScalarCase{"null", "null"}, ScalarCase{"~", "null"}, ScalarCase{"", "null"},
                      ScalarCase{"1", "1"}, ScalarCase{"-5", "-5"}, ScalarCase{"+7", "7"},
                      ScalarCase{"0755", "493"}, ScalarCase{"0x1F", "31"}, ScalarCase{"0o17", "15"},
                      ScalarCase{"0b101", "5"}, ScalarCase{"1_000", "1000"}, ScalarCase{"08", "8"},
                      ScalarCase{"1.5", "1.5"}, ScalarCase{"1e3", "1000"}, ScalarCase{"2.0", "2"},
                      ScalarCase{".5", "0.5"}, ScalarCase{"-.5", "-0.5"},
                      ScalarCase{"18446744073709551615", "18446744073709551615"},
                      ScalarCase{"99999999999999999999", "1e20"}, ScalarCase{"1e400", "\"1e400\""},
                      ScalarCase{"\"true\"", "\"true\""}, ScalarCase{"'0755'", "\"0755\""},
                      ScalarCase{"\"123\"", "\"123\""}, ScalarCase{"''", "\"\""},
                      ScalarCase{"!!str 123", "\"123\""}, ScalarCase{"!!int \"42\"", "42"},
                      ScalarCase{"!!float 1", "1"}, ScalarCase{"2024-01-01", "\"2024-01-01\""},
                      ScalarCase{"2026-11-21T19:45:45Z", "\"2026-11-21T19:45:45Z\""},
                      ScalarCase{"1.2.3", "\"1.2.3\""}, ScalarCase{"0x", "\"0x\""},
                      ScalarCase{"12:30", "\"12:30\""}, ScalarCase{"nginx:1.25", "\"nginx:1.25\""},
                      ScalarCase{"yes please", "\"yes please\""}, ScalarCase{"<<", "\"<<\""},
                      ScalarCase{"|\n  a\n  b\n", "\"a\\nb\\n\""},
                      ScalarCase{">-\n  a\n  b\n", "\"a b\""},
                      ScalarCase{"[1, '2', x]", "[1, \"2\", \"x\"]"}, ScalarCase{"{}", "{}"},
                      ScalarCase{"[]", "[]"}));

TEST(YamlTest, KeysAreAlwaysStrings) {
    // YAML 1.1 resolution applies to keys too, then they are stringified: `yes:` and `y:`
    // both become "true" (a known sigs.k8s.io/yaml gotcha), `0755:` becomes "493".
    auto doc = parseYaml("1: a\ntrue: b\nyes: c\n1.5: d\n0755: e\n'0755': f\nnull_ish: g\n"
                         "n: h\n");
    ASSERT_TRUE(doc.has_value()) << doc.error().message;
    EXPECT_JSON_EQ(*doc, J(R"({"1":"a","true":"c","1.5":"d","493":"e","0755":"f",
                              "null_ish":"g","false":"h"})"));
}

TEST(YamlTest, DuplicateKeysKeepTheLastValue) {
    auto doc = parseYaml("a: 1\na: 2\n");
    ASSERT_TRUE(doc.has_value()) << doc.error().message;
    EXPECT_JSON_EQ(*doc, J(R"({"a":2})"));
}

TEST(YamlTest, NullKeyIsAnError) {
    auto doc = parseYaml("~: a\n");
    ASSERT_FALSE(doc.has_value());
    EXPECT_NE(doc.error().message.find("map key"), std::string::npos) << doc.error().message;
}

TEST(YamlTest, MultipleDocumentsSkippingEmptyOnes) {
    const char* manifest = R"(# a comment
---
apiVersion: v1
kind: Namespace
metadata:
  name: demo
---
---
null
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: demo}
data:
  mode: "0755"
  enabled: "true"
...
)";
    auto docs = parseYamlDocuments(manifest);
    ASSERT_TRUE(docs.has_value()) << docs.error().message;
    ASSERT_EQ(docs->size(), 2u);
    EXPECT_EQ((*docs)[0].at("kind"), "Namespace");
    EXPECT_JSON_EQ((*docs)[1].at("data"), J(R"({"mode":"0755","enabled":"true"})"));
}

TEST(YamlTest, EmptyStreamHasNoDocuments) {
    auto docs = parseYamlDocuments("# nothing here\n---\n");
    ASSERT_TRUE(docs.has_value());
    EXPECT_TRUE(docs->empty());
    auto one = parseYaml("");
    ASSERT_FALSE(one.has_value());
    EXPECT_EQ(one.error().code, ErrorCode::InvalidArgument);
}

TEST(YamlTest, ParseYamlRejectsSeveralDocuments) {
    auto doc = parseYaml("a: 1\n---\nb: 2\n");
    ASSERT_FALSE(doc.has_value());
    EXPECT_NE(doc.error().message.find("single document"), std::string::npos);
}

TEST(YamlTest, JsonIsYaml) {
    auto doc = parseYaml(R"({"apiVersion":"apps/v1","spec":{"replicas":3,"paused":false,
                           "selector":null,"x":[1.5,"a"]}})");
    ASSERT_TRUE(doc.has_value()) << doc.error().message;
    EXPECT_JSON_EQ(*doc, J(R"({"apiVersion":"apps/v1","spec":{"replicas":3,"paused":false,
                              "selector":null,"x":[1.5,"a"]}})"));
}

TEST(YamlTest, MergeKeysAndAnchors) {
    auto doc = parseYaml(R"(
base: &b {p: 1, q: 2}
other: &o {r: 9, p: 7}
derived:
  <<: [*b, *o]
  q: 3
copy: *b
)");
    ASSERT_TRUE(doc.has_value()) << doc.error().message;
    EXPECT_JSON_EQ(doc->at("derived"), J(R"({"p":1,"q":3,"r":9})"));
    EXPECT_JSON_EQ(doc->at("copy"), J(R"({"p":1,"q":2})"));
}

struct ErrorCase {
    const char* yaml;
    const char* expectedFragment;
};

void PrintTo(const ErrorCase& c, std::ostream* os) {
    *os << c.yaml;
}

class YamlErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(YamlErrorTest, ReportsPosition) {
    auto doc = parseYamlDocuments(GetParam().yaml);
    ASSERT_FALSE(doc.has_value()) << GetParam().yaml;
    EXPECT_EQ(doc.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(doc.error().message.find(GetParam().expectedFragment), std::string::npos)
        << doc.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Errors, YamlErrorTest,
    ::testing::Values(ErrorCase{"a: [1\nb: c\n", "yaml: line 2, column"},
                      ErrorCase{"a: b: c\n", "yaml: line 1, column"},
                      ErrorCase{"a:\n  b: 1\n c: 2\n", "yaml: line 3"},
                      ErrorCase{"a: 1\nb: .inf\n", "yaml: line 2"},
                      ErrorCase{"a: !!int abc\n", "cannot decode"},
                      ErrorCase{"a: &x 1\nb: *y\n", "yaml: line 2, column 4: the referenced "
                                                    "anchor is not defined"},
                      ErrorCase{"{a: 1\n", "yaml: line 2, column 1: end of map flow not found"},
                      ErrorCase{"a:\n\t- b\n", "yaml: line 2"}));

TEST(YamlTest, BillionLaughsIsRejected) {
    std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 9; ++i) {
        text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
        for (int k = 0; k < 10; ++k) {
            text += (k ? ", *a" : "*a") + std::to_string(i - 1);
        }
        text += "]\n";
    }
    auto doc = parseYaml(text);
    ASSERT_FALSE(doc.has_value());
    EXPECT_NE(doc.error().message.find("aliasing"), std::string::npos) << doc.error().message;
}

TEST(YamlTest, CyclicAliasIsRejected) {
    auto doc = parseYaml("&a [*a]\n");
    ASSERT_FALSE(doc.has_value());
    EXPECT_NE(doc.error().message.find("too deeply"), std::string::npos) << doc.error().message;
}

TEST(YamlTest, DeepNestingFailsCleanly) {
    const std::string text(100000, '[');
    auto doc = parseYaml(text);
    ASSERT_FALSE(doc.has_value());
}

// ---------------------------------------------------------------------------------------------
// toYaml
// ---------------------------------------------------------------------------------------------

TEST(ToYamlTest, BlockStyleLikeKubectl) {
    const auto obj = J(R"({"kind":"Deployment","apiVersion":"apps/v1",
        "metadata":{"name":"web","labels":{"app":"web"},"annotations":{}},
        "spec":{"replicas":2,"paused":false,"selector":null,"template":{"spec":{"containers":[
          {"name":"main","image":"nginx:1.25","args":["--port=8080","8080"],
           "env":[{"name":"A","value":"true"}],"ports":[]}]}}}})");
    EXPECT_EQ(toYaml(obj), R"(apiVersion: apps/v1
kind: Deployment
metadata:
  annotations: {}
  labels:
    app: web
  name: web
spec:
  paused: false
  replicas: 2
  selector: null
  template:
    spec:
      containers:
      - args:
        - --port=8080
        - "8080"
        env:
        - name: A
          value: "true"
        image: nginx:1.25
        name: main
        ports: []
)");
}

struct QuoteCase {
    const char* value;
    const char* rendered;
};

void PrintTo(const QuoteCase& c, std::ostream* os) {
    *os << c.value;
}

class ToYamlQuoteTest : public ::testing::TestWithParam<QuoteCase> {};

TEST_P(ToYamlQuoteTest, QuotesOnlyWhenNeeded) {
    boost::json::object obj;
    obj["k"] = GetParam().value;
    EXPECT_EQ(toYaml(obj), std::string("k: ") + GetParam().rendered + "\n");
    // And it reads back as the same string.
    auto back = parseYaml(toYaml(obj));
    ASSERT_TRUE(back.has_value()) << back.error().message;
    EXPECT_EQ(back->at("k"), GetParam().value);
}

INSTANTIATE_TEST_SUITE_P(
    Quoting, ToYamlQuoteTest,
    ::testing::Values(
        QuoteCase{"plain text", "plain text"}, QuoteCase{"a:b", "a:b"}, QuoteCase{"-c", "-c"},
        QuoteCase{"", "\"\""}, QuoteCase{"true", "\"true\""}, QuoteCase{"yes", "\"yes\""},
        QuoteCase{"y", "\"y\""}, QuoteCase{"~", "\"~\""}, QuoteCase{"null", "\"null\""},
        QuoteCase{"0755", "\"0755\""}, QuoteCase{"8080", "\"8080\""}, QuoteCase{"1.5", "\"1.5\""},
        QuoteCase{"1e3", "\"1e3\""}, QuoteCase{".inf", "\".inf\""}, QuoteCase{"<<", "\"<<\""},
        QuoteCase{"2024-01-01T00:00:00Z", "\"2024-01-01T00:00:00Z\""}, QuoteCase{"a: b", "'a: b'"},
        QuoteCase{"*", "'*'"}, QuoteCase{"- x", "'- x'"}, QuoteCase{"#x", "'#x'"},
        QuoteCase{"x #y", "'x #y'"}, QuoteCase{"it's: x", "'it''s: x'"},
        QuoteCase{" lead", "' lead'"}, QuoteCase{"trail ", "'trail '"}, QuoteCase{"{x}", "'{x}'"},
        QuoteCase{"---", "'---'"}, QuoteCase{"tab\there", "\"tab\\there\""},
        QuoteCase{"bell\x07", "\"bell\\x07\""}, QuoteCase{"ünïcode", "ünïcode"}));

TEST(ToYamlTest, MultiLineStringsUseLiteralBlocks) {
    const auto obj = J(R"({"a":"line1\nline2","b":"one\n","c":"x\n\n","d":"trailing \nspace",
                          "list":["p\nq"]})");
    EXPECT_EQ(toYaml(obj), "a: |-\n  line1\n  line2\nb: |\n  one\nc: |+\n  x\n\n"
                           "d: \"trailing \\nspace\"\nlist:\n- |-\n  p\n  q\n");
    auto back = parseYaml(toYaml(obj));
    ASSERT_TRUE(back.has_value()) << back.error().message;
    EXPECT_JSON_EQ(*back, obj);
}

TEST(ToYamlTest, CollectionsAndScalarsAtTheTop) {
    EXPECT_EQ(toYaml(J("{}")), "{}\n");
    EXPECT_EQ(toYaml(J("[]")), "[]\n");
    EXPECT_EQ(toYaml(J("[[1,2],[3],{\"a\":[]}]")), "- - 1\n  - 2\n- - 3\n- a: []\n");
    EXPECT_EQ(toYaml(J("\"hello\"")), "hello\n");
    EXPECT_EQ(toYaml(J("null")), "null\n");
    EXPECT_EQ(toYaml(J("1.25")), "1.25\n");
}

TEST(ToYamlTest, SortsKeysLikeGoYaml) {
    const auto obj = J(R"({"b":1,"a10":1,"a2":1,"a":1,"B":1,"-x":1})");
    EXPECT_EQ(toYaml(obj), "-x: 1\nB: 1\na: 1\na2: 1\na10: 1\nb: 1\n");
}

TEST(ToYamlTest, QuotesAwkwardKeys) {
    const auto obj = J(R"({"true":1,"app.kubernetes.io/name":2,"":3,"a: b":4})");
    EXPECT_EQ(toYaml(obj), "\"\": 3\n'a: b': 4\napp.kubernetes.io/name: 2\n\"true\": 1\n");
}

TEST(ToYamlTest, RoundTripsValues) {
    const auto value = J(R"({"s":["", " ", "0", "-1", "+1", "0x10", "1_0", "on", "Off", "~",
        "a\tb", "\u2028", "quote\"s", "back\\slash", "[x]", "x,y", "@at", "`tick", "%pc",
        "!bang", "&amp", "|pipe", ">gt", "?q", "? q", ":c", "c:", "multi\nline\n\n\n"],
        "n":[0, -1, 1.5, 1e-7, 123456789012, 18446744073709551615, -9223372036854775808],
        "b":[true,false,null], "nested":{"deep":{"list":[{"a":{"b":[[]]}}]}}})");
    const std::string text = toYaml(value);
    auto back = parseYaml(text);
    ASSERT_TRUE(back.has_value()) << back.error().message << "\n" << text;
    EXPECT_JSON_EQ(*back, value) << "\n" << text;
}

TEST(ToYamlTest, PathologicalNestingFallsBackToFlowStyle) {
    auto deep = parseJson(std::string(5000, '[') + "1" + std::string(5000, ']'));
    ASSERT_TRUE(deep.has_value());
    const std::string text = toYaml(*deep);
    EXPECT_TRUE(text.starts_with("- - - - "));
    EXPECT_NE(text.find("[[[1]]]"), std::string::npos);
    // Moderately deep documents still round-trip through block style.
    auto moderate =
        parseJson(std::string(300, '[') + "{\"a\":{\"b\":[1]}}" + std::string(300, ']'));
    ASSERT_TRUE(moderate.has_value());
    auto back = parseYaml(toYaml(*moderate));
    ASSERT_TRUE(back.has_value()) << back.error().message;
    EXPECT_JSON_EQ(*back, *moderate);
}

TEST(YamlTest, DeepButLegalNestingParses) {
    auto flow = parseYaml(std::string(400, '[') + "x" + std::string(400, ']'));
    ASSERT_TRUE(flow.has_value()) << flow.error().message;
    std::string block;
    for (size_t i = 0; i < 400; ++i) {
        block += std::string(i * 2, ' ') + "a:\n";
    }
    auto doc = parseYaml(block);
    ASSERT_TRUE(doc.has_value()) << doc.error().message;
    auto tooDeep = parseYaml(std::string(800, '[') + std::string(800, ']'));
    ASSERT_FALSE(tooDeep.has_value());
    EXPECT_NE(tooDeep.error().message.find("nested too deeply"), std::string::npos)
        << tooDeep.error().message;
}

// ---------------------------------------------------------------------------------------------
// parseJson
// ---------------------------------------------------------------------------------------------

TEST(ParseJsonTest, ParsesDocuments) {
    auto v = parseJson(R"( {"a": [1, 2.5, "x", true, null], "b": {}} )");
    ASSERT_TRUE(v.has_value()) << v.error().message;
    EXPECT_JSON_EQ(*v, J(R"({"a":[1,2.5,"x",true,null],"b":{}})"));
}

struct JsonErrorCase {
    const char* text;
    const char* message;
};

void PrintTo(const JsonErrorCase& c, std::ostream* os) {
    *os << c.text;
}

class ParseJsonErrorTest : public ::testing::TestWithParam<JsonErrorCase> {};

TEST_P(ParseJsonErrorTest, GoStyleMessages) {
    auto v = parseJson(GetParam().text);
    ASSERT_FALSE(v.has_value()) << GetParam().text;
    EXPECT_EQ(v.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(v.error().message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Errors, ParseJsonErrorTest,
    ::testing::Values(
        JsonErrorCase{R"({"a": x})",
                      "invalid character 'x' looking for beginning of value (line 1, column 7)"},
        JsonErrorCase{"xyz", "invalid character 'x' looking for beginning of value (line 1, "
                             "column 1)"},
        JsonErrorCase{"{\n  1: 2}", "invalid character '1' looking for beginning of object key "
                                    "string (line 2, column 3)"},
        JsonErrorCase{"[1,2", "unexpected end of JSON input"},
        JsonErrorCase{"", "unexpected end of JSON input"},
        JsonErrorCase{"{} x", "invalid character 'x' after top-level value (line 1, column 4)"}));

TEST(ParseJsonTest, DepthLimit) {
    const size_t depth = MaxJsonDepth;
    const std::string ok = std::string(depth, '[') + std::string(depth, ']');
    EXPECT_TRUE(parseJson(ok).has_value());
    const std::string tooDeep = std::string(depth + 1, '[') + std::string(depth + 1, ']');
    auto v = parseJson(tooDeep);
    ASSERT_FALSE(v.has_value());
    EXPECT_NE(v.error().message.find("exceeded max depth"), std::string::npos);
    // Adversarial input far deeper than any stack could recurse through.
    EXPECT_FALSE(parseJson(std::string(5'000'000, '[')).has_value());
}

} // namespace
} // namespace pilot::kube
