#pragma once

#include "core/error.h"
#include "engine/controllers/framework/controller.h"
#include "engine/controllers/framework/leaderelection.h"
#include "engine/controllers/framework/sharedinformers.h"

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace pilot::controllers {

struct ControllerManagerOptions {
    /// Set: controllers run only while this process holds the Lease (several engines or
    /// `--controllers-only` processes may share one API server).
    std::optional<LeaderElectionOptions> leaderElection;
    std::chrono::seconds syncTimeout{30};
};

/// Runs a set of controllers over one API client: each sets up its informers, the shared
/// informers start and sync, then the controllers start. With leader election, a term starts
/// when this process becomes the leader and ends (controllers and informers stopped and
/// discarded) when it loses the Lease; `populate` creates a fresh set for every term. Used
/// in-process by the engine and by `pilothouse-engine --controllers-only --kubeconfig F`.
class ControllerManager {
public:
    using Populate = std::function<void(ControllerManager&, kube::ApiClient&)>;

    ControllerManager(kube::ApiClient& client, Populate populate,
                      ControllerManagerOptions options = {});
    /// A single term with the controllers given to add() before start(), no leader election.
    explicit ControllerManager(kube::ApiClient& client);
    ~ControllerManager();
    ControllerManager(const ControllerManager&) = delete;
    ControllerManager& operator=(const ControllerManager&) = delete;

    /// For `populate` (or before start() without one): adds a controller.
    void add(std::unique_ptr<Controller> controller);

    /// Without leader election, starts a term now (fails when the informers do not sync in
    /// time); with it, starts campaigning.
    [[nodiscard]] Status start();
    void stop();

    [[nodiscard]] bool running() const;
    /// The current term's informers (valid while running()).
    [[nodiscard]] SharedInformers& informers() { return *m_informers; }

private:
    [[nodiscard]] Status startTerm();
    void stopTerm();

    kube::ApiClient& m_client;
    Populate m_populate;
    ControllerManagerOptions m_options;
    mutable std::mutex m_mutex;
    std::unique_ptr<SharedInformers> m_informers;
    std::vector<std::unique_ptr<Controller>> m_controllers;
    std::unique_ptr<LeaderElector> m_elector;
    bool m_running = false;
};

} // namespace pilot::controllers
