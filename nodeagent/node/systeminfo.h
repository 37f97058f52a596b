#pragma once

#include <cstdint>
#include <string>

/// What the operating system says about this machine, as kubelet reads it for its Node:
/// capacity, usage behind the pressure conditions, and the identity fields of nodeInfo.
namespace pilot::agent {

struct SystemInfo {
    int64_t cpuCount = 1;
    int64_t memoryTotalBytes = 0;
    int64_t memoryAvailableBytes = 0;
    int64_t fsCapacityBytes = 0; ///< The filesystem of the data directory.
    int64_t fsAvailableBytes = 0;
    int64_t fsInodes = 0;
    int64_t fsInodesFree = 0;
    int64_t pidMax = 0; ///< kernel.pid_max
    int64_t processCount = 0;
    std::string machineId;
    std::string systemUuid;
    std::string bootId;
    std::string kernelVersion;   ///< uname -r
    std::string osImage;         ///< PRETTY_NAME of /etc/os-release
    std::string operatingSystem; ///< GOOS spelling: `linux`
    std::string architecture;    ///< GOARCH spelling: `amd64`, `arm64`
    std::string hostname;
};

/// Reads /proc, /sys, /etc and statvfs(`dataDir`). Missing sources leave fields at their
/// defaults (the machine id, for instance, stands in for a system UUID the user cannot read).
[[nodiscard]] SystemInfo collectSystemInfo(const std::string& dataDir);

/// The first non-loopback IPv4 address of an interface that is up, or 127.0.0.1.
[[nodiscard]] std::string defaultNodeIp();

/// `uname -m` as Go names architectures.
[[nodiscard]] std::string goArchitecture(const std::string& machine);

} // namespace pilot::agent
