#pragma once

#include "core/error.h"

#include <cstdint>
#include <string>

/// The container cgroups runc creates from `linux.cgroupsPath` (cgroupfs driver), read back for
/// stats and OOM kills, on cgroup v2 and on v1 (including hybrid hosts).
namespace pilot::agent::runc {

struct CgroupUsage {
    uint64_t cpuNanoseconds = 0;
    uint64_t memoryUsageBytes = 0;
    uint64_t memoryWorkingSetBytes = 0; ///< Usage minus inactive file cache (kubelet's measure).
    uint64_t memoryRssBytes = 0;
    uint64_t oomKills = 0;
};

class Cgroups {
public:
    /// Probes the host: unified (v2) or v1, and whether a cgroup can be created under
    /// `parent` (an absolute cgroup path such as `/pilothouse`); inside some containers and
    /// without root it cannot, and limits are skipped.
    explicit Cgroups(std::string parent);

    [[nodiscard]] bool usable() const { return m_usable; }
    [[nodiscard]] bool v2() const { return m_v2; }
    /// The cgroupsPath for a container (`/pilothouse/<id>`), empty when not usable.
    [[nodiscard]] std::string pathFor(const std::string& containerId) const;
    /// Reads usage of a container cgroup path. NotFound once the cgroup is gone.
    [[nodiscard]] Result<CgroupUsage> usage(const std::string& cgroupPath) const;

private:
    std::string m_parent;
    bool m_v2 = false;
    bool m_usable = false;
};

} // namespace pilot::agent::runc
