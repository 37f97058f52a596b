#pragma once

#include "core/error.h"
#include "nodeagent/image/imageconfig.h"
#include "nodeagent/runtime/runtime.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// Pure functions that turn a CRI container configuration plus its image into an OCI runtime
/// spec (`config.json`) the way containerd's CRI plugin does: Kubernetes' command/args rules,
/// environment merge, user resolution against the image's /etc/passwd and /etc/group,
/// containerd's default capabilities, mounts, masked paths, namespaces and cgroup resources.
namespace pilot::agent::runc {

/// The process identity a container runs with.
struct ResolvedUser {
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::vector<uint32_t> additionalGids;
    std::string home = "/";
};

/// Resolves the user: runAsUser/runAsGroup win over the image's `User` (`uid`, `uid:gid`,
/// `name`, `name:group`); names come from the image's passwd and group files (contents given).
/// A numeric uid found in passwd takes its primary group, else gid 0. Groups listing the user
/// by name and supplementalGroups become additional gids. InvalidArgument names the user or
/// group that does not exist (`unable to find user www: no matching entries in passwd file`).
[[nodiscard]] Result<ResolvedUser> resolveUser(std::string_view imageUser,
                                               std::optional<int64_t> runAsUser,
                                               std::optional<int64_t> runAsGroup,
                                               const std::vector<int64_t>& supplementalGroups,
                                               std::string_view passwd, std::string_view group);

/// Kubernetes' rules: `command` replaces ENTRYPOINT and drops CMD; `args` alone replace CMD.
/// InvalidArgument when nothing is left to run.
[[nodiscard]] Result<std::vector<std::string>> containerArgs(const ContainerConfig& container,
                                                             const image::ImageConfig& image);

/// containerd's order: HOSTNAME, then the image's environment, then the container's, a later
/// value of a name replacing the earlier in place; PATH gets the default when nobody sets it.
/// (runc adds HOME from the user's passwd entry when it is missing.)
[[nodiscard]] std::vector<std::string>
mergeEnv(const std::vector<std::string>& imageEnv,
         const std::vector<std::pair<std::string, std::string>>& env, const std::string& hostname);

/// containerd's default capability set with the pod's add/drop applied (`ALL` in drop empties
/// it first, `ALL` in add grants everything); privileged gets every capability. Names are
/// accepted with or without the `CAP_` prefix, in any case, and returned with it; unknown names
/// are skipped (runc ignores them too).
[[nodiscard]] std::vector<std::string> capabilitySet(const std::vector<std::string>& add,
                                                     const std::vector<std::string>& drop,
                                                     bool privileged);

/// Everything buildOciSpec needs beside the container and image configuration.
struct SpecContext {
    ResolvedUser user;
    std::vector<std::string> args; ///< From containerArgs.
    std::vector<std::string> env;  ///< From mergeEnv.
    std::string workingDir = "/";
    std::string hostname;
    bool hostNetwork = false;
    std::string netnsPath; ///< The pod's network namespace (ignored with hostNetwork).
    std::string hostsPath; ///< Sandbox files bind-mounted over /etc/hosts, ...
    std::string resolvPath;
    std::string hostnamePath;
    std::string shmPath;     ///< The pod's shared /dev/shm (a tmpfs); empty: a private one.
    std::string cgroupsPath; ///< Empty: no cgroup settings (the host does not allow them).
    bool cgroupV2 = false;
    /// RLIMIT_NOFILE for the container (soft = hard), normally the agent's own hard limit, as
    /// CRI containers inherit the runtime's; 0 leaves runc's default.
    uint64_t openFilesLimit = 0;
};

/// The OCI runtime spec (runtime-spec 1.0.2, as runc 1.1 reads it) with root `rootfs`.
[[nodiscard]] Result<boost::json::object> buildOciSpec(const ContainerConfig& container,
                                                       const SpecContext& context);

} // namespace pilot::agent::runc
