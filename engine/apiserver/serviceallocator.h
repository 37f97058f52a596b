#pragma once

#include "engine/apiserver/admissionhook.h"
#include "engine/watchcache/resourcecache.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace pilot::apiserver {

/// An IPv4 range in CIDR notation.
struct Ipv4Cidr {
    uint32_t base = 0;
    int prefix = 32;

    [[nodiscard]] static Result<Ipv4Cidr> parse(const std::string& text);
    [[nodiscard]] uint32_t size() const { return prefix >= 32 ? 1u : (1u << (32 - prefix)); }
    [[nodiscard]] bool contains(uint32_t ip) const;
    [[nodiscard]] std::string toString() const;
};

[[nodiscard]] std::optional<uint32_t> parseIpv4(const std::string& text);
[[nodiscard]] std::string formatIpv4(uint32_t ip);

struct ServiceNetwork {
    Ipv4Cidr clusterIpRange{0x0A600000, 12}; // 10.96.0.0/12, as kube-apiserver's default
    int nodePortMin = 30000;
    int nodePortMax = 32767;

    /// The first usable address: the `kubernetes` Service's ClusterIP (10.96.0.1).
    [[nodiscard]] std::string apiServiceIp() const { return formatIpv4(clusterIpRange.base + 1); }
};

/// Allocates Service ClusterIPs and node ports as kube-apiserver does: a requested value must be
/// in range and free; an unset one gets a free value; on update, values a client omitted are
/// carried over from the stored object (`kubectl replace` without clusterIP keeps it). Values in
/// use are read from the watch cache of Services, so nothing needs releasing on delete.
class ServiceAllocator : public AdmissionHook {
public:
    ServiceAllocator(std::shared_ptr<watchcache::ResourceCache> services, ServiceNetwork network);

    [[nodiscard]] bool appliesTo(const kube::ResourceType& type) const override;
    [[nodiscard]] ApiResult<void> admit(const kube::ResourceType& type, boost::json::object& object,
                                        const boost::json::object* old) override;

    [[nodiscard]] const ServiceNetwork& network() const { return m_network; }

private:
    struct InUse {
        std::set<uint32_t> ips;
        std::set<int> nodePorts;
    };
    [[nodiscard]] InUse inUse(const std::string& exceptKey) const;

    std::shared_ptr<watchcache::ResourceCache> m_services;
    ServiceNetwork m_network;
    std::mutex m_mutex;
    uint32_t m_nextIp;  // offset into the range where the next search starts
    int m_nextNodePort; // likewise for node ports
};

} // namespace pilot::apiserver
