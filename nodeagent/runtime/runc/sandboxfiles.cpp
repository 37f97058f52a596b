#include "nodeagent/runtime/runc/sandboxfiles.h"

#include <sstream>

namespace pilot::agent::runc {

namespace {

bool hasLoopbackNameserver(std::string_view resolv) {
    std::istringstream lines{std::string(resolv)};
    std::string line;
    while (std::getline(lines, line)) {
        if (line.starts_with("nameserver")) {
            std::string address = line.substr(10);
            address.erase(0, address.find_first_not_of(" \t"));
            if (address.starts_with("127.") || address == "::1") {
                return true;
            }
        }
    }
    return false;
}

} // namespace

std::string hostsFileContent(const SandboxConfig& config, std::string_view podIp,
                             std::string_view hostHosts) {
    std::string out;
    if (config.hostNetwork || podIp.empty()) {
        out = std::string(hostHosts);
        if (!out.empty() && out.back() != '\n') {
            out += '\n';
        }
    } else {
        out = "# Kubernetes-managed hosts file.\n"
              "127.0.0.1\tlocalhost\n"
              "::1\tlocalhost ip6-localhost ip6-loopback\n"
              "fe00::0\tip6-localnet\n"
              "fe00::0\tip6-mcastprefix\n"
              "fe00::1\tip6-allnodes\n"
              "fe00::2\tip6-allrouters\n";
        out += std::string(podIp) + "\t" + config.hostname + "\n";
    }
    if (!config.hostAliases.empty()) {
        out += "\n# Entries added by HostAliases.\n";
        for (const auto& [ip, names] : config.hostAliases) {
            out += ip;
            for (size_t i = 0; i < names.size(); ++i) {
                out += (i == 0 ? "\t" : " ") + names[i];
            }
            out += "\n";
        }
    }
    return out;
}

std::string resolvConfContent(const SandboxConfig& config, std::string_view hostResolv,
                              std::string_view upstream) {
    if (config.dnsServers.empty() && config.dnsSearches.empty() && config.dnsOptions.empty()) {
        if (hasLoopbackNameserver(hostResolv) && !upstream.empty() && !config.hostNetwork) {
            return std::string(upstream);
        }
        return std::string(hostResolv);
    }
    std::string out;
    if (!config.dnsSearches.empty()) {
        out += "search";
        for (const auto& search : config.dnsSearches) {
            out += " " + search;
        }
        out += "\n";
    }
    for (const auto& server : config.dnsServers) {
        out += "nameserver " + server + "\n";
    }
    if (!config.dnsOptions.empty()) {
        out += "options";
        for (const auto& option : config.dnsOptions) {
            out += " " + option;
        }
        out += "\n";
    }
    return out;
}

} // namespace pilot::agent::runc
