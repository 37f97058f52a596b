#include "nodeagent/node/systeminfo.h"

#include "nodeagent/runtime/fileutil.h"

#include <charconv>
#include <string_view>

#include <arpa/inet.h>
#include <dirent.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace pilot::agent {
namespace {

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) {
        s.pop_back();
    }
    return s;
}

std::string firstLine(const std::string& path) {
    auto text = readFile(path);
    if (!text) {
        return {};
    }
    return trimmed(text->substr(0, text->find('\n')));
}

int64_t meminfoBytes(const std::string& text, std::string_view key) {
    size_t pos = text.find(key);
    if (pos == std::string::npos) {
        return 0;
    }
    pos += key.size();
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == ':')) {
        ++pos;
    }
    int64_t kb = 0;
    std::from_chars(text.data() + pos, text.data() + text.size(), kb);
    return kb * 1024;
}

std::string osRelease() {
    auto text = readFile("/etc/os-release");
    if (!text) {
        return "Linux";
    }
    size_t pos = text->find("PRETTY_NAME=");
    if (pos == std::string::npos) {
        return "Linux";
    }
    std::string value = text->substr(pos + 12, text->find('\n', pos) - pos - 12);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) {
        value = value.substr(1, value.size() - 2);
    }
    return value;
}

} // namespace

std::string goArchitecture(const std::string& machine) {
    if (machine == "x86_64") {
        return "amd64";
    }
    if (machine == "aarch64" || machine == "arm64") {
        return "arm64";
    }
    if (machine.starts_with("armv")) {
        return "arm";
    }
    if (machine == "i686" || machine == "i386") {
        return "386";
    }
    return machine;
}

SystemInfo collectSystemInfo(const std::string& dataDir) {
    SystemInfo info;
    long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
    info.cpuCount = cpus > 0 ? cpus : 1;
    if (auto meminfo = readFile("/proc/meminfo")) {
        info.memoryTotalBytes = meminfoBytes(*meminfo, "MemTotal");
        info.memoryAvailableBytes = meminfoBytes(*meminfo, "MemAvailable");
    }
    struct statvfs fs {};
    if (::statvfs(dataDir.c_str(), &fs) == 0) {
        info.fsCapacityBytes =
            static_cast<int64_t>(fs.f_blocks) * static_cast<int64_t>(fs.f_frsize);
        info.fsAvailableBytes =
            static_cast<int64_t>(fs.f_bavail) * static_cast<int64_t>(fs.f_frsize);
        info.fsInodes = static_cast<int64_t>(fs.f_files);
        info.fsInodesFree = static_cast<int64_t>(fs.f_ffree);
    }
    std::string pidMax = firstLine("/proc/sys/kernel/pid_max");
    std::from_chars(pidMax.data(), pidMax.data() + pidMax.size(), info.pidMax);
    if (DIR* dir = ::opendir("/proc")) {
        while (dirent* entry = ::readdir(dir)) {
            if (entry->d_name[0] >= '1' && entry->d_name[0] <= '9') {
                ++info.processCount;
            }
        }
        ::closedir(dir);
    }
    info.machineId = firstLine("/etc/machine-id");
    info.systemUuid = firstLine("/sys/class/dmi/id/product_uuid");
    if (info.systemUuid.empty() && info.machineId.size() == 32) {
        const std::string& m = info.machineId;
        info.systemUuid = m.substr(0, 8) + "-" + m.substr(8, 4) + "-" + m.substr(12, 4) + "-" +
                          m.substr(16, 4) + "-" + m.substr(20);
    }
    info.bootId = firstLine("/proc/sys/kernel/random/boot_id");
    struct utsname uts {};
    if (::uname(&uts) == 0) {
        info.kernelVersion = uts.release;
        info.architecture = goArchitecture(uts.machine);
        info.hostname = uts.nodename;
    }
    info.osImage = osRelease();
    info.operatingSystem = "linux";
    return info;
}

std::string defaultNodeIp() {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) {
        return "127.0.0.1";
    }
    std::string found;
    for (ifaddrs* a = list; a; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || !(a->ifa_flags & IFF_UP) ||
            (a->ifa_flags & IFF_LOOPBACK)) {
            continue;
        }
        char text[INET_ADDRSTRLEN];
        auto* in = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
        if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text)) {
            found = text;
            break;
        }
    }
    ::freeifaddrs(list);
    return found.empty() ? "127.0.0.1" : found;
}

} // namespace pilot::agent
