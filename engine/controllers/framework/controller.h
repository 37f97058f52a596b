#pragma once

#include "engine/controllers/framework/sharedinformers.h"
#include "kube/client/workqueue.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace pilot::controllers {

/// A control loop run by the ControllerManager. Set up before the informers start, started
/// once they have synced, stopped before they stop.
class Controller {
public:
    virtual ~Controller() = default;
    [[nodiscard]] virtual std::string name() const = 0;
    /// Adds the informers, indexes and event handlers the controller needs.
    virtual void setUp(SharedInformers& informers) = 0;
    virtual void start() = 0;
    virtual void stop() = 0;
};

/// The usual shape of a controller: informer handlers enqueue object keys (`ns/name`), workers
/// reconcile one key at a time; a failed key is retried with the queue's rate-limited back-off,
/// a reconciled one is forgotten. Subclasses implement setUp() and reconcile().
class QueueController : public Controller {
public:
    QueueController(std::string name, int workers);
    ~QueueController() override;

    [[nodiscard]] std::string name() const override { return m_name; }
    void start() override;
    void stop() override;

    /// Enqueues a key (from handlers, or to look again later with `after`).
    void enqueue(const std::string& key);
    void enqueueAfter(const std::string& key, std::chrono::nanoseconds after);
    /// Handlers that enqueue the key (`ns/name`) of every object added, updated or deleted:
    /// the usual ones for the controller's own kind (replace a member to do more).
    [[nodiscard]] kube::InformerHandlers enqueueHandlers();

protected:
    /// Brings the object `key` to its desired state. An error is logged and the key retried
    /// with back-off; success clears the back-off.
    [[nodiscard]] virtual Status reconcile(const std::string& key) = 0;

    [[nodiscard]] kube::WorkQueue& queue() { return m_queue; }

private:
    void work();

    std::string m_name;
    int m_workerCount;
    kube::WorkQueue m_queue;
    std::vector<std::thread> m_workers;
};

} // namespace pilot::controllers
