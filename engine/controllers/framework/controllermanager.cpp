#include "engine/controllers/framework/controllermanager.h"

#include "core/log.h"

namespace pilot::controllers {

ControllerManager::ControllerManager(kube::ApiClient& client, Populate populate,
                                     ControllerManagerOptions options)
    : m_client(client), m_populate(std::move(populate)), m_options(std::move(options)) {}

ControllerManager::ControllerManager(kube::ApiClient& client)
    : ControllerManager(client, nullptr) {}

ControllerManager::~ControllerManager() {
    stop();
}

void ControllerManager::add(std::unique_ptr<Controller> controller) {
    m_controllers.push_back(std::move(controller));
}

Status ControllerManager::start() {
    if (!m_options.leaderElection) {
        return startTerm();
    }
    m_elector = std::make_unique<LeaderElector>(
        m_client, *m_options.leaderElection,
        [this] {
            if (auto status = startTerm(); !status) {
                log::error("controllers", "cannot start: {}", status.error().message);
            }
        },
        [this] { stopTerm(); });
    m_elector->start();
    return {};
}

Status ControllerManager::startTerm() {
    std::lock_guard lock(m_mutex);
    m_informers = std::make_unique<SharedInformers>(m_client);
    if (m_populate) {
        m_controllers.clear();
        m_populate(*this, m_client);
    }
    for (const auto& controller : m_controllers) {
        controller->setUp(*m_informers);
    }
    m_informers->start();
    m_running = true;
    if (!m_informers->waitForSync(std::chrono::steady_clock::now() + m_options.syncTimeout)) {
        return fail(ErrorCode::Unavailable, "the controllers' informers did not sync");
    }
    for (const auto& controller : m_controllers) {
        controller->start();
        log::info("controllers", "started {}", controller->name());
    }
    return {};
}

void ControllerManager::stopTerm() {
    std::lock_guard lock(m_mutex);
    if (!m_running) {
        return;
    }
    m_running = false;
    for (const auto& controller : m_controllers) {
        controller->stop();
    }
    m_informers->stop();
    if (m_populate) {
        m_controllers.clear(); // the next term creates its own
    }
    m_informers.reset();
}

void ControllerManager::stop() {
    if (m_elector) {
        m_elector->stop(); // ends the term through onStoppedLeading
        m_elector.reset();
    }
    stopTerm();
}

bool ControllerManager::running() const {
    std::lock_guard lock(m_mutex);
    return m_running;
}

} // namespace pilot::controllers
