#include "engine/apiserver/serviceallocator.h"

#include "core/random.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>

#include <boost/json/parse.hpp>

#include <charconv>

namespace pilot::apiserver {
namespace json = boost::json;
using kube::arrayAt;
using kube::objectAt;
using kube::stringAt;
using kube::stringsAt;

std::optional<uint32_t> parseIpv4(const std::string& text) {
    uint32_t value = 0;
    const char* p = text.data();
    const char* end = p + text.size();
    for (int part = 0; part < 4; ++part) {
        unsigned octet = 0;
        auto [next, ec] = std::from_chars(p, end, octet);
        if (ec != std::errc() || octet > 255 || next == p || next - p > 3) {
            return std::nullopt;
        }
        value = (value << 8) | octet;
        p = next;
        if (part < 3) {
            if (p == end || *p != '.') {
                return std::nullopt;
            }
            ++p;
        }
    }
    if (p != end) {
        return std::nullopt;
    }
    return value;
}

std::string formatIpv4(uint32_t ip) {
    return fmt::format("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

Result<Ipv4Cidr> Ipv4Cidr::parse(const std::string& text) {
    auto slash = text.find('/');
    if (slash == std::string::npos) {
        return fail(ErrorCode::InvalidArgument, "expected ADDRESS/PREFIX: " + text);
    }
    auto base = parseIpv4(text.substr(0, slash));
    int prefix = -1;
    std::string bits = text.substr(slash + 1);
    auto [ptr, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
    if (!base || ec != std::errc() || ptr != bits.data() + bits.size() || prefix < 8 ||
        prefix > 30) {
        return fail(ErrorCode::InvalidArgument,
                    "not an IPv4 range with a prefix between /8 and /30: " + text);
    }
    uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
    return Ipv4Cidr{*base & mask, prefix};
}

bool Ipv4Cidr::contains(uint32_t ip) const {
    uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
    return (ip & mask) == base;
}

std::string Ipv4Cidr::toString() const {
    return fmt::format("{}/{}", formatIpv4(base), prefix);
}

namespace {

bool needsClusterIp(const json::object& spec) {
    return stringAt(spec, "type") != "ExternalName";
}

bool needsNodePorts(const json::object& spec) {
    std::string type = stringAt(spec, "type");
    if (type == "NodePort") {
        return true;
    }
    if (type == "LoadBalancer") {
        const json::value* allocate = spec.if_contains("allocateLoadBalancerNodePorts");
        return !(allocate && allocate->is_bool() && !allocate->get_bool());
    }
    return false;
}

int nodePortOf(const json::object& port) {
    const json::value* v = port.if_contains("nodePort");
    return v && v->is_int64() ? static_cast<int>(v->get_int64()) : 0;
}

kube::FieldError invalidValue(std::string field, std::string shown, std::string why) {
    return {"FieldValueInvalid", std::move(field),
            fmt::format("Invalid value: {}: {}", shown, why)};
}

} // namespace

ServiceAllocator::ServiceAllocator(std::shared_ptr<watchcache::ResourceCache> services,
                                   ServiceNetwork network)
    : m_services(std::move(services)), m_network(network),
      m_nextIp(2 + static_cast<uint32_t>(std::stoul(randomHex(4), nullptr, 16)) %
                       (network.clusterIpRange.size() - 3)),
      m_nextNodePort(network.nodePortMin) {}

bool ServiceAllocator::appliesTo(const kube::ResourceType& type) const {
    return type.gvk.kind == "Service" && type.gvk.group.empty();
}

ServiceAllocator::InUse ServiceAllocator::inUse(const std::string& exceptKey) const {
    InUse used;
    auto page = m_services->list(watchcache::ListRequest{});
    if (!page) {
        return used;
    }
    for (const watchcache::ObjectPtr& item : page->items) {
        if (item->key == exceptKey) {
            continue;
        }
        json::value parsed = kube::parseJsonText(item->json.str());
        const json::object* spec = objectAt(parsed.as_object(), "spec");
        if (!spec) {
            continue;
        }
        for (const std::string& ip : stringsAt(*spec, "clusterIPs")) {
            if (auto v = parseIpv4(ip)) {
                used.ips.insert(*v);
            }
        }
        if (auto v = parseIpv4(stringAt(*spec, "clusterIP"))) {
            used.ips.insert(*v);
        }
        if (const json::array* ports = arrayAt(*spec, "ports")) {
            for (const json::value& p : *ports) {
                if (p.is_object() && nodePortOf(p.get_object()) != 0) {
                    used.nodePorts.insert(nodePortOf(p.get_object()));
                }
            }
        }
    }
    return used;
}

ApiResult<void> ServiceAllocator::admit(const kube::ResourceType& type, json::object& object,
                                        const json::object* old) {
    json::object* spec = kube::ensureObject(object, "spec");
    if (!spec) {
        return {};
    }
    const json::object* oldSpec = old ? objectAt(*old, "spec") : nullptr;
    std::string name(kube::name(object));
    std::string key = std::string(kube::namespaceOf(object)) + "/" + name;

    // Values a client left out of an update keep what was allocated (upstream does the same,
    // so `kubectl replace -f` of a manifest without clusterIP works).
    if (oldSpec && needsClusterIp(*spec) && stringAt(*spec, "clusterIP").empty() &&
        stringsAt(*spec, "clusterIPs").empty()) {
        for (const char* field : {"clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"}) {
            if (const json::value* v = oldSpec->if_contains(field)) {
                (*spec)[field] = *v;
            }
        }
    }
    if (oldSpec && needsNodePorts(*spec)) {
        const json::array* oldPorts = arrayAt(*oldSpec, "ports");
        json::array* ports = kube::mutableArray(*spec, "ports");
        if (oldPorts && ports) {
            for (json::value& p : *ports) {
                if (!p.is_object() || nodePortOf(p.get_object()) != 0) {
                    continue;
                }
                for (const json::value& o : *oldPorts) {
                    const json::value* a =
                        o.is_object() ? o.get_object().if_contains("port") : nullptr;
                    const json::value* b = p.get_object().if_contains("port");
                    if (a && b && kube::jsonEqual(*a, *b) && nodePortOf(o.get_object()) != 0) {
                        p.get_object()["nodePort"] = o.get_object().at("nodePort");
                    }
                }
            }
        }
    }

    std::lock_guard lock(m_mutex);
    InUse used;
    bool loaded = false;
    auto ensureUsed = [&] {
        if (!loaded) {
            used = inUse(m_services->prefix() + "/" + key);
            loaded = true;
        }
    };
    kube::FieldErrors errors;

    if (needsClusterIp(*spec)) {
        std::string requested = stringAt(*spec, "clusterIP");
        std::vector<std::string> requestedList = stringsAt(*spec, "clusterIPs");
        if (requested.empty() && !requestedList.empty()) {
            requested = requestedList.front();
        }
        std::string oldIp = oldSpec ? stringAt(*oldSpec, "clusterIP") : std::string();
        if (requested.empty()) {
            ensureUsed();
            uint32_t size = m_network.clusterIpRange.size();
            std::optional<uint32_t> chosen;
            // Skip the network address, the `kubernetes` Service's address and the broadcast.
            for (uint32_t tried = 0; tried < size && !chosen; ++tried) {
                uint32_t offset = m_nextIp;
                m_nextIp = m_nextIp + 1 >= size - 1 ? 2 : m_nextIp + 1;
                uint32_t ip = m_network.clusterIpRange.base + offset;
                if (!used.ips.contains(ip)) {
                    chosen = ip;
                }
            }
            if (!chosen) {
                return apiFail(ApiError{500,
                                        "InternalError",
                                        "Internal error occurred: failed to allocate a serviceIP: "
                                        "range is full",
                                        {}});
            }
            (*spec)["clusterIP"] = formatIpv4(*chosen);
            (*spec)["clusterIPs"] = json::array{json::string(formatIpv4(*chosen))};
        } else if (requested != "None" && requested != oldIp) {
            auto ip = parseIpv4(requested);
            std::string shown = fmt::format("[]string{{\"{}\"}}", requested);
            if (!ip) {
                // Validation reports malformed addresses with the upstream wording.
            } else if (!m_network.clusterIpRange.contains(*ip)) {
                errors.push_back(invalidValue(
                    "spec.clusterIPs", shown,
                    fmt::format("failed to allocate IP {}: the provided IP ({}) is not in the "
                                "valid range. The range of valid IPs is {}",
                                requested, requested, m_network.clusterIpRange.toString())));
            } else {
                ensureUsed();
                if (used.ips.contains(*ip)) {
                    errors.push_back(invalidValue(
                        "spec.clusterIPs", shown,
                        fmt::format("failed to allocate IP {}: provided IP is already allocated",
                                    requested)));
                }
            }
            if (errors.empty() && ip && !spec->contains("clusterIPs")) {
                (*spec)["clusterIPs"] = json::array{json::string(requested)};
            }
        }
        if (!spec->contains("clusterIP") && !stringsAt(*spec, "clusterIPs").empty()) {
            (*spec)["clusterIP"] = stringsAt(*spec, "clusterIPs").front();
        }
    }

    if (needsNodePorts(*spec)) {
        if (json::array* ports = kube::mutableArray(*spec, "ports")) {
            std::set<int> mine;
            if (oldSpec) {
                if (const json::array* oldPorts = arrayAt(*oldSpec, "ports")) {
                    for (const json::value& o : *oldPorts) {
                        if (o.is_object()) {
                            mine.insert(nodePortOf(o.get_object()));
                        }
                    }
                }
            }
            for (size_t i = 0; i < ports->size(); ++i) {
                if (!(*ports)[i].is_object()) {
                    continue;
                }
                json::object& port = (*ports)[i].get_object();
                int requested = nodePortOf(port);
                std::string field = fmt::format("spec.ports[{}].nodePort", i);
                if (requested == 0) {
                    ensureUsed();
                    int span = m_network.nodePortMax - m_network.nodePortMin + 1;
                    for (int tried = 0; tried < span; ++tried) {
                        int candidate = m_nextNodePort;
                        m_nextNodePort = candidate >= m_network.nodePortMax ? m_network.nodePortMin
                                                                            : candidate + 1;
                        if (!used.nodePorts.contains(candidate)) {
                            port["nodePort"] = candidate;
                            used.nodePorts.insert(candidate);
                            break;
                        }
                    }
                    if (nodePortOf(port) == 0) {
                        return apiFail(ApiError{500,
                                                "InternalError",
                                                "Internal error occurred: failed to allocate a "
                                                "nodePort: range is full",
                                                {}});
                    }
                } else if (!mine.contains(requested)) {
                    if (requested < m_network.nodePortMin || requested > m_network.nodePortMax) {
                        errors.push_back(invalidValue(
                            field, std::to_string(requested),
                            fmt::format("provided port is not in the valid range. The range of "
                                        "valid ports is {}-{}",
                                        m_network.nodePortMin, m_network.nodePortMax)));
                        continue;
                    }
                    ensureUsed();
                    if (used.nodePorts.contains(requested)) {
                        errors.push_back(invalidValue(field, std::to_string(requested),
                                                      "provided port is already allocated"));
                    }
                    used.nodePorts.insert(requested);
                }
            }
        }
    } else if (json::array* ports = kube::mutableArray(*spec, "ports")) {
        // A Service that stops being NodePort/LoadBalancer releases its node ports.
        for (json::value& p : *ports) {
            if (p.is_object() && stringAt(*spec, "type") == "ClusterIP") {
                p.get_object().erase("nodePort");
            }
        }
    }
    if (!errors.empty()) {
        return apiFail(invalid(type.gvk.kind, type.gvk.group, name, std::move(errors)));
    }
    return {};
}

} // namespace pilot::apiserver
