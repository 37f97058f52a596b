#include "engine/controllers/framework/controllermanager.h"

#include "core/log.h"

namespace pilot::controllers {

ControllerManager::ControllerManager(kube::ApiClient& client) : m_informers(client) {}

ControllerManager::~ControllerManager() {
    stop();
}

void ControllerManager::add(std::unique_ptr<Controller> controller) {
    m_controllers.push_back(std::move(controller));
}

Status ControllerManager::start(std::chrono::seconds syncTimeout) {
    for (const auto& controller : m_controllers) {
        controller->setUp(m_informers);
    }
    m_informers.start();
    m_started = true;
    if (!m_informers.waitForSync(std::chrono::steady_clock::now() + syncTimeout)) {
        return fail(ErrorCode::Unavailable, "the controllers' informers did not sync");
    }
    for (const auto& controller : m_controllers) {
        controller->start();
        log::info("controllers", "started {}", controller->name());
    }
    return {};
}

void ControllerManager::stop() {
    if (!m_started) {
        return;
    }
    m_started = false;
    for (const auto& controller : m_controllers) {
        controller->stop();
    }
    m_informers.stop();
}

} // namespace pilot::controllers
