#include "engine/apiserver/http.h"
#include "engine/apiserver/mediatype.h"

#include <gtest/gtest.h>

#include <string>

using namespace pilot::apiserver;

namespace {

// What kubectl 1.32 sends (kube-api-compat.md §2.1, §3, §1).
constexpr const char* KubectlGetAccept =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;"
    "g=meta.k8s.io,application/json";
constexpr const char* KubectlDiscoveryAccept =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
    "application/json";
constexpr const char* KubectlProtobufAccept =
    "application/vnd.kubernetes.protobuf,application/json";

TEST(MediaType, parsesTypeAndParameters) {
    MediaType m = parseMediaType("Application/JSON ; as=Table; v=v1 ;G=meta.k8s.io");
    EXPECT_EQ(m.type, "application/json");
    EXPECT_EQ(m.param("as"), "Table"); // values keep their case
    EXPECT_EQ(m.param("v"), "v1");
    EXPECT_EQ(m.param("g"), "meta.k8s.io"); // names are case-insensitive
    EXPECT_EQ(m.param("missing"), "");
}

TEST(MediaType, unquotesParameterValuesAndSkipsMalformedOnes) {
    MediaType m = parseMediaType("application/json; charset=\"utf-8\"; junk; as=Table");
    EXPECT_EQ(m.param("charset"), "utf-8");
    EXPECT_EQ(m.param("as"), "Table");
    EXPECT_EQ(m.params.size(), 2U);
}

TEST(MediaType, acceptSplitsOnCommasAndDropsEmptyEntries) {
    auto list = parseAccept(" application/json;as=Table;v=v1;g=meta.k8s.io , ,*/*,");
    ASSERT_EQ(list.size(), 2U);
    EXPECT_EQ(list[0].type, "application/json");
    EXPECT_EQ(list[0].param("as"), "Table");
    EXPECT_EQ(list[1].type, "*/*");
}

TEST(Negotiate, noAcceptMeansJsonObjects) {
    Negotiated n = negotiate("");
    EXPECT_TRUE(n.acceptable);
    EXPECT_EQ(n.representation, Representation::Object);
}

TEST(Negotiate, plainJsonAndWildcardsGiveObjects) {
    for (const char* accept : {"application/json", "*/*", "application/*",
                               "application/json, text/plain", "text/html, */*;q=0.8"}) {
        SCOPED_TRACE(accept);
        Negotiated n = negotiate(accept);
        EXPECT_TRUE(n.acceptable);
        EXPECT_EQ(n.representation, Representation::Object);
    }
}

TEST(Negotiate, yamlIsAnsweredWithJson) {
    // JSON is a subset of YAML, so a YAML-only client can read what we send.
    Negotiated n = negotiate("application/yaml");
    EXPECT_TRUE(n.acceptable);
    EXPECT_EQ(n.representation, Representation::Object);
}

TEST(Negotiate, kubectlGetAsksForTableV1) {
    Negotiated n = negotiate(KubectlGetAccept);
    EXPECT_TRUE(n.acceptable);
    EXPECT_EQ(n.representation, Representation::Table);
    EXPECT_EQ(n.tableVersion, "v1");
}

TEST(Negotiate, tableV1beta1IsServedInThatVersion) {
    Negotiated n = negotiate("application/json;as=Table;v=v1beta1;g=meta.k8s.io");
    EXPECT_EQ(n.representation, Representation::Table);
    EXPECT_EQ(n.tableVersion, "v1beta1");
}

TEST(Negotiate, unknownTableVersionOrGroupFallsThroughToTheNextEntry) {
    Negotiated n = negotiate("application/json;as=Table;v=v2;g=meta.k8s.io,application/json");
    EXPECT_TRUE(n.acceptable);
    EXPECT_EQ(n.representation, Representation::Object);

    n = negotiate("application/json;as=Table;v=v1;g=example.com");
    EXPECT_FALSE(n.acceptable);
}

TEST(Negotiate, partialObjectMetadata) {
    Negotiated n = negotiate("application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io");
    EXPECT_TRUE(n.acceptable);
    EXPECT_EQ(n.representation, Representation::PartialObjectMetadata);
}

TEST(Negotiate, protobufWithJsonFallbackGetsJson) {
    Negotiated n = negotiate(KubectlProtobufAccept);
    EXPECT_TRUE(n.acceptable);
    EXPECT_EQ(n.representation, Representation::Object);
    EXPECT_FALSE(n.protobuf) << "a kind without a protobuf form";
}

TEST(Negotiate, protobufFirstGetsProtobufForBuiltInKinds) {
    Negotiated n = negotiate(KubectlProtobufAccept, true);
    EXPECT_TRUE(n.acceptable);
    EXPECT_TRUE(n.protobuf);
    EXPECT_TRUE(negotiate("application/vnd.kubernetes.protobuf", true).protobuf);
    EXPECT_FALSE(negotiate("application/json,application/vnd.kubernetes.protobuf", true).protobuf)
        << "the first acceptable entry wins";
    Negotiated table = negotiate("application/vnd.kubernetes.protobuf;as=Table;v=v1;"
                                 "g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io",
                                 true);
    EXPECT_FALSE(table.protobuf);
    EXPECT_EQ(table.representation, Representation::Table);
}

TEST(Negotiate, nothingWeCanProduceIsNotAcceptable) {
    for (const char* accept : {"application/vnd.kubernetes.protobuf", "text/html",
                               "application/json;as=Unknown;v=v1;g=meta.k8s.io"}) {
        SCOPED_TRACE(accept);
        EXPECT_FALSE(negotiate(accept).acceptable);
    }
}

TEST(AggregatedDiscovery, kubectlGetsV2) {
    EXPECT_EQ(aggregatedDiscoveryVersion(KubectlDiscoveryAccept), "v2");
}

TEST(AggregatedDiscovery, firstAcceptableVersionWins) {
    EXPECT_EQ(aggregatedDiscoveryVersion(
                  "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
                  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"),
              "v2beta1");
    EXPECT_EQ(aggregatedDiscoveryVersion(
                  "application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,"
                  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"),
              "v2");
}

TEST(AggregatedDiscovery, legacyClientsGetLegacyDocuments) {
    EXPECT_EQ(aggregatedDiscoveryVersion(""), "");
    EXPECT_EQ(aggregatedDiscoveryVersion("application/json"), "");
    EXPECT_EQ(aggregatedDiscoveryVersion("*/*"), "");
    // Plain JSON preferred over the aggregated form: legacy.
    EXPECT_EQ(
        aggregatedDiscoveryVersion("application/json,application/json;g=apidiscovery.k8s.io;v=v2;"
                                   "as=APIGroupDiscoveryList"),
        "");
}

TEST(Http, parseBoolFollowsGoStrconv) {
    for (const char* t : {"1", "t", "T", "TRUE", "true", "True"}) {
        EXPECT_EQ(parseBool(t), std::optional<bool>(true)) << t;
    }
    for (const char* f : {"0", "f", "F", "FALSE", "false", "False"}) {
        EXPECT_EQ(parseBool(f), std::optional<bool>(false)) << f;
    }
    for (const char* bad : {"", "yes", "tRUE", "2"}) {
        EXPECT_EQ(parseBool(bad), std::nullopt) << bad;
    }
}

TEST(Http, queryIsDecodedLikeKubectlEncodesIt) {
    auto query = parseQuery("labelSelector=tier+in+%28web%29%2Cidx%21%3D2&watch=true&flag&&"
                            "fieldSelector=metadata.name%3Dapp");
    ASSERT_EQ(query.size(), 4U);
    EXPECT_EQ(query[0],
              (std::pair<std::string, std::string>("labelSelector", "tier in (web),idx!=2")));
    EXPECT_EQ(query[1].second, "true");
    EXPECT_EQ(query[2], (std::pair<std::string, std::string>("flag", "")));
    EXPECT_EQ(query[3].second, "metadata.name=app");
}

TEST(Http, percentDecodeKeepsPlusInPathsAndBadEscapes) {
    EXPECT_EQ(percentDecode("a+b%2Fc", false), "a+b/c");
    EXPECT_EQ(percentDecode("a+b", true), "a b");
    EXPECT_EQ(percentDecode("100%zz%4", false), "100%zz%4");
}

TEST(Http, requestParamsAndHeaders) {
    Request request;
    request.query = {{"dryRun", "All"}, {"dryRun", "All"}, {"limit", "5"}};
    request.headers = {{"Content-Type", "application/json"}};
    ASSERT_NE(request.param("limit"), nullptr);
    EXPECT_EQ(*request.param("limit"), "5");
    EXPECT_EQ(request.param("missing"), nullptr);
    EXPECT_EQ(request.params("dryRun").size(), 2U);
    ASSERT_NE(request.header("content-type"), nullptr);
    EXPECT_EQ(*request.header("CONTENT-TYPE"), "application/json");
}

} // namespace
