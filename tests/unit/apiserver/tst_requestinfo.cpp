#include "engine/apiserver/requestinfo.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

using namespace pilot::apiserver;

namespace {

struct PathCase {
    std::string label;
    std::string method;
    std::string path;
    bool watch;
    RequestInfo expected;
};

void PrintTo(const PathCase& c, std::ostream* os) {
    *os << c.method << " " << c.path << (c.watch ? "?watch=1" : "");
}

RequestInfo resource(std::string prefix, std::string group, std::string version, std::string ns,
                     std::string plural, std::string name, std::string subresource,
                     std::string verb) {
    RequestInfo info;
    info.isResourceRequest = true;
    info.apiPrefix = std::move(prefix);
    info.group = std::move(group);
    info.version = std::move(version);
    info.ns = std::move(ns);
    info.resource = std::move(plural);
    info.name = std::move(name);
    info.subresource = std::move(subresource);
    info.verb = std::move(verb);
    return info;
}

RequestInfo nonResource(std::string prefix = {}, std::string group = {}, std::string version = {}) {
    RequestInfo info;
    info.apiPrefix = std::move(prefix);
    info.group = std::move(group);
    info.version = std::move(version);
    return info;
}

class RequestInfoTest : public ::testing::TestWithParam<PathCase> {};

TEST_P(RequestInfoTest, parsesLikeKubeApiserver) {
    const PathCase& c = GetParam();
    RequestInfo info = parseRequestInfo(c.method, c.path, c.watch);
    EXPECT_EQ(info.isResourceRequest, c.expected.isResourceRequest);
    EXPECT_EQ(info.apiPrefix, c.expected.apiPrefix);
    EXPECT_EQ(info.group, c.expected.group);
    EXPECT_EQ(info.version, c.expected.version);
    if (c.expected.isResourceRequest) {
        EXPECT_EQ(info.ns, c.expected.ns);
        EXPECT_EQ(info.resource, c.expected.resource);
        EXPECT_EQ(info.name, c.expected.name);
        EXPECT_EQ(info.subresource, c.expected.subresource);
        EXPECT_EQ(info.verb, c.expected.verb);
    }
}

INSTANTIATE_TEST_SUITE_P(
    Paths, RequestInfoTest,
    ::testing::Values(
        PathCase{"podStatus", "GET", "/api/v1/namespaces/ns/pods/name/status", false,
                 resource("api", "", "v1", "ns", "pods", "name", "status", "get")},
        PathCase{"podStatusPut", "PUT", "/api/v1/namespaces/ns/pods/name/status", false,
                 resource("api", "", "v1", "ns", "pods", "name", "status", "update")},
        PathCase{"podLog", "GET", "/api/v1/namespaces/ns/pods/p/log", false,
                 resource("api", "", "v1", "ns", "pods", "p", "log", "get")},
        PathCase{"podEviction", "POST", "/api/v1/namespaces/ns/pods/p/eviction", false,
                 resource("api", "", "v1", "ns", "pods", "p", "eviction", "create")},
        PathCase{"clusterWideDeployments", "GET", "/apis/apps/v1/deployments", false,
                 resource("apis", "apps", "v1", "", "deployments", "", "", "list")},
        PathCase{"clusterWideWatch", "GET", "/apis/apps/v1/deployments", true,
                 resource("apis", "apps", "v1", "", "deployments", "", "", "watch")},
        PathCase{"legacyWatchPrefix", "GET", "/api/v1/watch/namespaces/ns/configmaps", false,
                 resource("api", "", "v1", "ns", "configmaps", "", "", "watch")},
        PathCase{"legacyWatchPrefixNamed", "GET",
                 "/apis/apps/v1/watch/namespaces/ns/deployments/web", false,
                 resource("apis", "apps", "v1", "ns", "deployments", "web", "", "watch")},
        PathCase{"namespacedList", "GET", "/apis/apps/v1/namespaces/default/deployments", false,
                 resource("apis", "apps", "v1", "default", "deployments", "", "", "list")},
        PathCase{"namespacedWatch", "GET", "/api/v1/namespaces/default/configmaps", true,
                 resource("api", "", "v1", "default", "configmaps", "", "", "watch")},
        PathCase{"watchOneObject", "GET", "/api/v1/namespaces/default/configmaps/c", true,
                 resource("api", "", "v1", "default", "configmaps", "c", "", "watch")},
        PathCase{"scale", "PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale", false,
                 resource("apis", "apps", "v1", "default", "deployments", "web", "scale", "patch")},
        PathCase{"clusterScopedGet", "GET", "/api/v1/nodes/node-1", false,
                 resource("api", "", "v1", "", "nodes", "node-1", "", "get")},
        PathCase{"clusterScopedGroup", "DELETE",
                 "/apis/rbac.authorization.k8s.io/v1/clusterroles/admin", false,
                 resource("apis", "rbac.authorization.k8s.io", "v1", "", "clusterroles", "admin",
                          "", "delete")},
        PathCase{"namespaceItself", "GET", "/api/v1/namespaces/team", false,
                 resource("api", "", "v1", "", "namespaces", "team", "", "get")},
        PathCase{"namespaceList", "GET", "/api/v1/namespaces", false,
                 resource("api", "", "v1", "", "namespaces", "", "", "list")},
        PathCase{"namespaceDelete", "DELETE", "/api/v1/namespaces/team", false,
                 resource("api", "", "v1", "", "namespaces", "team", "", "delete")},
        PathCase{"namespaceStatus", "PUT", "/api/v1/namespaces/team/status", false,
                 resource("api", "", "v1", "", "namespaces", "team", "status", "update")},
        PathCase{"namespaceFinalize", "PUT", "/api/v1/namespaces/team/finalize", false,
                 resource("api", "", "v1", "", "namespaces", "team", "finalize", "update")},
        PathCase{"create", "POST", "/api/v1/namespaces/ns/pods", false,
                 resource("api", "", "v1", "ns", "pods", "", "", "create")},
        PathCase{"update", "PUT", "/api/v1/namespaces/ns/pods/p", false,
                 resource("api", "", "v1", "ns", "pods", "p", "", "update")},
        PathCase{"patch", "PATCH", "/api/v1/namespaces/ns/pods/p", false,
                 resource("api", "", "v1", "ns", "pods", "p", "", "patch")},
        PathCase{"delete", "DELETE", "/api/v1/namespaces/ns/pods/p", false,
                 resource("api", "", "v1", "ns", "pods", "p", "", "delete")},
        PathCase{"deleteCollection", "DELETE", "/api/v1/namespaces/ns/pods", false,
                 resource("api", "", "v1", "ns", "pods", "", "", "deletecollection")},
        PathCase{"headIsGet", "HEAD", "/api/v1/namespaces/ns/pods/p", false,
                 resource("api", "", "v1", "ns", "pods", "p", "", "get")},
        PathCase{"extraSlashes", "GET", "//api//v1/namespaces/ns/pods/p/", false,
                 resource("api", "", "v1", "ns", "pods", "p", "", "get")},
        PathCase{"unknownMethod", "OPTIONS", "/api/v1/namespaces/ns/pods", false,
                 resource("api", "", "v1", "ns", "pods", "", "", "unknown")},
        // Discovery and other non-resource paths.
        PathCase{"root", "GET", "/", false, nonResource()},
        PathCase{"version", "GET", "/version", false, nonResource()},
        PathCase{"healthz", "GET", "/healthz", false, nonResource()},
        PathCase{"api", "GET", "/api", false, nonResource("api")},
        PathCase{"apiV1", "GET", "/api/v1", false, nonResource("api", "", "v1")},
        PathCase{"apis", "GET", "/apis", false, nonResource("apis")},
        PathCase{"apisGroup", "GET", "/apis/apps", false, nonResource("apis", "apps")},
        PathCase{"apisGroupVersion", "GET", "/apis/apps/v1", false,
                 nonResource("apis", "apps", "v1")},
        PathCase{"openapi", "GET", "/openapi/v3/apis/apps/v1", false, nonResource()},
        // Deeper than resource/name/subresource (proxy paths) is not served at all: no API
        // prefix is kept, so nothing answers it with discovery (404).
        PathCase{"proxyPath", "GET", "/api/v1/namespaces/ns/pods/p/proxy/metrics", false,
                 nonResource()}),
    [](const ::testing::TestParamInfo<PathCase>& param) { return param.param.label; });

TEST(RequestInfo, aNamespaceNamedLikeASubresourceIsStillANamespace) {
    // `/api/v1/namespaces/status` is the namespace called "status", not a subresource.
    RequestInfo info = parseRequestInfo("GET", "/api/v1/namespaces/status", false);
    EXPECT_TRUE(info.isResourceRequest);
    EXPECT_EQ(info.resource, "namespaces");
    EXPECT_EQ(info.name, "status");
    EXPECT_EQ(info.subresource, "");
    EXPECT_EQ(info.ns, "");
}

TEST(RequestInfo, watchFlagOnlyChangesReads) {
    EXPECT_EQ(parseRequestInfo("POST", "/api/v1/namespaces/ns/pods", true).verb, "create");
    EXPECT_EQ(parseRequestInfo("DELETE", "/api/v1/namespaces/ns/pods", true).verb,
              "deletecollection");
}

} // namespace
