#pragma once

#include "nodeagent/metrics/statsprovider.h"
#include "nodeagent/pod/podmanager.h"
#include "nodeagent/server/serverbackend.h"

namespace pilot::agent {

/// The agent's HTTPS endpoints served from its pod manager, runtime and stats.
class AgentBackend final : public ServerBackend {
public:
    AgentBackend(PodManager& pods, Runtime& runtime, StatsProvider& stats)
        : m_pods(pods), m_runtime(runtime), m_stats(stats) {}

    [[nodiscard]] std::string podList() override;
    [[nodiscard]] Result<ServedContainer> container(const std::string& ns, const std::string& pod,
                                                    const std::string& container,
                                                    bool previous) override;
    [[nodiscard]] bool isRunning(const std::string& containerId) override;
    [[nodiscard]] Result<std::unique_ptr<ExecSession>> exec(const std::string& containerId,
                                                            ExecOptions options) override;
    [[nodiscard]] std::string statsSummary() override;
    [[nodiscard]] std::string resourceMetrics() override;
    [[nodiscard]] std::string metrics() override;

private:
    PodManager& m_pods;
    Runtime& m_runtime;
    StatsProvider& m_stats;
};

} // namespace pilot::agent
