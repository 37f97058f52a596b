#include "nodeagent/runtime/runc/cgroups.h"

#include <fmt/format.h>

#include <cerrno>
#include <fstream>
#include <optional>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace pilot::agent::runc {

namespace {

constexpr const char* Root = "/sys/fs/cgroup";

std::optional<std::string> readText(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        return std::nullopt;
    }
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::optional<uint64_t> readNumber(const std::string& path) {
    auto text = readText(path);
    if (!text) {
        return std::nullopt;
    }
    try {
        return std::stoull(*text);
    } catch (...) {
        return std::nullopt; // "max"
    }
}

/// A `key value` line of memory.stat, cpu.stat, memory.events...
uint64_t keyed(const std::string& text, std::string_view key) {
    std::istringstream lines(text);
    std::string name;
    uint64_t value = 0;
    while (lines >> name >> value) {
        if (name == key) {
            return value;
        }
    }
    return 0;
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

/// The v1 mount of a controller: `/sys/fs/cgroup/memory`, or a combined `cpu,cpuacct`.
std::string v1Mount(std::string_view controller) {
    for (const std::string& candidate :
         {fmt::format("{}/{}", Root, controller), std::string(Root) + "/cpu,cpuacct",
          std::string(Root) + "/cpuacct,cpu"}) {
        if (exists(candidate +
                   (controller == "memory" ? "/memory.usage_in_bytes" : "/cpuacct.usage"))) {
            return candidate;
        }
    }
    return fmt::format("{}/{}", Root, controller);
}

bool canCreateBelow(const std::string& dir) {
    std::string probe = dir + "/.pilot-probe-" + std::to_string(::getpid());
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        return false;
    }
    if (::mkdir(probe.c_str(), 0755) != 0) {
        return false;
    }
    ::rmdir(probe.c_str());
    return true;
}

} // namespace

Cgroups::Cgroups(std::string parent) : m_parent(std::move(parent)) {
    m_v2 = exists(std::string(Root) + "/cgroup.controllers");
    if (::geteuid() != 0) {
        return;
    }
    if (m_v2) {
        m_usable = canCreateBelow(Root + m_parent);
    } else {
        m_usable = canCreateBelow(v1Mount("memory") + m_parent) &&
                   canCreateBelow(v1Mount("cpuacct") + m_parent);
    }
}

std::string Cgroups::pathFor(const std::string& containerId) const {
    return m_usable ? m_parent + "/" + containerId : std::string();
}

Result<CgroupUsage> Cgroups::usage(const std::string& cgroupPath) const {
    CgroupUsage usage;
    if (cgroupPath.empty()) {
        return fail(ErrorCode::NotFound, "no cgroup");
    }
    if (m_v2) {
        std::string dir = Root + cgroupPath;
        auto cpu = readText(dir + "/cpu.stat");
        if (!cpu) {
            return fail(ErrorCode::NotFound, "cgroup " + dir + " not found");
        }
        usage.cpuNanoseconds = keyed(*cpu, "usage_usec") * 1000;
        usage.memoryUsageBytes = readNumber(dir + "/memory.current").value_or(0);
        std::string stat = readText(dir + "/memory.stat").value_or("");
        uint64_t inactive = keyed(stat, "inactive_file");
        usage.memoryWorkingSetBytes =
            usage.memoryUsageBytes > inactive ? usage.memoryUsageBytes - inactive : 0;
        usage.memoryRssBytes = keyed(stat, "anon");
        usage.oomKills = keyed(readText(dir + "/memory.events").value_or(""), "oom_kill");
        return usage;
    }
    std::string cpuDir = v1Mount("cpuacct") + cgroupPath;
    std::string memoryDir = v1Mount("memory") + cgroupPath;
    auto cpu = readNumber(cpuDir + "/cpuacct.usage");
    if (!cpu) {
        return fail(ErrorCode::NotFound, "cgroup " + cpuDir + " not found");
    }
    usage.cpuNanoseconds = *cpu;
    usage.memoryUsageBytes = readNumber(memoryDir + "/memory.usage_in_bytes").value_or(0);
    std::string stat = readText(memoryDir + "/memory.stat").value_or("");
    uint64_t inactive = keyed(stat, "total_inactive_file");
    usage.memoryWorkingSetBytes =
        usage.memoryUsageBytes > inactive ? usage.memoryUsageBytes - inactive : 0;
    usage.memoryRssBytes = keyed(stat, "total_rss");
    usage.oomKills = keyed(readText(memoryDir + "/memory.oom_control").value_or(""), "oom_kill");
    return usage;
}

} // namespace pilot::agent::runc
