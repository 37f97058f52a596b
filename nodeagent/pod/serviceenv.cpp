#include "nodeagent/pod/serviceenv.h"

#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json/array.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <string>

namespace pilot::agent {
namespace json = boost::json;

namespace {

std::string variableName(std::string_view name) {
    std::string out(name);
    for (char& c : out) {
        c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string lower(std::string text) {
    for (char& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

std::string hostPort(const std::string& ip, int64_t port) {
    return (ip.find(':') != std::string::npos ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
}

void appendService(const json::object& service, EnvList& out) {
    const json::object* spec = kube::objectAt(service, "spec");
    std::string ip = kube::stringAt(spec, "clusterIP");
    const json::array* ports = spec ? kube::arrayAt(*spec, "ports") : nullptr;
    if (ip.empty() || ip == "None" || ports == nullptr || ports->empty()) {
        return;
    }
    std::string prefix = variableName(kube::name(service));
    auto portOf = [](const json::value& p) {
        return p.is_object() ? kube::integerAt(p.as_object(), "port").value_or(0) : 0;
    };
    out.emplace_back(prefix + "_SERVICE_HOST", ip);
    std::string servicePort = prefix + "_SERVICE_PORT";
    out.emplace_back(servicePort, std::to_string(portOf(ports->front())));
    for (const json::value& p : *ports) {
        std::string name = p.is_object() ? kube::stringAt(p.as_object(), "name") : "";
        if (!name.empty()) {
            out.emplace_back(servicePort + "_" + variableName(name), std::to_string(portOf(p)));
        }
    }
    // Docker's link variables; the first port also as `<NAME>_PORT`.
    bool first = true;
    for (const json::value& p : *ports) {
        std::string protocol = p.is_object() ? kube::stringAt(p.as_object(), "protocol") : "";
        if (protocol.empty()) {
            protocol = "TCP";
        }
        int64_t port = portOf(p);
        std::string url = lower(protocol) + "://" + hostPort(ip, port);
        if (first) {
            out.emplace_back(prefix + "_PORT", url);
            first = false;
        }
        std::string portPrefix = prefix + "_PORT_" + std::to_string(port) + "_" + protocol;
        out.emplace_back(portPrefix, url);
        out.emplace_back(portPrefix + "_PROTO", lower(protocol));
        out.emplace_back(portPrefix + "_PORT", std::to_string(port));
        out.emplace_back(portPrefix + "_ADDR", ip);
    }
}

} // namespace

EnvList serviceEnvironment(const std::vector<json::object>& services, std::string_view ns,
                           bool enableServiceLinks) {
    std::map<std::string, const json::object*> chosen;
    for (const json::object& service : services) {
        std::string_view serviceNs = kube::namespaceOf(service);
        std::string name(kube::name(service));
        if (serviceNs == "default" && name == "kubernetes") {
            chosen.try_emplace(name, &service);
        } else if (serviceNs == ns && enableServiceLinks) {
            chosen[name] = &service;
        }
    }
    EnvList out;
    for (const auto& [name, service] : chosen) {
        appendService(*service, out);
    }
    return out;
}

} // namespace pilot::agent
