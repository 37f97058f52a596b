#pragma once

#include "core/error.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// The seam between the agent's pod workers and what actually runs containers, shaped after the
/// Kubernetes Container Runtime Interface (CRI): images, pod sandboxes, containers, exec, stats.
/// Two implementations: `runc` (OCI images, overlay root filesystems, one network namespace per
/// pod wired by CNI) and `process` (host processes, no image, no root). Pod workers only ever
/// talk to this interface, so every pod behaviour is tested against both.
namespace pilot::agent {

using Labels = std::map<std::string, std::string, std::less<>>;
using TimePoint = std::chrono::system_clock::time_point;

/// Credentials for one registry host (from imagePullSecrets or the agent's own configuration).
struct RegistryCredential {
    std::string server; ///< Host[:port] as in the image reference, `docker.io` for Docker Hub.
    std::string username;
    std::string password;
    std::string identityToken; ///< OAuth2 refresh token (`identitytoken` in a dockerconfigjson).
};

/// An image present in the runtime's content store.
struct ImageInfo {
    std::string id; ///< Digest of the image configuration (`sha256:...`): the image ID.
    std::vector<std::string> repoTags;    ///< `registry/repo:tag` references resolved to it.
    std::vector<std::string> repoDigests; ///< `registry/repo@sha256:...` (manifest digests).
    uint64_t sizeBytes = 0;
};

/// What one image garbage collection removed.
struct ImageGcResult {
    std::vector<std::string> removedImages; ///< Image IDs.
    uint64_t freedBytes = 0;
};

struct PortMapping {
    std::string protocol = "TCP"; ///< TCP, UDP or SCTP.
    int containerPort = 0;
    int hostPort = 0; ///< 0: not published on the host.
    std::string hostIP;
};

/// What a pod's shared environment needs: its network, hostname and DNS.
struct SandboxConfig {
    std::string podUid;
    std::string podName;
    std::string podNamespace;
    std::string hostname; ///< spec.hostname or the pod name, at most 63 characters.
    bool hostNetwork = false;
    std::vector<PortMapping> ports;
    std::vector<std::string> dnsServers; ///< resolv.conf; empty: the host's.
    std::vector<std::string> dnsSearches;
    std::vector<std::string> dnsOptions;
    std::vector<std::pair<std::string, std::vector<std::string>>> hostAliases; ///< ip, names
    std::string logDirectory;  ///< DATA/pods/<uid>/logs; container logs go below it.
    int64_t cpuLimitMilli = 0; ///< Pod-level cgroup limits where the host allows; 0: none.
    int64_t memoryLimitBytes = 0;
    Labels labels; ///< Returned by listSandboxes so a restarted agent can adopt the sandbox.
};

enum class SandboxState { Ready, NotReady };

struct SandboxStatus {
    std::string id;
    SandboxState state = SandboxState::NotReady;
    std::string ip; ///< The pod IP; empty with hostNetwork (the caller uses the host IP).
    TimePoint createdAt{};
    Labels labels;
};

/// A host path visible inside a container.
struct Mount {
    std::string hostPath; ///< Already resolved (volume directory, subPath applied).
    std::string containerPath;
    bool readOnly = false;
};

struct ContainerResources {
    int64_t cpuRequestMilli = 0;
    int64_t cpuLimitMilli = 0;    ///< 0: unlimited.
    int64_t memoryLimitBytes = 0; ///< 0: unlimited.
};

/// One container of a pod, with everything resolved by the agent except what only the runtime
/// knows: when `command`/`args` are empty the image's ENTRYPOINT/CMD apply, exactly as
/// Kubernetes defines it (command replaces ENTRYPOINT and drops CMD; args alone replace CMD).
struct ContainerConfig {
    std::string name;
    std::string image; ///< As written in the pod spec (the runtime resolves it after a pull).
    std::vector<std::string> command;
    std::vector<std::string> args;
    std::vector<std::pair<std::string, std::string>> env; ///< Final values, `$(VAR)` expanded.
    std::string workingDir; ///< Empty: the image's, else `/` (runc) or the pod dir (process).
    std::vector<Mount> mounts;
    std::optional<int64_t> runAsUser;
    std::optional<int64_t> runAsGroup;
    std::vector<int64_t> supplementalGroups;
    bool tty = false;
    bool stdinOpen = false;
    bool privileged = false;
    bool readOnlyRootFilesystem = false;
    std::vector<std::string> capabilitiesAdd;  ///< Names as in the pod spec (`NET_ADMIN`).
    std::vector<std::string> capabilitiesDrop; ///< `ALL` drops every capability.
    ContainerResources resources;
    std::string logPath; ///< The runtime appends the CRI log format here (kubelet's format:
                         ///< `RFC3339Nano stdout|stderr F|P line`).
    int attempt = 0;     ///< Restart count; part of the container's identity for adoption.
    Labels labels;       ///< Returned by listContainers (pod uid, container name, attempt).
};

enum class ContainerState { Created, Running, Exited, Unknown };

struct ContainerStatus {
    std::string id;
    std::string sandboxId;
    std::string name;
    ContainerState state = ContainerState::Unknown;
    int64_t pid = 0;
    int exitCode = 0;
    std::string reason; ///< `Completed`, `Error`, `OOMKilled`, `ContainerCannotRun`, ...
    std::string message;
    TimePoint createdAt{};
    TimePoint startedAt{};
    TimePoint finishedAt{};
    std::string imageRef; ///< `registry/repo@sha256:...` (runc) or empty (process).
    std::string imageId;  ///< Image configuration digest (runc) or empty (process).
    std::string logPath;
    Labels labels;
};

struct ExecResult {
    int exitCode = 0;
    std::string output; ///< stdout and stderr interleaved, at most the first 10 KiB kept.
    bool timedOut = false;
};

enum class StreamKind { Stdout, Stderr };

/// An interactive exec: stdin is written by the caller, output arrives through the sink given to
/// Runtime::exec on a runtime thread, `onExit` once with the exit code.
class ExecSession {
public:
    virtual ~ExecSession() = default;
    virtual void writeStdin(std::string_view data) = 0;
    virtual void closeStdin() = 0;
    virtual void resize(uint16_t columns, uint16_t rows) = 0; ///< TTY sessions only.
    virtual void terminate() = 0;                             ///< Kills the exec'd process.
};

struct ExecOptions {
    std::vector<std::string> command;
    bool tty = false;
    bool stdinOpen = false;
    std::function<void(StreamKind, std::string_view)> output;
    std::function<void(int exitCode)> onExit;
};

/// Point-in-time usage, cumulative CPU as the metrics pipeline expects (kubelet's Summary API).
struct ContainerStats {
    TimePoint timestamp{};
    uint64_t cpuUsageCoreNanoSeconds = 0; ///< Cumulative CPU time used.
    uint64_t memoryWorkingSetBytes = 0;
    uint64_t memoryRssBytes = 0;
};

/// A container changed state without being asked (exited, was OOM-killed). Delivered on a runtime
/// thread; the agent also re-lists periodically, so a lost event only delays the update.
struct ContainerEvent {
    std::string containerId;
    std::string sandboxId;
    ContainerState state = ContainerState::Unknown;
};

/// The runtime contract. Implementations are thread-safe: several pod workers call at once.
/// Containers and sandboxes outlive the agent process (a restarted agent finds them through
/// listSandboxes/listContainers and their labels, and their exit codes are still reported).
class Runtime {
public:
    virtual ~Runtime() = default;

    /// `runc` or `process`: the `runtime=` of the agent's ready line.
    [[nodiscard]] virtual std::string_view kind() const = 0;
    /// For Node status nodeInfo.containerRuntimeVersion, e.g. `runc://1.1.5`.
    [[nodiscard]] virtual std::string version() const = 0;

    // Images. The process runtime has none: it reports every image present and ignores pulls.
    [[nodiscard]] virtual Result<ImageInfo>
    pullImage(const std::string& image, const std::vector<RegistryCredential>& credentials) = 0;
    [[nodiscard]] virtual std::optional<ImageInfo> imageStatus(const std::string& image) = 0;
    [[nodiscard]] virtual Result<std::vector<ImageInfo>> listImages() = 0;
    [[nodiscard]] virtual Status removeImage(const std::string& imageId) = 0;
    /// The directory images are stored under (kubelet's image filesystem); empty when the
    /// runtime keeps no images (then there is no image garbage collection).
    [[nodiscard]] virtual std::string imageFsPath() const { return {}; }
    /// Removes images no container uses and none used within `minAge`, least recently used
    /// first, until `bytesToFree` are freed (0: every such image).
    [[nodiscard]] virtual Result<ImageGcResult> garbageCollectImages(uint64_t bytesToFree,
                                                                     std::chrono::seconds minAge) {
        (void)bytesToFree;
        (void)minAge;
        return ImageGcResult{};
    }

    // Pod sandboxes.
    [[nodiscard]] virtual Result<SandboxStatus> runSandbox(const SandboxConfig& config) = 0;
    [[nodiscard]] virtual Status stopSandbox(const std::string& sandboxId) = 0;
    [[nodiscard]] virtual Status removeSandbox(const std::string& sandboxId) = 0;
    [[nodiscard]] virtual Result<std::vector<SandboxStatus>> listSandboxes() = 0;

    // Containers.
    [[nodiscard]] virtual Result<std::string> createContainer(const std::string& sandboxId,
                                                              const ContainerConfig& config) = 0;
    [[nodiscard]] virtual Status startContainer(const std::string& containerId) = 0;
    /// SIGTERM (or the image's STOPSIGNAL), then SIGKILL after `grace`; returns once stopped.
    [[nodiscard]] virtual Status stopContainer(const std::string& containerId,
                                               std::chrono::seconds grace) = 0;
    [[nodiscard]] virtual Status removeContainer(const std::string& containerId) = 0;
    [[nodiscard]] virtual Result<ContainerStatus>
    containerStatus(const std::string& containerId) = 0;
    [[nodiscard]] virtual Result<std::vector<ContainerStatus>> listContainers() = 0;

    /// Runs a command inside a running container and waits (exec probes, lifecycle hooks).
    [[nodiscard]] virtual Result<ExecResult> execSync(const std::string& containerId,
                                                      const std::vector<std::string>& command,
                                                      std::chrono::milliseconds timeout) = 0;
    [[nodiscard]] virtual Result<std::unique_ptr<ExecSession>> exec(const std::string& containerId,
                                                                    ExecOptions options) = 0;

    [[nodiscard]] virtual Result<ContainerStats> containerStats(const std::string& containerId) = 0;

    /// Called on a runtime thread whenever a container changes state on its own. Set once, before
    /// the first container starts.
    virtual void setEventHandler(std::function<void(const ContainerEvent&)> handler) = 0;

    /// What this runtime cannot honour in `config`, one phrase per item (`runAsUser 1000`,
    /// `the image's entrypoint`), which the agent reports in a Warning event on the pod. Added by
    /// agentcore for the process runtime; runtimes that honour the whole spec keep the default.
    [[nodiscard]] virtual std::vector<std::string>
    unsupportedFeatures(const ContainerConfig& config) const {
        (void)config;
        return {};
    }
};

} // namespace pilot::agent
