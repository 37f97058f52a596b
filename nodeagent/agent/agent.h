#pragma once

#include "core/error.h"
#include "nodeagent/agent/agentoptions.h"

#include <boost/json/object.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pilot::kube {
class HttpApiClient;
}

namespace pilot::agent {

class AgentBackend;
class AgentServer;
class ImageGcManager;
class KubeletEvents;
class StatsProvider;
class NodeManager;
class PodManager;
class Runtime;
class VolumeSources;
class WorkerPool;

/// pilothouse-agent put together: API client, runtime, node registration and heartbeats, pod
/// workers and the HTTPS server, all on one small worker pool (no thread per pod).
class Agent {
public:
    explicit Agent(AgentOptions options);
    ~Agent();
    Agent(const Agent&) = delete;
    Agent& operator=(const Agent&) = delete;

    /// Starts everything and returns once the node is registered (the moment for the ready
    /// line). Retries the API until it answers or stop() is called. Fails on unusable options
    /// (kubeconfig, data dir, runtime, port).
    [[nodiscard]] Status start();
    /// Stops the agent's own work; containers keep running for the next agent to adopt.
    void stop();

    /// `ready node=NAME runtime=KIND`.
    [[nodiscard]] std::string readyLine() const;

private:
    void heartbeat();
    void reportStatus();
    void sample();
    void collectImages();
    /// kubelet's service variables for a container in `ns` (empty: enableServiceLinks false,
    /// only the master `kubernetes` Service).
    [[nodiscard]] std::vector<std::pair<std::string, std::string>>
    serviceEnv(const std::string& ns);

    AgentOptions m_options;
    std::unique_ptr<kube::HttpApiClient> m_client;
    std::unique_ptr<Runtime> m_runtime;
    std::unique_ptr<WorkerPool> m_pool;
    std::unique_ptr<NodeManager> m_node;
    std::unique_ptr<KubeletEvents> m_events;
    std::unique_ptr<VolumeSources> m_sources;
    std::unique_ptr<PodManager> m_pods;
    std::unique_ptr<StatsProvider> m_stats;
    std::unique_ptr<AgentBackend> m_backend;
    std::unique_ptr<AgentServer> m_server;
    std::unique_ptr<ImageGcManager> m_imageGc;
    std::mutex m_serviceMutex;
    std::optional<boost::json::object> m_masterService; ///< default/kubernetes, cached.
    std::chrono::steady_clock::time_point m_masterServiceAt{};
    std::atomic<bool> m_stopping{false};
};

} // namespace pilot::agent
