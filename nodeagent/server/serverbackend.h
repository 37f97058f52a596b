#pragma once

#include "core/error.h"
#include "nodeagent/runtime/runtime.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pilot::agent {

/// A container the server was asked about.
struct ServedContainer {
    std::string containerId;
    std::string logPath;
    bool running = false;
};

/// What the agent's HTTPS server serves, supplied by the agent (pods, runtime, stats), so the
/// server can be tested without them. Called on the server's I/O thread: keep calls short.
class ServerBackend {
public:
    virtual ~ServerBackend() = default;
    /// `/pods`: a PodList of the node's pods, as JSON.
    [[nodiscard]] virtual std::string podList() = 0;
    /// NotFound with kubelet's message when the pod or container does not exist; for
    /// `previous`, the attempt before the current one.
    [[nodiscard]] virtual Result<ServedContainer> container(const std::string& ns,
                                                            const std::string& pod,
                                                            const std::string& container,
                                                            bool previous) = 0;
    [[nodiscard]] virtual bool isRunning(const std::string& containerId) = 0;
    [[nodiscard]] virtual Result<std::unique_ptr<ExecSession>> exec(const std::string& containerId,
                                                                    ExecOptions options) = 0;
    [[nodiscard]] virtual std::string statsSummary() = 0;
    [[nodiscard]] virtual std::string resourceMetrics() = 0;
    [[nodiscard]] virtual std::string metrics() = 0;
};

} // namespace pilot::agent
