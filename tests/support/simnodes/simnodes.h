#pragma once

#include "core/error.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"
#include "kube/client/workqueue.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace pilot::testsupport {

struct SimulatedNodeOptions {
    int count = 1;
    std::string namePrefix = "sim-node-";
    std::string cpu = "4";
    std::string memory = "8Gi";
    std::string pods = "110";
    std::string ephemeralStorage = "100Gi";
    std::map<std::string, std::string> labels;
    std::chrono::seconds leaseRenewInterval{10};
    /// Bound pods become Running and Ready; pods that do not restart (Never/OnFailure) then
    /// Succeed, as if their command exited 0.
    bool runPods = true;
    bool completeRunToCompletionPods = true;
};

/// Nodes without containers, for testing the scheduler and controllers before (or without) the
/// node agent: each node is registered with capacity, Ready condition and nodeInfo, renews its
/// Lease in kube-node-lease, and acts for the pods bound to it the way a kubelet is seen from
/// the API: status Running/Ready (then Succeeded for run-to-completion pods), and the final
/// grace-0 DELETE of pods being deleted. Also used by the benchmarks to simulate scale.
class SimulatedNodes {
public:
    SimulatedNodes(kube::ApiClient& client, SimulatedNodeOptions options);
    ~SimulatedNodes();
    SimulatedNodes(const SimulatedNodes&) = delete;
    SimulatedNodes& operator=(const SimulatedNodes&) = delete;

    /// Registers the nodes and their leases, then follows pods.
    [[nodiscard]] Status start();
    void stop();

    [[nodiscard]] std::vector<std::string> nodeNames() const;
    /// Stops renewing the node's lease (as if its agent died).
    void silence(const std::string& node);

private:
    [[nodiscard]] Status registerNode(const std::string& name, int index);
    void renewLeases();
    void leaseLoop();
    void podLoop();
    [[nodiscard]] Status handlePod(const std::string& key);
    [[nodiscard]] std::string podIp(const std::string& uid);

    kube::ApiClient& m_client;
    SimulatedNodeOptions m_options;
    std::set<std::string> m_nodes;
    std::map<std::string, std::string> m_nodeIps;
    std::unique_ptr<kube::Informer> m_pods;
    kube::WorkQueue m_queue;
    std::thread m_podWorker;
    std::thread m_leaseThread;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::set<std::string> m_silenced;
    std::map<std::string, std::string> m_podIps; // pod uid -> IP
    uint32_t m_nextIp = 0;
    bool m_stopping = false;
    bool m_started = false;
};

} // namespace pilot::testsupport
