// kubelet's service environment variables (enableServiceLinks).
#include "nodeagent/pod/serviceenv.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <map>
#include <string>

using namespace pilot::agent;
namespace json = boost::json;

namespace {

json::object service(const std::string& ns, const std::string& name, const std::string& ip,
                     const std::string& ports) {
    return json::parse(R"({"metadata":{"namespace":")" + ns + R"(","name":")" + name +
                       R"("},"spec":{"clusterIP":")" + ip + R"(","ports":)" + ports + "}}")
        .as_object();
}

std::map<std::string, std::string> asMap(const EnvList& env) {
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : env) {
        EXPECT_TRUE(out.emplace(k, v).second) << "duplicate " << k;
    }
    return out;
}

std::vector<json::object> cluster() {
    return {service("default", "kubernetes", "10.96.0.1",
                    R"([{"name":"https","port":443,"protocol":"TCP"}])"),
            service("demo", "web-front", "10.96.0.20",
                    R"([{"name":"http","port":80},{"name":"metrics","port":9090,)"
                    R"("protocol":"TCP"},{"name":"dns","port":53,"protocol":"UDP"}])"),
            service("demo", "db", "None", R"([{"name":"peer","port":7000}])"),
            service("other", "elsewhere", "10.96.0.30", R"([{"port":8080}])")};
}

} // namespace

TEST(ServiceEnv, NamespaceServicesGetHostPortAndDockerLinkVariables) {
    auto env = asMap(serviceEnvironment(cluster(), "demo", true));
    std::map<std::string, std::string> expected = {
        {"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
        {"KUBERNETES_SERVICE_PORT", "443"},
        {"KUBERNETES_SERVICE_PORT_HTTPS", "443"},
        {"KUBERNETES_PORT", "tcp://10.96.0.1:443"},
        {"KUBERNETES_PORT_443_TCP", "tcp://10.96.0.1:443"},
        {"KUBERNETES_PORT_443_TCP_PROTO", "tcp"},
        {"KUBERNETES_PORT_443_TCP_PORT", "443"},
        {"KUBERNETES_PORT_443_TCP_ADDR", "10.96.0.1"},
        {"WEB_FRONT_SERVICE_HOST", "10.96.0.20"},
        {"WEB_FRONT_SERVICE_PORT", "80"},
        {"WEB_FRONT_SERVICE_PORT_HTTP", "80"},
        {"WEB_FRONT_SERVICE_PORT_METRICS", "9090"},
        {"WEB_FRONT_SERVICE_PORT_DNS", "53"},
        {"WEB_FRONT_PORT", "tcp://10.96.0.20:80"},
        {"WEB_FRONT_PORT_80_TCP", "tcp://10.96.0.20:80"},
        {"WEB_FRONT_PORT_80_TCP_PROTO", "tcp"},
        {"WEB_FRONT_PORT_80_TCP_PORT", "80"},
        {"WEB_FRONT_PORT_80_TCP_ADDR", "10.96.0.20"},
        {"WEB_FRONT_PORT_9090_TCP", "tcp://10.96.0.20:9090"},
        {"WEB_FRONT_PORT_9090_TCP_PROTO", "tcp"},
        {"WEB_FRONT_PORT_9090_TCP_PORT", "9090"},
        {"WEB_FRONT_PORT_9090_TCP_ADDR", "10.96.0.20"},
        {"WEB_FRONT_PORT_53_UDP", "udp://10.96.0.20:53"},
        {"WEB_FRONT_PORT_53_UDP_PROTO", "udp"},
        {"WEB_FRONT_PORT_53_UDP_PORT", "53"},
        {"WEB_FRONT_PORT_53_UDP_ADDR", "10.96.0.20"},
    };
    EXPECT_EQ(env, expected); // headless `db` and the other namespace's Service are left out
}

TEST(ServiceEnv, WithoutServiceLinksOnlyTheMasterService) {
    auto env = asMap(serviceEnvironment(cluster(), "demo", false));
    EXPECT_EQ(env.size(), 8u);
    EXPECT_EQ(env["KUBERNETES_SERVICE_HOST"], "10.96.0.1");
    EXPECT_FALSE(env.contains("WEB_FRONT_SERVICE_HOST"));
}

TEST(ServiceEnv, NamespaceKubernetesServiceReplacesTheMasterOne) {
    auto services = cluster();
    services.insert(services.begin(),
                    service("demo", "kubernetes", "10.96.0.99", R"([{"port":8443}])"));
    auto env = asMap(serviceEnvironment(services, "demo", true));
    EXPECT_EQ(env["KUBERNETES_SERVICE_HOST"], "10.96.0.99");
    EXPECT_EQ(env["KUBERNETES_PORT"], "tcp://10.96.0.99:8443");
    EXPECT_FALSE(env.contains("KUBERNETES_SERVICE_PORT_HTTPS"));
}

TEST(ServiceEnv, Ipv6AddressesAreBracketedInUrls) {
    auto env = asMap(serviceEnvironment(
        {service("v6", "api", "fd00::10", R"([{"port":80,"protocol":"TCP"}])")}, "v6", true));
    EXPECT_EQ(env["API_PORT"], "tcp://[fd00::10]:80");
    EXPECT_EQ(env["API_PORT_80_TCP_ADDR"], "fd00::10");
}
