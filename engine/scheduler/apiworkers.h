#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

namespace pilot::scheduler {

/// A small pool for the scheduler's API writes (bindings, events, status patches, evictions)
/// so the scheduling loop never waits on the API server. Jobs with the same key (a pod) run on
/// the same worker in submission order; different pods run in parallel.
class ApiWorkers {
public:
    explicit ApiWorkers(int workers);
    ~ApiWorkers();
    ApiWorkers(const ApiWorkers&) = delete;
    ApiWorkers& operator=(const ApiWorkers&) = delete;

    void start();
    /// Finishes the jobs running now, drops the queued ones and joins the threads.
    void stop();
    void submit(std::string_view key, std::function<void()> job);
    /// Jobs queued or running.
    [[nodiscard]] size_t pending() const;

private:
    struct Worker {
        std::mutex mutex;
        std::condition_variable ready;
        std::deque<std::function<void()>> jobs;
        size_t running = 0;
        bool stopping = false;
        std::thread thread;
    };
    void run(Worker& worker);

    std::vector<std::unique_ptr<Worker>> m_workers;
};

} // namespace pilot::scheduler
