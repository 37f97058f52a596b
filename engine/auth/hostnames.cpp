#include "engine/auth/hostnames.h"

#include <algorithm>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <optional>
#include <unistd.h>

namespace pilot::auth {

namespace {

std::optional<SubjectAltName> addressName(const sockaddr* address) {
    char text[INET6_ADDRSTRLEN];
    if (address->sa_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
        if ((ntohl(v4->sin_addr.s_addr) >> 24) == 127) {
            return std::nullopt;
        }
        if (inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text)) != nullptr) {
            return SubjectAltName{SubjectAltName::Kind::Ip, text};
        }
        return std::nullopt;
    }
    if (address->sa_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
        if (IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr) || IN6_IS_ADDR_LINKLOCAL(&v6->sin6_addr) ||
            IN6_IS_ADDR_UNSPECIFIED(&v6->sin6_addr)) {
            return std::nullopt;
        }
        if (inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text)) != nullptr) {
            return SubjectAltName{SubjectAltName::Kind::Ip, text};
        }
    }
    return std::nullopt;
}

} // namespace

std::vector<SubjectAltName> hostSubjectAltNames() {
    std::vector<SubjectAltName> names = {
        {SubjectAltName::Kind::Dns, "localhost"},
        {SubjectAltName::Kind::Ip, "127.0.0.1"},
        {SubjectAltName::Kind::Ip, "::1"},
    };
    char hostName[HOST_NAME_MAX + 1] = {};
    if (gethostname(hostName, sizeof(hostName) - 1) == 0 && hostName[0] != '\0') {
        names.push_back(parseSubjectAltName(hostName));
    }
    ifaddrs* interfaces = nullptr;
    if (getifaddrs(&interfaces) == 0) {
        for (const ifaddrs* entry = interfaces; entry != nullptr; entry = entry->ifa_next) {
            if (entry->ifa_addr == nullptr) {
                continue;
            }
            if (auto name = addressName(entry->ifa_addr)) {
                names.push_back(std::move(*name));
            }
        }
        freeifaddrs(interfaces);
    }
    std::ranges::sort(names);
    auto duplicates = std::ranges::unique(names);
    names.erase(duplicates.begin(), duplicates.end());
    return names;
}

} // namespace pilot::auth
