#pragma once

#include "core/error.h"
#include "nodeagent/runtime/runtime.h"

#include <boost/json/value.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace pilot::agent::network {

/// How the agent fills in its pod network. Two agents on one machine get different bridges,
/// subnets and state directories as long as their node names (or pod CIDRs) differ.
struct NetworkOptions {
    std::string dataDir;  ///< DATA/network: conflist, IPAM leases, cached ADD results.
    std::string nodeName; ///< Seeds the bridge name and, without podCidr, the subnet.
    /// The node's pod range (`10.244.1.0/24`, Node spec.podCIDR). Empty: a /24 of 10.88.0.0/16
    /// chosen from a hash of the node name, skipping subnets the host already routes.
    std::string podCidr;
    std::string bridgeName; ///< Empty: `pilot` + 8 hex digits of the node name's hash.
    std::string cniBinDir = "/usr/lib/cni";
    std::string netnsDir = "/run/netns"; ///< Where pod namespaces are pinned.
    int mtu = 0;                         ///< 0: the bridge plugin's default.
    bool ipMasq = true;                  ///< SNAT pod traffic leaving the subnet.
    std::chrono::milliseconds pluginTimeout{60000};
};

/// The concrete network an agent uses (persisted in DATA/network/network.json).
struct NetworkPlan {
    std::string name;    ///< CNI network name: `pilot-<hash>`.
    std::string bridge;  ///< Linux bridge (at most 15 characters).
    std::string subnet;  ///< `10.88.X.0/24` or the pod CIDR.
    std::string gateway; ///< First address of the subnet, on the bridge.

    friend bool operator==(const NetworkPlan&, const NetworkPlan&) = default;
};

/// Derives the plan for `options`; `routedSubnets` are CIDRs the host already routes elsewhere
/// (from the routing table), which a derived subnet avoids.
[[nodiscard]] Result<NetworkPlan> planNetwork(const NetworkOptions& options,
                                              const std::vector<std::string>& routedSubnets);
/// IPv4 destinations of /proc/net/route not on `exceptInterface`, as CIDRs.
[[nodiscard]] std::vector<std::string> hostRoutedSubnets(const std::string& exceptInterface);

/// A pod's attachment request.
struct PodAttachment {
    std::string podId;     ///< CNI_CONTAINERID: the sandbox ID.
    std::string netnsPath; ///< CNI_NETNS.
    std::string podName;
    std::string podNamespace;
    std::string podUid;
    std::vector<PortMapping> ports; ///< Those with hostPort != 0 are published (portmap).
};

struct PodNetworkStatus {
    std::string ip; ///< Pod IP without prefix length.
    std::string gateway;
    std::string interfaceName = "eth0";
    std::string mac;
};

/// Parses a CNI result (spec 0.4/1.0): the first IPv4 of the container interface.
[[nodiscard]] Result<PodNetworkStatus> parseCniResult(const boost::json::value& result);

/// The node's pod network through the standard CNI plugins (bridge + host-local + portmap +
/// firewall, loopback for `lo`), executed as the CNI 1.0 spec describes: config on stdin,
/// CNI_COMMAND/CNI_CONTAINERID/CNI_NETNS/CNI_IFNAME/CNI_ARGS/CNI_PATH in the environment, results
/// chained as prevResult, DEL in reverse order. ADD results are cached under DATA so DEL and
/// CHECK work after an agent restart. Thread-safe.
class CniNetwork {
public:
    /// Plans the network, writes DATA/network/<name>.conflist and checks the plugins exist.
    [[nodiscard]] static Result<std::unique_ptr<CniNetwork>> open(NetworkOptions options);

    /// A new pinned network namespace for a pod (`netnsDir/pilot-<id>`).
    [[nodiscard]] Result<std::string> createNamespace(const std::string& podId);
    [[nodiscard]] Status removeNamespace(const std::string& path);

    /// ADD: loopback up, then the chain on eth0. On failure whatever was set up is deleted.
    [[nodiscard]] Result<PodNetworkStatus> setUp(const PodAttachment& pod);
    /// DEL with the cached ADD result; nothing cached is success (already torn down).
    [[nodiscard]] Status tearDown(const std::string& podId);
    /// CHECK of the chain against the cached result.
    [[nodiscard]] Status check(const std::string& podId);
    /// The cached status of an attached pod; NotFound when not attached.
    [[nodiscard]] Result<PodNetworkStatus> podStatus(const std::string& podId) const;

    [[nodiscard]] const NetworkPlan& plan() const { return m_plan; }
    [[nodiscard]] const std::string& conflistPath() const { return m_conflistPath; }

private:
    explicit CniNetwork(NetworkOptions options);
    struct Invocation {
        std::string command; ///< ADD, DEL, CHECK.
        std::string containerId;
        std::string netns;
        std::string ifname;
        std::string args; ///< CNI_ARGS.
    };
    [[nodiscard]] Result<boost::json::value> invoke(const std::string& type, const Invocation& call,
                                                    const boost::json::object& config) const;
    [[nodiscard]] Result<boost::json::value> runChain(const Invocation& call,
                                                      const boost::json::value& prevResult,
                                                      const std::vector<PortMapping>& ports) const;
    [[nodiscard]] std::string cachePath(const std::string& podId) const;

    NetworkOptions m_options;
    NetworkPlan m_plan;
    boost::json::object m_conflist;
    std::string m_conflistPath;
};

} // namespace pilot::agent::network
