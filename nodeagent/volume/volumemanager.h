#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "nodeagent/volume/atomicwriter.h"
#include "nodeagent/volume/downwardapi.h"
#include "nodeagent/volume/volumesources.h"

#include <boost/json/object.hpp>

#include <map>
#include <mutex>
#include <string>

namespace pilot::agent {

/// What a pod's volumes need besides the pod object.
struct PodVolumeContext {
    PodNetworkInfo network;
    boost::json::object nodeAllocatable; ///< For resourceFieldRef without limits.
};

/// The host path of each volume, by volume name.
struct PodVolumes {
    std::map<std::string, std::string> paths;
};

/// Sets up the volumes of a pod under DATA/pods/<uid>/volumes/<plugin>/<name> the way kubelet
/// lays them out (`kubernetes.io~empty-dir`, `kubernetes.io~configmap`, `kubernetes.io~secret`,
/// `kubernetes.io~downward-api`, `kubernetes.io~projected`):
/// - emptyDir: a directory (0777); medium Memory is a tmpfs when the agent is root;
/// - hostPath: the host path itself, after the `type` check (DirectoryOrCreate, FileOrCreate
///   create it);
/// - configMap, secret, downwardAPI, projected (including serviceAccountToken via TokenRequest,
///   refreshed at 80% of its lifetime): files written by AtomicWriter, rewritten only when
///   their content changes, so calling setUp again refreshes them;
/// - persistentVolumeClaim and ephemeral: the local path of the bound PersistentVolume
///   (`hostPath` or `local`).
/// Thread-safe; different pods may be set up at once.
class VolumeManager {
public:
    VolumeManager(VolumeSources& sources, std::string podsDir, const Clock* clock = nullptr);

    /// Sets up or refreshes every volume. The error is kubelet's FailedMount message for the
    /// first volume that failed: `MountVolume.SetUp failed for volume "x" : <why>`.
    [[nodiscard]] Result<PodVolumes> setUp(const boost::json::object& pod,
                                           const PodVolumeContext& context);
    /// Unmounts what setUp mounted and removes DATA/pods/<uid> (host paths are never touched).
    [[nodiscard]] Status tearDown(const std::string& podUid);

    [[nodiscard]] std::string podDir(const std::string& podUid) const;

private:
    [[nodiscard]] Result<std::string> setUpVolume(const boost::json::object& pod,
                                                  const boost::json::object& volume,
                                                  const PodVolumeContext& context);
    [[nodiscard]] Result<VolumePayload> projectedPayload(const boost::json::object& pod,
                                                         const std::string& volumeName,
                                                         const boost::json::object& projected,
                                                         const PodVolumeContext& context);
    [[nodiscard]] Result<IssuedToken> token(const boost::json::object& pod, const std::string& key,
                                            const boost::json::object& source);

    VolumeSources& m_sources;
    std::string m_podsDir;
    SystemClock m_systemClock;
    const Clock& m_clock;
    std::mutex m_mutex;
    struct CachedToken {
        IssuedToken token;
        TimePoint issuedAt{};
    };
    std::map<std::string, CachedToken> m_tokens; // by pod uid / volume / source index
};

} // namespace pilot::agent
