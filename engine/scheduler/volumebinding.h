#pragma once

#include "core/error.h"
#include "engine/controllers/framework/sharedinformers.h"
#include "engine/scheduler/nodeinfo.h"
#include "engine/scheduler/nodeselector.h"
#include "engine/scheduler/podinfo.h"
#include "kube/client/apiclient.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace pilot::scheduler {

/// What the VolumeBinding plugin's PreFilter found for one pod's PersistentVolumeClaims.
struct PodVolumes {
    /// Set: no node can take the pod (a claim is missing, being deleted, or unbound with
    /// Immediate binding); upstream's message.
    std::string preFilterError;
    /// `spec.nodeAffinity.required` of the volumes bound to the pod's claims.
    std::vector<NodeSelector> boundAffinity;
    /// Unbound claims of a WaitForFirstConsumer class: bound once the pod has a node.
    struct Claim {
        kube::ObjectPtr claim;
        kube::ObjectPtr storageClass;
        std::optional<NodeSelector> allowedTopologies;
    };
    std::vector<Claim> toBind;

    [[nodiscard]] bool empty() const { return boundAffinity.empty() && toBind.empty(); }
};

/// Upstream's VolumeBinding plugin over the PVC, PV and StorageClass informers: PreFilter,
/// Filter (bound volumes' node affinity; for WaitForFirstConsumer claims an Available volume
/// that fits the node, or dynamic provisioning the class's allowedTopologies allow) and PreBind
/// (a matching static volume gets the claim in `spec.claimRef`; otherwise the claim is
/// annotated `volume.kubernetes.io/selected-node` for its provisioner), then waits for the
/// claims to be bound. Thread-safe.
class VolumeBinding {
public:
    /// Adds the informers; `onChange` runs (on an informer thread) whenever a claim, volume or
    /// class changes, so parked pods can be retried.
    void setUp(controllers::SharedInformers& informers, std::function<void()> onChange);

    [[nodiscard]] PodVolumes preFilter(const PodInfo& pod) const;
    /// Whether `node` can take the pod's volumes; else false with upstream's reason.
    [[nodiscard]] bool filter(const PodVolumes& volumes, const NodeSpec& node,
                              std::string& reason) const;
    /// PreBind: binds the claims that wait for a node to `node` (API writes, on the caller's
    /// thread), then calls `done` once all of them are bound, or with an error when a write
    /// failed or `timeout` passed first. `done` runs on the binder's own thread (or the
    /// caller's, for a write error): keep it short.
    void bindPodVolumes(kube::ApiClient& client, const PodVolumes& volumes, const NodeSpec& node,
                        std::chrono::milliseconds timeout, std::function<void(Status)> done);

    /// Starts and stops the thread that waits for claims to be bound.
    void start();
    void stop();

private:
    struct Waiter {
        std::vector<std::pair<std::string, std::string>> claims; // namespace, name
        std::chrono::steady_clock::time_point deadline;
        std::function<void(Status)> done;
    };

    [[nodiscard]] kube::ObjectPtr staticMatch(const boost::json::object& claim,
                                              const NodeSpec& node) const;
    [[nodiscard]] bool allBound(const Waiter& waiter) const;
    void changed();
    void run();

    kube::Informer* m_claims = nullptr;
    kube::Informer* m_volumes = nullptr;
    kube::Informer* m_classes = nullptr;
    std::function<void()> m_onChange;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    uint64_t m_generation = 0;     // guarded by m_mutex
    std::vector<Waiter> m_waiters; // guarded by m_mutex
    bool m_running = false;        // guarded by m_mutex
    std::thread m_thread;
};

} // namespace pilot::scheduler
