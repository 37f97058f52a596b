#include "nodeagent/network/cninetwork.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace pilot::agent::network {
namespace {

TEST(NetworkPlan, DerivesBridgeAndSubnetFromTheNodeName) {
    NetworkOptions a;
    a.nodeName = "node-a";
    NetworkOptions b;
    b.nodeName = "node-b";
    auto planA = planNetwork(a, {});
    auto planB = planNetwork(b, {});
    ASSERT_TRUE(planA && planB);
    EXPECT_NE(planA->bridge, planB->bridge);
    EXPECT_NE(planA->name, planB->name);
    EXPECT_LE(planA->bridge.size(), 15u);
    EXPECT_TRUE(planA->subnet.starts_with("10.88.")) << planA->subnet;
    EXPECT_TRUE(planA->subnet.ends_with(".0/24"));
    EXPECT_EQ(*planNetwork(a, {}), *planA) << "stable across restarts";
    std::string prefix = planA->subnet.substr(0, planA->subnet.size() - 4);
    EXPECT_EQ(planA->gateway, prefix + "1");

    // A subnet the host already routes elsewhere is skipped.
    auto avoided = planNetwork(a, {planA->subnet, "10.0.0.0/8" /* too wide to count */});
    ASSERT_TRUE(avoided);
    EXPECT_NE(avoided->subnet, planA->subnet);

    NetworkOptions cidr;
    cidr.nodeName = "node-a";
    cidr.podCidr = "10.244.3.17/24";
    auto planC = planNetwork(cidr, {});
    ASSERT_TRUE(planC);
    EXPECT_EQ(planC->subnet, "10.244.3.0/24");
    EXPECT_EQ(planC->gateway, "10.244.3.1");
    cidr.podCidr = "fd00::/64";
    EXPECT_FALSE(planNetwork(cidr, {}));
    cidr.podCidr = "10.0.0.0/31";
    EXPECT_FALSE(planNetwork(cidr, {}));
    cidr.podCidr = {};
    cidr.bridgeName = "a-very-long-bridge-name";
    EXPECT_FALSE(planNetwork(cidr, {}));
}

TEST(NetworkPlan, ParsesCniResults) {
    auto result = boost::json::parse(R"({"cniVersion":"1.0.0",
        "interfaces":[{"name":"pilot1"},{"name":"veth1","mac":"aa"},{"name":"eth0","mac":"0a:58:0a:58:03:05","sandbox":"/run/netns/x"}],
        "ips":[{"address":"fd00::5/64","interface":2},{"address":"10.88.3.5/24","gateway":"10.88.3.1","interface":2}],
        "routes":[{"dst":"0.0.0.0/0"}]})");
    auto status = parseCniResult(result);
    ASSERT_TRUE(status) << status.error().message;
    EXPECT_EQ(status->ip, "10.88.3.5");
    EXPECT_EQ(status->gateway, "10.88.3.1");
    EXPECT_EQ(status->interfaceName, "eth0");
    EXPECT_EQ(status->mac, "0a:58:0a:58:03:05");
    EXPECT_FALSE(parseCniResult(boost::json::parse(R"({"ips":[]})")));
}

} // namespace
} // namespace pilot::agent::network
