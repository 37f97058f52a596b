// RuncRuntime's pod sandboxes: a pinned network namespace wired by CNI, the pod's shared
// /dev/shm and its hosts, resolv.conf and hostname files (see runcruntime.h).

#include "nodeagent/runtime/runc/runcruntime.h"

#include "core/log.h"
#include "core/random.h"
#include "nodeagent/runtime/crilog.h"
#include "nodeagent/runtime/fileutil.h"
#include "nodeagent/runtime/runc/rootfs.h"
#include "nodeagent/runtime/runc/sandboxfiles.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <sys/mount.h>

namespace pilot::agent::runc {

namespace json = boost::json;

namespace {

constexpr const char* Component = "runc-runtime";

std::string firstLine(std::string text) {
    size_t end = text.find_first_of("\r\n");
    return end == std::string::npos ? text : text.substr(0, end);
}

} // namespace

Status RuncRuntime::saveSandbox(const Sandbox& s) const {
    json::object o{{"id", s.status.id},
                   {"state", s.status.state == SandboxState::Ready ? "ready" : "notready"},
                   {"ip", s.status.ip},
                   {"createdAt", formatNanoTime(s.status.createdAt)},
                   {"labels", labelsToJson(s.status.labels)},
                   {"hostname", s.hostname},
                   {"hostNetwork", s.hostNetwork},
                   {"podUid", s.podUid},
                   {"podName", s.podName},
                   {"podNamespace", s.podNamespace},
                   {"netns", s.netns}};
    return writeFileAtomically(s.directory + "/sandbox.json", json::serialize(o), 0600, true);
}

Result<RuncRuntime::Sandbox> RuncRuntime::findSandbox(const std::string& id) const {
    std::lock_guard lock(m_mutex);
    auto it = m_sandboxes.find(id);
    if (it == m_sandboxes.end()) {
        return fail(ErrorCode::NotFound, fmt::format("sandbox {} not found", id));
    }
    return it->second;
}

// --- Sandboxes. --------------------------------------------------------------------------------

Result<SandboxStatus> RuncRuntime::runSandbox(const SandboxConfig& config) {
    Sandbox sandbox;
    sandbox.status.id = randomHex(32);
    sandbox.status.createdAt = std::chrono::system_clock::now();
    sandbox.status.labels = config.labels;
    sandbox.hostname = config.hostname;
    sandbox.hostNetwork = config.hostNetwork;
    sandbox.podUid = config.podUid;
    sandbox.podName = config.podName;
    sandbox.podNamespace = config.podNamespace;
    sandbox.directory = sandboxesDir() + "/" + sandbox.status.id;
    if (auto made = makeDirectories(sandbox.directory + "/shm", 0755); !made) {
        return std::unexpected(made.error());
    }
    auto undo = [&] {
        if (!sandbox.netns.empty()) {
            (void)m_network->tearDown(sandbox.status.id);
            (void)m_network->removeNamespace(sandbox.netns);
        }
        (void)unmountIfMounted(sandbox.directory + "/shm");
        (void)removeTree(sandbox.directory);
    };
    if (!config.hostNetwork) {
        auto netns = m_network->createNamespace(sandbox.status.id);
        if (!netns) {
            undo();
            return std::unexpected(netns.error());
        }
        sandbox.netns = *netns;
        auto attached = m_network->setUp({sandbox.status.id, sandbox.netns, config.podName,
                                          config.podNamespace, config.podUid, config.ports});
        if (!attached) {
            undo();
            return std::unexpected(attached.error());
        }
        sandbox.status.ip = attached->ip;
    }
    std::string hostHosts = readFile("/etc/hosts").value_or("");
    std::string hostResolv = readFile("/etc/resolv.conf").value_or("");
    std::string upstream = readFile("/run/systemd/resolve/resolv.conf").value_or("");
    std::string hostname = config.hostNetwork ? std::string() : config.hostname;
    for (const auto& [name, content] :
         {std::pair{"hosts", hostsFileContent(config, sandbox.status.ip, hostHosts)},
          std::pair{"resolv.conf", resolvConfContent(config, hostResolv, upstream)},
          std::pair{"hostname",
                    (config.hostNetwork ? firstLine(readFile("/etc/hostname").value_or(""))
                                        : config.hostname) +
                        "\n"}}) {
        if (auto written = writeFileAtomically(sandbox.directory + "/" + name, content, 0644);
            !written) {
            undo();
            return std::unexpected(written.error());
        }
    }
    // The pod's shared /dev/shm, as CRI runtimes give every container of a pod the same one.
    std::string shm = sandbox.directory + "/shm";
    if (::mount("shm", shm.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                "mode=1777,size=65536k") != 0) {
        log::warn(Component, "sandbox {}: no shared /dev/shm: {}", sandbox.status.id,
                  std::strerror(errno));
    }
    sandbox.status.state = SandboxState::Ready;
    if (auto saved = saveSandbox(sandbox); !saved) {
        undo();
        return std::unexpected(saved.error());
    }
    std::lock_guard lock(m_mutex);
    m_sandboxes[sandbox.status.id] = sandbox;
    return sandbox.status;
}

Status RuncRuntime::stopSandbox(const std::string& sandboxId) {
    auto sandbox = findSandbox(sandboxId);
    if (!sandbox) {
        return std::unexpected(sandbox.error());
    }
    for (const Container& c : m_containers.inSandbox(sandboxId)) {
        if (auto stopped = m_containers.stop(c, std::chrono::seconds(0)); !stopped) {
            return stopped;
        }
    }
    if (!sandbox->netns.empty()) {
        if (auto detached = m_network->tearDown(sandboxId); !detached) {
            return detached;
        }
        if (auto removed = m_network->removeNamespace(sandbox->netns); !removed) {
            return removed;
        }
    }
    (void)unmountIfMounted(sandbox->directory + "/shm");
    std::lock_guard lock(m_mutex);
    auto it = m_sandboxes.find(sandboxId);
    if (it != m_sandboxes.end() && it->second.status.state != SandboxState::NotReady) {
        it->second.status.state = SandboxState::NotReady;
        return saveSandbox(it->second);
    }
    return {};
}

Status RuncRuntime::removeSandbox(const std::string& sandboxId) {
    if (auto stopped = stopSandbox(sandboxId); !stopped) {
        if (stopped.error().code == ErrorCode::NotFound) {
            return {};
        }
        return stopped;
    }
    for (const Container& c : m_containers.inSandbox(sandboxId)) {
        if (auto removed = removeContainer(c.id); !removed) {
            return removed;
        }
    }
    std::string directory;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_sandboxes.find(sandboxId);
        if (it == m_sandboxes.end()) {
            return {};
        }
        directory = it->second.directory;
        m_sandboxes.erase(it);
    }
    return removeTree(directory);
}

Result<std::vector<SandboxStatus>> RuncRuntime::listSandboxes() {
    std::lock_guard lock(m_mutex);
    std::vector<SandboxStatus> out;
    for (const auto& [id, sandbox] : m_sandboxes) {
        out.push_back(sandbox.status);
    }
    return out;
}

} // namespace pilot::agent::runc
