// Transport-independent pieces of the client: paths, watch framing, Status errors, request
// targets.

#include "kube/client/apiclient.h"
#include "kube/client/apierror.h"
#include "kube/client/apiresource.h"
#include "kube/client/eventstream.h"
#include "kube/client/httpclient.h"
#include "kube/client/tlsconnection.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace pilot;
using namespace pilot::kube;
namespace json = boost::json;

namespace {

TEST(ApiResource, pathsAreBuiltAsKubeApiserverServesThem) {
    EXPECT_EQ(resources::Pods.collectionPath("default"), "/api/v1/namespaces/default/pods");
    EXPECT_EQ(resources::Pods.collectionPath(), "/api/v1/pods");
    EXPECT_EQ(resources::Pods.objectPath("default", "web", "status"),
              "/api/v1/namespaces/default/pods/web/status");
    EXPECT_EQ(resources::Deployments.objectPath("prod", "web", "scale"),
              "/apis/apps/v1/namespaces/prod/deployments/web/scale");
    EXPECT_EQ(resources::Nodes.objectPath("ignored", "n1"), "/api/v1/nodes/n1")
        << "cluster-scoped resources never get a namespace segment";
    EXPECT_EQ(resources::Leases.collectionPath("kube-node-lease"),
              "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases");
    EXPECT_EQ(resources::Deployments.apiVersion(), "apps/v1");
    EXPECT_EQ(resources::Pods.apiVersion(), "v1");
    EXPECT_EQ(resources::Deployments.qualifiedName(), "deployments.apps");
}

TEST(ObjectKey, namespacedAndClusterScopedKeysRoundTrip) {
    json::object pod{{"metadata", json::object{{"name", "web"}, {"namespace", "default"}}}};
    json::object node{{"metadata", json::object{{"name", "n1"}}}};
    EXPECT_EQ(objectKey(pod), "default/web");
    EXPECT_EQ(objectKey(node), "n1");
    EXPECT_EQ(splitObjectKey("default/web"),
              std::make_pair(std::string("default"), std::string("web")));
    EXPECT_EQ(splitObjectKey("n1"), std::make_pair(std::string(), std::string("n1")));
}

std::vector<WatchEvent> drain(WatchEventDecoder& decoder) {
    std::vector<WatchEvent> out;
    while (auto event = decoder.next()) {
        EXPECT_TRUE(*event) << event->error().message;
        if (*event) {
            out.push_back(std::move(**event));
        }
    }
    return out;
}

TEST(WatchEventDecoder, eventsSplitAcrossChunksAreReassembled) {
    const std::string stream =
        R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}})"
        "\n"
        R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}})"
        "\r\n\n"
        R"({"type":"DELETED","object":{"metadata":{"name":"a","resourceVersion":"10"}}})"
        "\n";
    // Every split point gives the same three events.
    for (size_t cut = 0; cut <= stream.size(); ++cut) {
        WatchEventDecoder decoder;
        decoder.feed(stream.substr(0, cut));
        std::vector<WatchEvent> events = drain(decoder);
        decoder.feed(stream.substr(cut));
        for (WatchEvent& e : drain(decoder)) {
            events.push_back(std::move(e));
        }
        ASSERT_EQ(events.size(), 3U) << "cut at " << cut;
        EXPECT_EQ(events[0].type, WatchEventType::Added);
        EXPECT_EQ(events[1].type, WatchEventType::Bookmark);
        EXPECT_EQ(events[2].type, WatchEventType::Deleted);
        EXPECT_EQ(decoder.pendingBytes(), 0U);
    }
}

TEST(WatchEventDecoder, anEventWithoutItsNewlineIsNotDeliveredYet) {
    WatchEventDecoder decoder;
    decoder.feed(R"({"type":"ADDED","object":{}})");
    EXPECT_FALSE(decoder.next());
    decoder.feed("\n");
    EXPECT_TRUE(decoder.next());
}

TEST(WatchEventDecoder, malformedLinesAreErrors) {
    for (const char* line : {"not json\n",
                             R"({"type":"ADDED"})"
                             "\n",
                             R"({"type":"RENAMED","object":{}})"
                             "\n"}) {
        WatchEventDecoder decoder;
        decoder.feed(line);
        auto event = decoder.next();
        ASSERT_TRUE(event) << line;
        ASSERT_FALSE(*event) << line;
        EXPECT_EQ(event->error().code, ErrorCode::InvalidArgument);
    }
}

TEST(ApiError, aStatusBodyKeepsReasonMessageAndDetails) {
    ApiError error = ApiError::fromResponse(
        404, R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
             R"("message":"pods \"web\" not found","reason":"NotFound",)"
             R"("details":{"name":"web","kind":"pods"},"code":404})");
    EXPECT_EQ(error.code, 404);
    EXPECT_EQ(error.reason, "NotFound");
    EXPECT_EQ(error.message, "pods \"web\" not found");
    EXPECT_EQ(error.kind, ErrorCode::NotFound);
    EXPECT_TRUE(isNotFound(error));
    EXPECT_FALSE(isConflict(error));
    EXPECT_EQ(error.status.at("details").as_object().at("name").as_string(), "web");
    EXPECT_EQ(error.toError().code, ErrorCode::NotFound);
}

TEST(ApiError, aNonStatusBodyIsClassifiedByItsHttpCode) {
    ApiError error = ApiError::fromResponse(503, "upstream unavailable");
    EXPECT_EQ(error.kind, ErrorCode::Unavailable);
    EXPECT_EQ(error.message, "upstream unavailable");
    EXPECT_TRUE(isGone(ApiError::fromResponse(410, "")));
    EXPECT_TRUE(isInvalid(ApiError::fromResponse(422, "")));
}

TEST(ApiError, aWatchErrorEventWith410IsGone) {
    WatchEvent event = errorEventForResponse(
        200, R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired",)"
             R"json("message":"too old resource version: 1 (5)","code":410})json");
    ApiError error = ApiError::fromStatus(event.object);
    EXPECT_TRUE(isGone(error));
    EXPECT_EQ(error.kind, ErrorCode::Gone);
    // An HTTP 410 status without a Status body is reported the same way.
    EXPECT_TRUE(isGone(ApiError::fromStatus(errorEventForResponse(410, "gone").object)));
}

TEST(ApiError, aTransportFailureHasNoHttpCode) {
    ApiError error = ApiError::fromTransport(Error{ErrorCode::Timeout, "read timed out"});
    EXPECT_EQ(error.code, 0);
    EXPECT_EQ(error.kind, ErrorCode::Timeout);
    EXPECT_FALSE(isNotFound(error));
}

TEST(SingleEventStream, deliversItsEventOnceThenEnds) {
    auto stream = singleEventStream(errorEventForResponse(403, "forbidden"));
    StreamRead first = stream->next(std::chrono::milliseconds(0));
    ASSERT_EQ(first.status, StreamRead::Status::Event);
    EXPECT_EQ(first.event.type, WatchEventType::Error);
    EXPECT_EQ(ApiError::fromStatus(first.event.object).kind, ErrorCode::Forbidden);
    EXPECT_EQ(stream->next(std::chrono::milliseconds(0)).status, StreamRead::Status::End);
}

TEST(ServerUrl, hostPortAndPrefixAreParsed) {
    auto a = parseServerUrl("https://127.0.0.1:6443");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "127.0.0.1");
    EXPECT_EQ(a->port, "6443");
    EXPECT_EQ(a->basePath, "");
    EXPECT_EQ(a->hostHeader, "127.0.0.1:6443");

    auto b = parseServerUrl("https://[::1]:8443/k8s/clusters/c1/");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->host, "::1");
    EXPECT_EQ(b->port, "8443");
    EXPECT_EQ(b->basePath, "/k8s/clusters/c1");

    auto c = parseServerUrl("https://api.example.test");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->port, "443");

    EXPECT_FALSE(parseServerUrl("http://127.0.0.1:8080"));
    EXPECT_FALSE(parseServerUrl("https://:443"));
}

TEST(ServerUrl, queryValuesArePercentEncoded) {
    auto address = parseServerUrl("https://h:1/prefix");
    ASSERT_TRUE(address);
    ApiRequest request;
    request.path = "/api/v1/namespaces/default/pods";
    request.query = {{"labelSelector", "app in (web,db),tier!=cache"},
                     {"fieldSelector", "spec.nodeName=n1"}};
    EXPECT_EQ(requestTarget(*address, request),
              "/prefix/api/v1/namespaces/default/pods"
              "?labelSelector=app%20in%20%28web%2Cdb%29%2Ctier%21%3Dcache"
              "&fieldSelector=spec.nodeName%3Dn1");
}

TEST(HttpApiClient, anUnreachableServerIsATransportError) {
    Kubeconfig config;
    config.server = "https://127.0.0.1:1"; // nothing listens on port 1
    config.insecureSkipTlsVerify = true;
    HttpClientOptions options;
    options.connectTimeout = std::chrono::seconds(5);
    auto client = HttpApiClient::fromKubeconfig(config, options);
    ASSERT_TRUE(client) << client.error().message;
    auto got = (*client)->get(resources::Namespaces, "", "default");
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error().code, 0);
    EXPECT_EQ(got.error().kind, ErrorCode::Unavailable);
    auto stream = (*client)->watch(resources::Pods, "default");
    ASSERT_FALSE(stream);
    EXPECT_EQ(stream.error().kind, ErrorCode::Unavailable);
}

} // namespace
