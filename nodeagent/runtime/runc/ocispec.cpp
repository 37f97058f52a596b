#include "nodeagent/runtime/runc/ocispec.h"

#include <boost/json/array.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace pilot::agent::runc {

namespace json = boost::json;

namespace {

constexpr const char* DefaultPathEnv =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

constexpr std::array<const char*, 41> AllCapabilities = {"CAP_CHOWN",
                                                         "CAP_DAC_OVERRIDE",
                                                         "CAP_DAC_READ_SEARCH",
                                                         "CAP_FOWNER",
                                                         "CAP_FSETID",
                                                         "CAP_KILL",
                                                         "CAP_SETGID",
                                                         "CAP_SETUID",
                                                         "CAP_SETPCAP",
                                                         "CAP_LINUX_IMMUTABLE",
                                                         "CAP_NET_BIND_SERVICE",
                                                         "CAP_NET_BROADCAST",
                                                         "CAP_NET_ADMIN",
                                                         "CAP_NET_RAW",
                                                         "CAP_IPC_LOCK",
                                                         "CAP_IPC_OWNER",
                                                         "CAP_SYS_MODULE",
                                                         "CAP_SYS_RAWIO",
                                                         "CAP_SYS_CHROOT",
                                                         "CAP_SYS_PTRACE",
                                                         "CAP_SYS_PACCT",
                                                         "CAP_SYS_ADMIN",
                                                         "CAP_SYS_BOOT",
                                                         "CAP_SYS_NICE",
                                                         "CAP_SYS_RESOURCE",
                                                         "CAP_SYS_TIME",
                                                         "CAP_SYS_TTY_CONFIG",
                                                         "CAP_MKNOD",
                                                         "CAP_LEASE",
                                                         "CAP_AUDIT_WRITE",
                                                         "CAP_AUDIT_CONTROL",
                                                         "CAP_SETFCAP",
                                                         "CAP_MAC_OVERRIDE",
                                                         "CAP_MAC_ADMIN",
                                                         "CAP_SYSLOG",
                                                         "CAP_WAKE_ALARM",
                                                         "CAP_BLOCK_SUSPEND",
                                                         "CAP_AUDIT_READ",
                                                         "CAP_PERFMON",
                                                         "CAP_BPF",
                                                         "CAP_CHECKPOINT_RESTORE"};

/// containerd's oci.defaultUnixCaps.
constexpr std::array<const char*, 14> DefaultCapabilities = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE"};

std::optional<uint32_t> parseId(std::string_view text) {
    uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

std::vector<std::string_view> splitFields(std::string_view line, char separator) {
    std::vector<std::string_view> fields;
    size_t start = 0;
    while (true) {
        size_t end = line.find(separator, start);
        fields.push_back(line.substr(start, end - start));
        if (end == std::string_view::npos) {
            return fields;
        }
        start = end + 1;
    }
}

/// Calls `each(fields)` for every non-comment line of a passwd/group style file.
template <typename Each>
void forEachLine(std::string_view text, char separator, Each each) {
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.front() != '#') {
            if (each(splitFields(line, separator))) {
                return;
            }
        }
        if (end == std::string_view::npos) {
            return;
        }
        start = end + 1;
    }
}

struct PasswdEntry {
    std::string name;
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::string home;
};

std::optional<PasswdEntry> findPasswd(std::string_view passwd, std::string_view nameOrNothing,
                                      std::optional<uint32_t> uid) {
    std::optional<PasswdEntry> found;
    forEachLine(passwd, ':', [&](const std::vector<std::string_view>& f) {
        if (f.size() < 7) {
            return false;
        }
        auto entryUid = parseId(f[2]);
        auto entryGid = parseId(f[3]);
        if (!entryUid || !entryGid) {
            return false;
        }
        if ((uid && *entryUid == *uid) || (!uid && f[0] == nameOrNothing)) {
            found = PasswdEntry{std::string(f[0]), *entryUid, *entryGid, std::string(f[5])};
            return true;
        }
        return false;
    });
    return found;
}

std::optional<uint32_t> findGroup(std::string_view group, std::string_view name) {
    std::optional<uint32_t> found;
    forEachLine(group, ':', [&](const std::vector<std::string_view>& f) {
        if (f.size() >= 3 && f[0] == name) {
            found = parseId(f[2]);
            return true;
        }
        return false;
    });
    return found;
}

std::string normaliseCapability(std::string_view name) {
    std::string upper(name);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (!upper.starts_with("CAP_")) {
        upper = "CAP_" + upper;
    }
    return upper;
}

json::array toArray(const std::vector<std::string>& items) {
    json::array out;
    for (const auto& item : items) {
        out.emplace_back(item);
    }
    return out;
}

json::object mount(std::string destination, std::string type, std::string source,
                   std::vector<std::string> options) {
    return json::object{{"destination", std::move(destination)},
                        {"type", std::move(type)},
                        {"source", std::move(source)},
                        {"options", toArray(options)}};
}

std::string cleanDestination(std::string path) {
    while (path.size() > 1 && path.back() == '/') {
        path.pop_back();
    }
    return path;
}

} // namespace

Result<ResolvedUser> resolveUser(std::string_view imageUser, std::optional<int64_t> runAsUser,
                                 std::optional<int64_t> runAsGroup,
                                 const std::vector<int64_t>& supplementalGroups,
                                 std::string_view passwd, std::string_view group) {
    ResolvedUser user;
    std::string_view userPart = imageUser;
    std::string_view groupPart;
    if (size_t colon = imageUser.find(':'); colon != std::string_view::npos) {
        userPart = imageUser.substr(0, colon);
        groupPart = imageUser.substr(colon + 1);
    }
    std::optional<PasswdEntry> entry;
    if (runAsUser) {
        user.uid = static_cast<uint32_t>(*runAsUser);
        entry = findPasswd(passwd, {}, user.uid);
        groupPart = {}; // The image's group goes with the image's user only.
    } else if (userPart.empty()) {
        entry = findPasswd(passwd, {}, 0u); // root, for its home and primary group
    } else {
        if (auto numeric = parseId(userPart)) {
            user.uid = *numeric;
            entry = findPasswd(passwd, {}, user.uid);
        } else {
            entry = findPasswd(passwd, userPart, std::nullopt);
            if (!entry) {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("unable to find user {}: no matching entries in passwd "
                                        "file",
                                        userPart));
            }
            user.uid = entry->uid;
        }
    }
    user.gid = entry ? entry->gid : 0;
    if (entry && !entry->home.empty()) {
        user.home = entry->home;
    }
    if (runAsGroup) {
        user.gid = static_cast<uint32_t>(*runAsGroup);
    } else if (!groupPart.empty()) {
        if (auto numeric = parseId(groupPart)) {
            user.gid = *numeric;
        } else if (auto found = findGroup(group, groupPart)) {
            user.gid = *found;
        } else {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("unable to find group {}: no matching entries in group file",
                                    groupPart));
        }
    }
    // Groups that list the user by name, then the pod's supplemental groups.
    if (entry) {
        forEachLine(group, ':', [&](const std::vector<std::string_view>& f) {
            if (f.size() < 4) {
                return false;
            }
            auto gid = parseId(f[2]);
            if (!gid) {
                return false;
            }
            for (std::string_view member : splitFields(f[3], ',')) {
                if (member == entry->name && *gid != user.gid &&
                    std::find(user.additionalGids.begin(), user.additionalGids.end(), *gid) ==
                        user.additionalGids.end()) {
                    user.additionalGids.push_back(*gid);
                }
            }
            return false;
        });
    }
    for (int64_t gid : supplementalGroups) {
        auto value = static_cast<uint32_t>(gid);
        if (std::find(user.additionalGids.begin(), user.additionalGids.end(), value) ==
            user.additionalGids.end()) {
            user.additionalGids.push_back(value);
        }
    }
    return user;
}

Result<std::vector<std::string>> containerArgs(const ContainerConfig& container,
                                               const image::ImageConfig& image) {
    std::vector<std::string> args;
    if (!container.command.empty()) {
        args = container.command;
        args.insert(args.end(), container.args.begin(), container.args.end());
    } else {
        args = image.entrypoint;
        const auto& rest = container.args.empty() ? image.cmd : container.args;
        args.insert(args.end(), rest.begin(), rest.end());
    }
    if (args.empty()) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("container {}: no command specified (the image has neither "
                                "ENTRYPOINT nor CMD)",
                                container.name));
    }
    return args;
}

std::vector<std::string> mergeEnv(const std::vector<std::string>& imageEnv,
                                  const std::vector<std::pair<std::string, std::string>>& env,
                                  const std::string& hostname) {
    std::vector<std::string> out;
    auto set = [&](const std::string& entry) {
        std::string_view name = std::string_view(entry).substr(0, entry.find('='));
        for (auto& existing : out) {
            if (std::string_view(existing).substr(0, existing.find('=')) == name) {
                existing = entry;
                return;
            }
        }
        out.push_back(entry);
    };
    if (!hostname.empty()) {
        set("HOSTNAME=" + hostname);
    }
    for (const auto& entry : imageEnv) {
        set(entry.find('=') == std::string::npos ? entry + "=" : entry);
    }
    for (const auto& [name, value] : env) {
        set(name + "=" + value);
    }
    bool hasPath = std::any_of(out.begin(), out.end(),
                               [](const std::string& e) { return e.starts_with("PATH="); });
    if (!hasPath) {
        out.insert(out.begin(), DefaultPathEnv);
    }
    return out;
}

std::vector<std::string> capabilitySet(const std::vector<std::string>& add,
                                       const std::vector<std::string>& drop, bool privileged) {
    auto known = [](const std::string& name) {
        return std::find_if(AllCapabilities.begin(), AllCapabilities.end(),
                            [&](const char* c) { return name == c; }) != AllCapabilities.end();
    };
    std::vector<std::string> caps;
    if (privileged) {
        caps.assign(AllCapabilities.begin(), AllCapabilities.end());
        return caps;
    }
    caps.assign(DefaultCapabilities.begin(), DefaultCapabilities.end());
    auto isAll = [](const std::string& name) { return normaliseCapability(name) == "CAP_ALL"; };
    if (std::any_of(add.begin(), add.end(), isAll)) {
        caps.assign(AllCapabilities.begin(), AllCapabilities.end());
    }
    if (std::any_of(drop.begin(), drop.end(), isAll)) {
        caps.clear();
    }
    for (const auto& name : add) {
        std::string cap = normaliseCapability(name);
        if (cap != "CAP_ALL" && known(cap) &&
            std::find(caps.begin(), caps.end(), cap) == caps.end()) {
            caps.push_back(cap);
        }
    }
    for (const auto& name : drop) {
        std::string cap = normaliseCapability(name);
        caps.erase(std::remove(caps.begin(), caps.end(), cap), caps.end());
    }
    return caps;
}

Result<json::object> buildOciSpec(const ContainerConfig& container, const SpecContext& context) {
    std::vector<std::string> caps =
        capabilitySet(container.capabilitiesAdd, container.capabilitiesDrop, container.privileged);
    json::array gids;
    for (uint32_t gid : context.user.additionalGids) {
        gids.emplace_back(gid);
    }
    json::object process{
        {"terminal", false},
        {"user", json::object{{"uid", context.user.uid},
                              {"gid", context.user.gid},
                              {"additionalGids", gids}}},
        {"args", toArray(context.args)},
        {"env", toArray(context.env)},
        {"cwd", context.workingDir.empty() ? std::string("/") : context.workingDir},
        {"capabilities", json::object{{"bounding", toArray(caps)},
                                      {"effective", toArray(caps)},
                                      {"permitted", toArray(caps)}}},
        {"noNewPrivileges", false}};

    if (context.openFilesLimit > 0) {
        process["rlimits"] = json::array{json::object{{"type", "RLIMIT_NOFILE"},
                                                      {"hard", context.openFilesLimit},
                                                      {"soft", context.openFilesLimit}}};
    }

    // Default mounts (containerd's), the pod's shared files, then the volumes parents first.
    std::vector<std::string> userDestinations;
    for (const auto& m : container.mounts) {
        userDestinations.push_back(cleanDestination(m.containerPath));
    }
    auto userMounts = [&](std::string_view destination) {
        return std::find(userDestinations.begin(), userDestinations.end(), destination) !=
               userDestinations.end();
    };
    json::array mounts{
        mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
        mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
        mount("/dev/pts", "devpts", "devpts",
              {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
        mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
        mount("/sys", "sysfs", "sysfs",
              {"nosuid", "noexec", "nodev", container.privileged ? "rw" : "ro"}),
        mount("/sys/fs/cgroup", "cgroup", "cgroup",
              {"nosuid", "noexec", "nodev", "relatime", container.privileged ? "rw" : "ro"}),
    };
    if (!userMounts("/dev/shm")) {
        if (context.shmPath.empty()) {
            mounts.push_back(mount("/dev/shm", "tmpfs", "shm",
                                   {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}));
        } else {
            mounts.push_back(
                mount("/dev/shm", "bind", context.shmPath, {"rbind", "rprivate", "rw"}));
        }
    }
    std::string readOnly = container.readOnlyRootFilesystem ? "ro" : "rw";
    for (const auto& [destination, source] : {std::pair{"/etc/hosts", context.hostsPath},
                                              std::pair{"/etc/hostname", context.hostnamePath},
                                              std::pair{"/etc/resolv.conf", context.resolvPath}}) {
        if (!source.empty() && !userMounts(destination)) {
            mounts.push_back(mount(destination, "bind", source, {"rbind", "rprivate", readOnly}));
        }
    }
    std::vector<const Mount*> volumes;
    for (const auto& m : container.mounts) {
        volumes.push_back(&m);
    }
    std::stable_sort(volumes.begin(), volumes.end(), [](const Mount* a, const Mount* b) {
        auto depth = [](const std::string& path) {
            return std::count(path.begin(), path.end(), '/');
        };
        return depth(cleanDestination(a->containerPath)) <
               depth(cleanDestination(b->containerPath));
    });
    for (const Mount* m : volumes) {
        mounts.push_back(mount(cleanDestination(m->containerPath), "bind", m->hostPath,
                               {"rbind", "rprivate", m->readOnly ? "ro" : "rw"}));
    }

    json::array namespaces{json::object{{"type", "pid"}}, json::object{{"type", "ipc"}},
                           json::object{{"type", "mount"}}};
    if (!context.hostNetwork) {
        // hostNetwork implies the host's UTS namespace too (containerd).
        namespaces.push_back(json::object{{"type", "uts"}});
        namespaces.push_back(json::object{{"type", "network"}, {"path", context.netnsPath}});
    }
    if (context.cgroupV2) {
        namespaces.push_back(json::object{{"type", "cgroup"}});
    }

    json::object resources{
        {"devices", json::array{json::object{{"allow", container.privileged}, {"access", "rwm"}}}}};
    const ContainerResources& r = container.resources;
    if (!context.cgroupsPath.empty()) {
        json::object cpu{{"shares", std::max<int64_t>(2, r.cpuRequestMilli * 1024 / 1000)}};
        if (r.cpuLimitMilli > 0) {
            cpu["quota"] = std::max<int64_t>(1000, r.cpuLimitMilli * 100);
            cpu["period"] = 100000;
        }
        resources["cpu"] = cpu;
        if (r.memoryLimitBytes > 0) {
            resources["memory"] = json::object{{"limit", r.memoryLimitBytes}};
        }
    }
    json::object linux{{"namespaces", namespaces}, {"resources", resources}};
    if (!context.cgroupsPath.empty()) {
        linux["cgroupsPath"] = context.cgroupsPath;
    }
    if (!container.privileged) {
        linux["maskedPaths"] = toArray({"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                                        "/proc/latency_stats", "/proc/timer_list",
                                        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
                                        "/sys/firmware", "/sys/devices/virtual/powercap"});
        linux["readonlyPaths"] =
            toArray({"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"});
    }
    json::object spec{
        {"ociVersion", "1.0.2-dev"},
        {"process", process},
        {"root", json::object{{"path", "rootfs"}, {"readonly", container.readOnlyRootFilesystem}}},
        {"mounts", mounts},
        {"linux", linux}};
    if (!context.hostNetwork && !context.hostname.empty()) {
        spec["hostname"] = context.hostname;
    }
    return spec;
}

} // namespace pilot::agent::runc
