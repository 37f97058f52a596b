#pragma once

#include "nodeagent/runtime/containertable.h"
#include "nodeagent/runtime/runtime.h"

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

/// The `process` runtime: containers are host processes, for desktops and machines without an
/// OCI runtime or root.
///
/// - A sandbox is a directory (ROOT/sandboxes/<id>) holding its config; there is no network
///   namespace, so pods share the host's network and the pod IP is the node's.
/// - A container is a process in its own session, run by a container monitor
///   (containermonitor.h) with the container's command (`command` + `args`), environment and
///   working directory; state in ROOT/containers/<id>.
/// - Paths: volumes stay at their host paths, and nothing in args or env is rewritten. The one
///   container path that is mapped is the working directory: a `workingDir` at or below a
///   volume's mountPath runs in the matching host directory, so manifests written relative to
///   their working directory run unchanged on both runtimes. A `workingDir` that is neither a
///   mount nor a host directory, and an empty one, run in the sandbox directory.
/// - What cannot be honoured (the image's entrypoint, runAsUser other than the agent's own user
///   when not root, capabilities, read-only root filesystems, resource limits, container paths)
///   is listed by unsupportedFeatures() for the agent's Warning event.
/// - stopContainer: SIGTERM to the process group, the grace period, then SIGKILL.
/// - exec/execSync: a host process with the container's environment and working directory.
/// - Stats: CPU and RSS summed over the processes of the container's session, from /proc.
namespace pilot::agent {

struct ProcessRuntimeOptions {
    std::string rootDir; ///< DATA/runtime/process.
    std::vector<std::string> monitorCommand;
};

class ProcessRuntime final : public Runtime {
public:
    explicit ProcessRuntime(ProcessRuntimeOptions options);
    ~ProcessRuntime() override;

    /// Creates the directories, loads existing sandboxes and containers, watches for exits.
    [[nodiscard]] Status start();

    [[nodiscard]] std::string_view kind() const override { return "process"; }
    [[nodiscard]] std::string version() const override;

    [[nodiscard]] Result<ImageInfo>
    pullImage(const std::string& image,
              const std::vector<RegistryCredential>& credentials) override;
    [[nodiscard]] std::optional<ImageInfo> imageStatus(const std::string& image) override;
    [[nodiscard]] Result<std::vector<ImageInfo>> listImages() override;
    [[nodiscard]] Status removeImage(const std::string& imageId) override;

    [[nodiscard]] Result<SandboxStatus> runSandbox(const SandboxConfig& config) override;
    [[nodiscard]] Status stopSandbox(const std::string& sandboxId) override;
    [[nodiscard]] Status removeSandbox(const std::string& sandboxId) override;
    [[nodiscard]] Result<std::vector<SandboxStatus>> listSandboxes() override;

    [[nodiscard]] Result<std::string> createContainer(const std::string& sandboxId,
                                                      const ContainerConfig& config) override;
    [[nodiscard]] Status startContainer(const std::string& containerId) override;
    [[nodiscard]] Status stopContainer(const std::string& containerId,
                                       std::chrono::seconds grace) override;
    [[nodiscard]] Status removeContainer(const std::string& containerId) override;
    [[nodiscard]] Result<ContainerStatus> containerStatus(const std::string& containerId) override;
    [[nodiscard]] Result<std::vector<ContainerStatus>> listContainers() override;

    [[nodiscard]] Result<ExecResult> execSync(const std::string& containerId,
                                              const std::vector<std::string>& command,
                                              std::chrono::milliseconds timeout) override;
    [[nodiscard]] Result<std::unique_ptr<ExecSession>> exec(const std::string& containerId,
                                                            ExecOptions options) override;
    [[nodiscard]] Result<ContainerStats> containerStats(const std::string& containerId) override;
    void setEventHandler(std::function<void(const ContainerEvent&)> handler) override;

    [[nodiscard]] std::vector<std::string>
    unsupportedFeatures(const ContainerConfig& config) const override;

    /// Where a container would run: the mapped working directory (see the class comment).
    [[nodiscard]] static std::string mapWorkingDir(const ContainerConfig& config,
                                                   const std::string& fallback);

private:
    struct Sandbox {
        SandboxStatus status;
        std::string hostname;
        std::string directory;
    };
    struct Container : MonitoredContainer {
        std::vector<std::string> argv;
        std::vector<std::string> env;
        std::string workingDir;
        std::optional<uint32_t> uid;
        std::optional<uint32_t> gid;
        std::vector<uint32_t> groups;
    };
    struct Usage {
        uint64_t cpuTicks = 0;
        uint64_t rssBytes = 0;
    };

    [[nodiscard]] std::string sandboxesDir() const { return m_options.rootDir + "/sandboxes"; }
    [[nodiscard]] std::string containersDir() const { return m_options.rootDir + "/containers"; }
    [[nodiscard]] std::string exitsDir() const { return m_options.rootDir + "/exits"; }
    void load();
    [[nodiscard]] Status saveSandbox(const Sandbox& sandbox);
    [[nodiscard]] Usage usageOfSession(pid_t session);

    ProcessRuntimeOptions m_options;
    mutable std::mutex m_mutex; ///< Guards m_sandboxes.
    std::map<std::string, Sandbox, std::less<>> m_sandboxes;
    ContainerTable<Container> m_containers;

    std::mutex m_usageMutex;
    std::chrono::steady_clock::time_point m_usageTakenAt{};
    std::map<pid_t, Usage> m_usageBySession;
};

} // namespace pilot::agent
