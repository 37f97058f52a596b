#include "engine/controllers/framework/controller.h"
#include "core/threadname.h"

#include "core/log.h"
#include "kube/objectmeta.h"

namespace pilot::controllers {

QueueController::QueueController(std::string name, int workers)
    : m_name(std::move(name)), m_workerCount(workers) {}

QueueController::~QueueController() {
    stop();
}

void QueueController::start() {
    for (int i = 0; i < m_workerCount; ++i) {
        m_workers.emplace_back([this] {
            setThreadName(m_name);
            work();
        });
    }
}

void QueueController::stop() {
    m_queue.shutDown();
    for (std::thread& worker : m_workers) {
        if (worker.joinable()) {
            worker.join();
        }
    }
    m_workers.clear();
}

void QueueController::enqueue(const std::string& key) {
    m_queue.add(key);
}

void QueueController::enqueueAfter(const std::string& key, std::chrono::nanoseconds after) {
    m_queue.addAfter(key, after);
}

void QueueController::work() {
    while (auto key = m_queue.get()) {
        Status status = reconcile(*key);
        if (status) {
            m_queue.forget(*key);
        } else {
            log::warn(m_name, "{}: {} (retrying)", *key, status.error().message);
            m_queue.addRateLimited(*key);
        }
        m_queue.done(*key);
    }
}

kube::InformerHandlers QueueController::enqueueHandlers() {
    kube::InformerHandlers handlers;
    handlers.onAdd = [this](const kube::ObjectPtr& object) { enqueue(kube::objectKey(*object)); };
    handlers.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr& object) {
        enqueue(kube::objectKey(*object));
    };
    handlers.onDelete = [this](const kube::ObjectPtr& object) {
        enqueue(kube::objectKey(*object));
    };
    return handlers;
}

} // namespace pilot::controllers
