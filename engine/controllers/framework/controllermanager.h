#pragma once

#include "core/error.h"
#include "engine/controllers/framework/controller.h"
#include "engine/controllers/framework/sharedinformers.h"

#include <chrono>
#include <memory>
#include <vector>

namespace pilot::controllers {

/// Runs a set of controllers over one API client: each sets up its informers, the shared
/// informers start and sync, then the controllers start. Used in-process by the engine and by
/// `pilothouse-engine --controllers-only --kubeconfig F` against any API server.
class ControllerManager {
public:
    explicit ControllerManager(kube::ApiClient& client);
    ~ControllerManager();
    ControllerManager(const ControllerManager&) = delete;
    ControllerManager& operator=(const ControllerManager&) = delete;

    void add(std::unique_ptr<Controller> controller);
    /// Starts everything; fails when the informers do not sync within `syncTimeout`.
    [[nodiscard]] Status start(std::chrono::seconds syncTimeout = std::chrono::seconds(30));
    void stop();

    [[nodiscard]] SharedInformers& informers() { return m_informers; }

private:
    SharedInformers m_informers;
    std::vector<std::unique_ptr<Controller>> m_controllers;
    bool m_started = false;
};

} // namespace pilot::controllers
