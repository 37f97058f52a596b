#pragma once

#include "nodeagent/image/imagemanager.h"
#include "nodeagent/network/cninetwork.h"
#include "nodeagent/runtime/containertable.h"
#include "nodeagent/runtime/runc/cgroups.h"
#include "nodeagent/runtime/runtime.h"

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace pilot::agent::runc {

struct RuncRuntimeOptions {
    std::string
        rootDir; ///< DATA/runtime/runc: sandboxes/, containers/, exits/, state/ (runc --root).
    std::string imageDir; ///< DATA/images: the content store and unpacked layers.
    /// {agent binary, "container-monitor"} (containerMonitorCommand() for the running agent).
    std::vector<std::string> monitorCommand;
    image::RegistryOptions registry;
    network::NetworkOptions network; ///< dataDir DATA/network, nodeName, podCidr...
    std::string runcBinary = "runc"; ///< Looked up in PATH unless absolute.
    std::string cgroupParent = "/pilothouse";
};

/// The `runc` runtime: OCI images, overlay root filesystems, one network namespace per pod.
///
/// - A sandbox is a pinned network namespace wired by CNI (nothing with hostNetwork), a
///   shared /dev/shm tmpfs and the pod's hostname, hosts and resolv.conf files, under
///   ROOT/sandboxes/<id>. There is no pause process: containers join the namespace by path.
/// - A container is an overlay mount of the image's layers with a private upper directory at
///   ROOT/containers/<id>/bundle/rootfs and a `config.json` built by buildOciSpec; start runs
///   `runc run --detach` under a container monitor (stdout/stderr to the CRI log, exit code kept;
///   it outlives the agent). Stop is `runc kill` with the image's STOPSIGNAL (default TERM), the
///   grace period, then KILL; remove is `runc delete --force`, unmount and delete.
/// - Everything is persisted, so a new instance over the same directories adopts running
///   containers and reports exits that happened while the agent was down.
/// - Stats come from the container's cgroup (v1 or v2); limits are skipped where the host does
///   not allow creating cgroups.
class RuncRuntime final : public Runtime {
public:
    explicit RuncRuntime(RuncRuntimeOptions options);
    ~RuncRuntime() override;

    /// Creates directories, opens the image store and the CNI network, checks runc, loads
    /// persisted sandboxes and containers and starts watching exits.
    [[nodiscard]] Status start();

    [[nodiscard]] std::string_view kind() const override { return "runc"; }
    [[nodiscard]] std::string version() const override { return m_version; }

    [[nodiscard]] Result<ImageInfo>
    pullImage(const std::string& image,
              const std::vector<RegistryCredential>& credentials) override;
    [[nodiscard]] std::optional<ImageInfo> imageStatus(const std::string& image) override;
    [[nodiscard]] Result<std::vector<ImageInfo>> listImages() override;
    /// Conflict while a container (running or not yet removed) uses the image.
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

    [[nodiscard]] std::string imageFsPath() const override;
    /// Removes images no container uses (least recently used first) until `bytesToFree` are
    /// freed (0: all of them), for the agent's image garbage collection.
    [[nodiscard]] Result<ImageGcResult> garbageCollectImages(uint64_t bytesToFree,
                                                             std::chrono::seconds minAge) override;

    [[nodiscard]] image::ImageManager& images() { return *m_images; }
    [[nodiscard]] network::CniNetwork& network() { return *m_network; }

private:
    struct Sandbox {
        SandboxStatus status;
        std::string hostname;
        bool hostNetwork = false;
        std::string podUid;
        std::string podName;
        std::string podNamespace;
        std::string netns;
        std::string directory;
    };
    struct Container : MonitoredContainer {
        std::string imageId;
        std::string imageRef;
        std::string stopSignal;
        std::string cgroupPath;
    };

    [[nodiscard]] std::string sandboxesDir() const { return m_options.rootDir + "/sandboxes"; }
    [[nodiscard]] std::string containersDir() const { return m_options.rootDir + "/containers"; }
    [[nodiscard]] std::string exitsDir() const { return m_options.rootDir + "/exits"; }
    [[nodiscard]] std::string runcRoot() const { return m_options.rootDir + "/state"; }
    [[nodiscard]] std::vector<std::string> runcArgs(std::initializer_list<std::string> args) const;
    [[nodiscard]] Status runRunc(std::initializer_list<std::string> args,
                                 std::chrono::milliseconds timeout) const;
    void load();
    [[nodiscard]] Status saveSandbox(const Sandbox& sandbox) const;
    [[nodiscard]] Status saveContainer(const Container& container) const;
    [[nodiscard]] Result<Sandbox> findSandbox(const std::string& id) const;
    void signal(const Container& container, const MonitorState& state, StopSignal signal) const;
    void completeStatus(const Container& container, ContainerStatus& status) const;
    [[nodiscard]] Result<std::string> prepareContainer(const Sandbox& sandbox,
                                                       const ContainerConfig& config,
                                                       const image::ImageRecord& image,
                                                       Container& container);

    RuncRuntimeOptions m_options;
    std::string m_runc;
    std::string m_version;
    std::unique_ptr<image::ImageManager> m_images;
    std::unique_ptr<network::CniNetwork> m_network;
    std::unique_ptr<Cgroups> m_cgroups;
    mutable std::mutex m_mutex; ///< Guards m_sandboxes and m_creating.
    std::map<std::string, Sandbox, std::less<>> m_sandboxes;
    /// Image IDs of containers being created. A created container enters m_containers before it
    /// leaves m_creating, so whoever needs the images in use reads m_creating first (under
    /// m_mutex) and m_containers then.
    std::multiset<std::string> m_creating;
    ContainerTable<Container> m_containers;
};

} // namespace pilot::agent::runc
