#include "nodeagent/network/cninetwork.h"

#include "core/log.h"
#include "nodeagent/network/netns.h"
#include "nodeagent/runtime/fileutil.h"
#include "nodeagent/runtime/subprocess.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <arpa/inet.h>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace pilot::agent::network {

namespace json = boost::json;

namespace {

constexpr const char* CniVersion = "1.0.0";

uint64_t fnv1a(std::string_view text) {
    uint64_t hash = 1469598103934665603ULL;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 1099511628211ULL;
    }
    return hash;
}

struct Cidr {
    uint32_t network = 0; ///< Host byte order.
    int prefix = 0;
};

Result<Cidr> parseCidr(std::string_view text) {
    size_t slash = text.find('/');
    if (slash == std::string_view::npos) {
        return fail(ErrorCode::InvalidArgument, fmt::format("\"{}\" is not a CIDR", text));
    }
    std::string address(text.substr(0, slash));
    in_addr parsed{};
    if (::inet_pton(AF_INET, address.c_str(), &parsed) != 1) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("\"{}\": only IPv4 pod ranges are supported", text));
    }
    int prefix = 0;
    try {
        prefix = std::stoi(std::string(text.substr(slash + 1)));
    } catch (...) {
        prefix = -1;
    }
    if (prefix < 8 || prefix > 30) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("\"{}\": prefix length must be between 8 and 30", text));
    }
    uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
    return Cidr{ntohl(parsed.s_addr) & mask, prefix};
}

std::string formatAddress(uint32_t address) {
    in_addr out{htonl(address)};
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &out, text, sizeof text);
    return text;
}

bool overlaps(const Cidr& a, const Cidr& b) {
    int prefix = std::min(a.prefix, b.prefix);
    uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
    return (a.network & mask) == (b.network & mask);
}

std::string cniArgs(const std::string& podName, const std::string& podNamespace,
                    const std::string& podUid, const std::string& podId) {
    return fmt::format("IgnoreUnknown=1;K8S_POD_NAMESPACE={};K8S_POD_NAME={};"
                       "K8S_POD_INFRA_CONTAINER_ID={};K8S_POD_UID={}",
                       podNamespace, podName, podId, podUid);
}

json::array portMappings(const std::vector<PortMapping>& ports) {
    json::array out;
    for (const auto& port : ports) {
        if (port.hostPort == 0) {
            continue;
        }
        std::string protocol = port.protocol.empty() ? "tcp" : port.protocol;
        for (char& c : protocol) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        json::object mapping{{"hostPort", port.hostPort},
                             {"containerPort", port.containerPort},
                             {"protocol", protocol}};
        if (!port.hostIP.empty()) {
            mapping["hostIP"] = port.hostIP;
        }
        out.push_back(std::move(mapping));
    }
    return out;
}

bool hasIpv6(const json::value& result) {
    const auto* object = result.if_object();
    const json::value* ips = object != nullptr ? object->if_contains("ips") : nullptr;
    if (ips == nullptr || !ips->is_array()) {
        return false;
    }
    for (const auto& ip : ips->as_array()) {
        const auto* address = ip.is_object() ? ip.as_object().if_contains("address") : nullptr;
        if (address != nullptr && address->is_string() &&
            std::string_view(address->as_string()).find(':') != std::string_view::npos) {
            return true;
        }
    }
    return false;
}

} // namespace

std::vector<std::string> hostRoutedSubnets(const std::string& exceptInterface) {
    std::vector<std::string> out;
    std::ifstream routes("/proc/net/route");
    std::string line;
    std::getline(routes, line); // header
    while (std::getline(routes, line)) {
        std::istringstream fields(line);
        std::string iface;
        std::string destination;
        std::string gateway;
        std::string flags;
        std::string refcnt;
        std::string use;
        std::string metric;
        std::string mask;
        fields >> iface >> destination >> gateway >> flags >> refcnt >> use >> metric >> mask;
        if (iface.empty() || iface == exceptInterface) {
            continue;
        }
        uint32_t dest = 0;
        uint32_t netmask = 0;
        try {
            dest = static_cast<uint32_t>(std::stoul(destination, nullptr, 16));
            netmask = static_cast<uint32_t>(std::stoul(mask, nullptr, 16));
        } catch (...) {
            continue;
        }
        if (netmask == 0) {
            continue; // The default route overlaps everything; it is no conflict.
        }
        int prefix = __builtin_popcount(netmask);
        out.push_back(fmt::format("{}/{}", formatAddress(ntohl(dest)), prefix));
    }
    return out;
}

Result<NetworkPlan> planNetwork(const NetworkOptions& options,
                                const std::vector<std::string>& routedSubnets) {
    uint64_t hash = fnv1a(options.nodeName);
    std::string tag = fmt::format("{:08x}", static_cast<uint32_t>(hash ^ (hash >> 32)));
    NetworkPlan plan;
    plan.name = "pilot-" + tag;
    plan.bridge = options.bridgeName.empty() ? "pilot" + tag : options.bridgeName;
    if (plan.bridge.size() > 15) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("bridge name \"{}\" is longer than 15 characters", plan.bridge));
    }
    if (!options.podCidr.empty()) {
        auto cidr = parseCidr(options.podCidr);
        if (!cidr) {
            return fail(ErrorCode::InvalidArgument, "pod CIDR " + cidr.error().message);
        }
        plan.subnet = fmt::format("{}/{}", formatAddress(cidr->network), cidr->prefix);
        plan.gateway = formatAddress(cidr->network + 1);
        return plan;
    }
    std::vector<Cidr> taken;
    for (const auto& subnet : routedSubnets) {
        if (auto cidr = parseCidr(subnet)) {
            taken.push_back(*cidr);
        }
    }
    uint32_t base = (10u << 24) | (88u << 16);
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t third = static_cast<uint32_t>((hash + i) % 256);
        Cidr candidate{base | (third << 8), 24};
        bool clash = false;
        for (const auto& other : taken) {
            if (other.prefix >= 16 && overlaps(candidate, other)) {
                clash = true;
                break;
            }
        }
        if (!clash) {
            plan.subnet = fmt::format("{}/24", formatAddress(candidate.network));
            plan.gateway = formatAddress(candidate.network + 1);
            return plan;
        }
    }
    return fail(ErrorCode::Unavailable, "no free /24 left in 10.88.0.0/16 for the pod network");
}

Result<PodNetworkStatus> parseCniResult(const json::value& result) {
    if (!result.is_object()) {
        return fail(ErrorCode::Internal, "CNI result is not an object");
    }
    const auto& object = result.as_object();
    const auto* ips = object.if_contains("ips");
    if (ips == nullptr || !ips->is_array()) {
        return fail(ErrorCode::Internal, "CNI result carries no IP addresses");
    }
    PodNetworkStatus status;
    std::vector<std::pair<std::string, std::string>> interfaces; // name, mac
    if (const auto* list = object.if_contains("interfaces"); list != nullptr && list->is_array()) {
        for (const auto& entry : list->as_array()) {
            std::string name;
            std::string mac;
            if (entry.is_object()) {
                if (const auto* n = entry.as_object().if_contains("name"); n && n->is_string()) {
                    name = std::string(n->as_string());
                }
                if (const auto* m = entry.as_object().if_contains("mac"); m && m->is_string()) {
                    mac = std::string(m->as_string());
                }
            }
            interfaces.emplace_back(name, mac);
        }
    }
    for (const auto& entry : ips->as_array()) {
        if (!entry.is_object()) {
            continue;
        }
        const auto& ip = entry.as_object();
        const auto* address = ip.if_contains("address");
        if (address == nullptr || !address->is_string()) {
            continue;
        }
        std::string cidr(address->as_string());
        std::string plain = cidr.substr(0, cidr.find('/'));
        if (plain.find(':') != std::string::npos) {
            continue; // IPv6: the pod IP is the IPv4 one here.
        }
        status.ip = plain;
        if (const auto* gateway = ip.if_contains("gateway"); gateway && gateway->is_string()) {
            status.gateway = std::string(gateway->as_string());
        }
        if (const auto* index = ip.if_contains("interface"); index && index->is_int64()) {
            auto i = static_cast<size_t>(index->as_int64());
            if (i < interfaces.size()) {
                status.interfaceName = interfaces[i].first;
                status.mac = interfaces[i].second;
            }
        }
        return status;
    }
    return fail(ErrorCode::Internal, "CNI result carries no IPv4 address");
}

CniNetwork::CniNetwork(NetworkOptions options) : m_options(std::move(options)) {}

Result<std::unique_ptr<CniNetwork>> CniNetwork::open(NetworkOptions options) {
    std::unique_ptr<CniNetwork> network(new CniNetwork(std::move(options)));
    const NetworkOptions& o = network->m_options;
    for (const char* dir : {"", "/ipam", "/results"}) {
        if (auto status = makeDirectories(o.dataDir + dir, 0700); !status) {
            return std::unexpected(status.error());
        }
    }
    for (const char* plugin : {"bridge", "host-local", "loopback", "portmap", "firewall"}) {
        std::string path = o.cniBinDir + "/" + plugin;
        if (::access(path.c_str(), X_OK) != 0) {
            return fail(
                ErrorCode::Unavailable,
                fmt::format("CNI plugin {} not found (install containernetworking-plugins)", path));
        }
    }
    // Keep the subnet of an earlier run unless the pod CIDR was given and differs.
    std::string planPath = o.dataDir + "/network.json";
    auto saved = readJsonFile(planPath);
    bool reuse = false;
    if (saved && saved->is_object()) {
        const auto& object = saved->as_object();
        auto str = [&](const char* key) {
            const auto* v = object.if_contains(key);
            return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
        };
        NetworkPlan previous{str("name"), str("bridge"), str("subnet"), str("gateway")};
        auto fresh = planNetwork(o, {});
        if (fresh && !previous.subnet.empty() && previous.name == fresh->name &&
            (o.bridgeName.empty() || o.bridgeName == previous.bridge) &&
            (o.podCidr.empty() || fresh->subnet == previous.subnet)) {
            network->m_plan = previous;
            reuse = true;
        }
    }
    if (!reuse) {
        std::string bridge =
            o.bridgeName.empty() ? planNetwork(o, {}).value_or(NetworkPlan{}).bridge : o.bridgeName;
        auto plan = planNetwork(o, hostRoutedSubnets(bridge));
        if (!plan) {
            return std::unexpected(plan.error());
        }
        network->m_plan = *plan;
        json::object record{{"name", plan->name},
                            {"bridge", plan->bridge},
                            {"subnet", plan->subnet},
                            {"gateway", plan->gateway}};
        if (auto status = writeFileAtomically(planPath, json::serialize(record), 0600, true);
            !status) {
            return std::unexpected(status.error());
        }
    }
    const NetworkPlan& plan = network->m_plan;
    json::object bridge{
        {"type", "bridge"},
        {"bridge", plan.bridge},
        {"isGateway", true},
        {"ipMasq", o.ipMasq},
        {"hairpinMode", true},
        {"ipam", json::object{{"type", "host-local"},
                              {"ranges", json::array{json::array{json::object{
                                             {"subnet", plan.subnet}, {"gateway", plan.gateway}}}}},
                              {"routes", json::array{json::object{{"dst", "0.0.0.0/0"}}}},
                              {"dataDir", o.dataDir + "/ipam"}}}};
    if (o.mtu > 0) {
        bridge["mtu"] = o.mtu;
    }
    network->m_conflist = json::object{
        {"cniVersion", CniVersion},
        {"name", plan.name},
        {"plugins", json::array{bridge,
                                json::object{{"type", "portmap"},
                                             {"capabilities", json::object{{"portMappings", true}}},
                                             {"snat", true}},
                                json::object{{"type", "firewall"}}}}};
    network->m_conflistPath = fmt::format("{}/{}.conflist", o.dataDir, plan.name);
    if (auto status = writeFileAtomically(network->m_conflistPath,
                                          json::serialize(network->m_conflist), 0644);
        !status) {
        return std::unexpected(status.error());
    }
    return network;
}

Result<std::string> CniNetwork::createNamespace(const std::string& podId) {
    return createNetworkNamespace(m_options.netnsDir, "pilot-" + podId.substr(0, 24));
}

Status CniNetwork::removeNamespace(const std::string& path) {
    return removeNetworkNamespace(path);
}

std::string CniNetwork::cachePath(const std::string& podId) const {
    return fmt::format("{}/results/{}.json", m_options.dataDir, podId);
}

Result<json::value> CniNetwork::invoke(const std::string& type, const Invocation& call,
                                       const json::object& config) const {
    CommandSpec spec;
    spec.argv = {m_options.cniBinDir + "/" + type};
    spec.env = std::vector<std::string>{
        std::string("PATH=") + DefaultPath,    "CNI_COMMAND=" + call.command,
        "CNI_CONTAINERID=" + call.containerId, "CNI_NETNS=" + call.netns,
        "CNI_IFNAME=" + call.ifname,           "CNI_ARGS=" + call.args,
        "CNI_PATH=" + m_options.cniBinDir,
    };
    spec.input = json::serialize(config);
    spec.timeout = m_options.pluginTimeout;
    auto run = runCommand(spec);
    if (!run) {
        return std::unexpected(run.error());
    }
    if (run->exitCode != 0) {
        // Errors are JSON on stdout: {"code": N, "msg": "...", "details": "..."}.
        std::string message = run->output.empty() ? run->errorOutput : run->output;
        boost::system::error_code ec;
        auto parsed = json::parse(run->output, ec);
        if (!ec && parsed.is_object()) {
            const auto& object = parsed.as_object();
            std::string msg;
            std::string details;
            if (const auto* m = object.if_contains("msg"); m && m->is_string()) {
                msg = std::string(m->as_string());
            }
            if (const auto* d = object.if_contains("details"); d && d->is_string()) {
                details = std::string(d->as_string());
            }
            message = details.empty() ? msg : msg + ": " + details;
        }
        while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
            message.pop_back();
        }
        return fail(
            run->timedOut ? ErrorCode::Timeout : ErrorCode::Internal,
            fmt::format("CNI {} {} for {}: {}", type, call.command, call.containerId, message));
    }
    if (call.command != "ADD") {
        return json::value();
    }
    boost::system::error_code ec;
    auto parsed = json::parse(run->output, ec);
    if (ec) {
        return fail(ErrorCode::Internal,
                    fmt::format("CNI {} ADD printed no JSON result: {}", type, run->output));
    }
    return parsed;
}

Result<json::value> CniNetwork::runChain(const Invocation& call, const json::value& prevResult,
                                         const std::vector<PortMapping>& ports) const {
    const auto& plugins = m_conflist.at("plugins").as_array();
    std::vector<size_t> order(plugins.size());
    for (size_t i = 0; i < order.size(); ++i) {
        order[i] = call.command == "DEL" ? plugins.size() - 1 - i : i;
    }
    json::value previous = prevResult;
    std::optional<Error> firstError;
    for (size_t i : order) {
        json::object config = plugins[i].as_object();
        config["cniVersion"] = CniVersion;
        config["name"] = m_plan.name;
        if (!previous.is_null()) {
            config["prevResult"] = previous;
        }
        const auto* capabilities = config.if_contains("capabilities");
        if (capabilities != nullptr && capabilities->is_object() &&
            capabilities->as_object().contains("portMappings")) {
            json::array mappings = portMappings(ports);
            if (!mappings.empty()) {
                config["runtimeConfig"] = json::object{{"portMappings", mappings}};
            }
        }
        std::string type(config.at("type").as_string());
        auto result = invoke(type, call, config);
        if (!result && call.command == "CHECK" && type == "portmap" &&
            result.error().message.find("ipv6") != std::string::npos && !hasIpv6(previous)) {
            // portmap <= 1.1 checks IPv6 rules it never created for IPv4-only pods
            // (containernetworking/plugins#819): not a broken attachment.
            result = json::value();
        }
        if (!result) {
            if (call.command != "DEL") {
                return std::unexpected(result.error());
            }
            // DEL goes on through the chain so one plugin's failure leaks nothing else.
            log::warn("network", "{}", result.error().message);
            if (!firstError) {
                firstError = result.error();
            }
            continue;
        }
        if (call.command == "ADD") {
            previous = std::move(*result);
        }
    }
    if (firstError) {
        return std::unexpected(*firstError);
    }
    return previous;
}

Result<PodNetworkStatus> CniNetwork::setUp(const PodAttachment& pod) {
    Invocation call{"ADD", pod.podId, pod.netnsPath, "lo",
                    cniArgs(pod.podName, pod.podNamespace, pod.podUid, pod.podId)};
    json::object loopback{
        {"cniVersion", CniVersion}, {"name", "cni-loopback"}, {"type", "loopback"}};
    if (auto lo = invoke("loopback", call, loopback); !lo) {
        return std::unexpected(lo.error());
    }
    call.ifname = "eth0";
    auto result = runChain(call, json::value(), pod.ports);
    PodNetworkStatus status;
    if (result) {
        auto parsed = parseCniResult(*result);
        if (parsed) {
            status = *parsed;
        } else {
            result = std::unexpected(parsed.error());
        }
    }
    if (!result) {
        Invocation undo = call;
        undo.command = "DEL";
        (void)runChain(undo, json::value(), pod.ports);
        return std::unexpected(result.error());
    }
    json::array ports;
    for (const auto& port : pod.ports) {
        ports.push_back(json::object{{"protocol", port.protocol},
                                     {"containerPort", port.containerPort},
                                     {"hostPort", port.hostPort},
                                     {"hostIP", port.hostIP}});
    }
    json::object cache{
        {"netns", pod.netnsPath}, {"args", call.args}, {"ports", ports}, {"result", *result}};
    if (auto written =
            writeFileAtomically(cachePath(pod.podId), json::serialize(cache), 0600, true);
        !written) {
        Invocation undo = call;
        undo.command = "DEL";
        (void)runChain(undo, *result, pod.ports);
        return std::unexpected(written.error());
    }
    return status;
}

namespace {

struct Cached {
    std::string netns;
    std::string args;
    std::vector<PortMapping> ports;
    json::value result;
};

Result<Cached> loadCache(const std::string& path) {
    auto value = readJsonFile(path);
    if (!value) {
        return std::unexpected(value.error());
    }
    if (!value->is_object()) {
        return fail(ErrorCode::Internal, path + ": not an object");
    }
    const auto& object = value->as_object();
    Cached cached;
    auto str = [&](const json::object& o, const char* key) {
        const auto* v = o.if_contains(key);
        return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    auto num = [&](const json::object& o, const char* key) {
        const auto* v = o.if_contains(key);
        return v != nullptr && v->is_int64() ? static_cast<int>(v->as_int64()) : 0;
    };
    cached.netns = str(object, "netns");
    cached.args = str(object, "args");
    if (const auto* ports = object.if_contains("ports"); ports && ports->is_array()) {
        for (const auto& entry : ports->as_array()) {
            if (!entry.is_object()) {
                continue;
            }
            const auto& p = entry.as_object();
            cached.ports.push_back(PortMapping{str(p, "protocol"), num(p, "containerPort"),
                                               num(p, "hostPort"), str(p, "hostIP")});
        }
    }
    if (const auto* result = object.if_contains("result")) {
        cached.result = *result;
    }
    return cached;
}

} // namespace

Status CniNetwork::tearDown(const std::string& podId) {
    auto cached = loadCache(cachePath(podId));
    if (!cached) {
        if (cached.error().code == ErrorCode::NotFound) {
            return {};
        }
        return std::unexpected(cached.error());
    }
    // A namespace gone with a reboot is passed as empty, which plugins accept for DEL.
    std::string netns = isNetworkNamespace(cached->netns) ? cached->netns : std::string();
    Invocation call{"DEL", podId, netns, "eth0", cached->args};
    auto deleted = runChain(call, cached->result, cached->ports);
    if (!deleted) {
        return std::unexpected(deleted.error());
    }
    ::unlink(cachePath(podId).c_str());
    return {};
}

Status CniNetwork::check(const std::string& podId) {
    auto cached = loadCache(cachePath(podId));
    if (!cached) {
        return std::unexpected(cached.error());
    }
    Invocation call{"CHECK", podId, cached->netns, "eth0", cached->args};
    auto checked = runChain(call, cached->result, cached->ports);
    if (!checked) {
        return std::unexpected(checked.error());
    }
    return {};
}

Result<PodNetworkStatus> CniNetwork::podStatus(const std::string& podId) const {
    auto cached = loadCache(cachePath(podId));
    if (!cached) {
        return std::unexpected(cached.error());
    }
    return parseCniResult(cached->result);
}

} // namespace pilot::agent::network
