#include "engine/scheduler/apiworkers.h"
#include "core/threadname.h"

#include <algorithm>

namespace pilot::scheduler {

ApiWorkers::ApiWorkers(int workers) {
    for (int i = 0; i < std::max(1, workers); ++i) {
        m_workers.push_back(std::make_unique<Worker>());
    }
}

ApiWorkers::~ApiWorkers() {
    stop();
}

void ApiWorkers::start() {
    for (auto& worker : m_workers) {
        if (!worker->thread.joinable()) {
            Worker* w = worker.get();
            {
                std::lock_guard lock(w->mutex);
                w->stopping = false;
            }
            worker->thread = std::thread([this, w] {
                setThreadName("sched-binder");
                run(*w);
            });
        }
    }
}

void ApiWorkers::stop() {
    for (auto& worker : m_workers) {
        {
            std::lock_guard lock(worker->mutex);
            worker->stopping = true;
            worker->jobs.clear();
        }
        worker->ready.notify_all();
    }
    for (auto& worker : m_workers) {
        if (worker->thread.joinable()) {
            worker->thread.join();
        }
    }
}

void ApiWorkers::submit(std::string_view key, std::function<void()> job) {
    Worker& worker = *m_workers[std::hash<std::string_view>{}(key) % m_workers.size()];
    {
        std::lock_guard lock(worker.mutex);
        if (worker.stopping) {
            return;
        }
        worker.jobs.push_back(std::move(job));
    }
    worker.ready.notify_one();
}

size_t ApiWorkers::pending() const {
    size_t total = 0;
    for (const auto& worker : m_workers) {
        std::lock_guard lock(worker->mutex);
        total += worker->jobs.size() + worker->running;
    }
    return total;
}

void ApiWorkers::run(Worker& worker) {
    while (true) {
        std::function<void()> job;
        {
            std::unique_lock lock(worker.mutex);
            worker.ready.wait(lock, [&] { return worker.stopping || !worker.jobs.empty(); });
            if (worker.stopping) {
                return;
            }
            job = std::move(worker.jobs.front());
            worker.jobs.pop_front();
            ++worker.running;
        }
        job();
        std::lock_guard lock(worker.mutex);
        --worker.running;
    }
}

} // namespace pilot::scheduler
