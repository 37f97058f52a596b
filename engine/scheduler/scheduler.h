#pragma once

#include "core/clock.h"
#include "engine/controllers/framework/controller.h"
#include "engine/scheduler/apiworkers.h"
#include "engine/scheduler/eventrecorder.h"
#include "engine/scheduler/genericscheduler.h"
#include "engine/scheduler/preemption.h"
#include "engine/scheduler/schedulercache.h"
#include "engine/scheduler/schedulingqueue.h"
#include "engine/scheduler/volumebinding.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace pilot::scheduler {

/// scheduling.k8s.io/v1 PriorityClasses.
inline const kube::ApiResource PriorityClasses{"scheduling.k8s.io", "v1", "priorityclasses", false};

struct SchedulerOptions {
    /// Pods with another spec.schedulerName are left alone.
    std::string schedulerName{DefaultSchedulerName};
    AlgorithmOptions algorithm;
    SchedulingQueue::Options queue;
    /// Threads writing to the API (bindings, events, status, evictions).
    int apiWorkers = 4;
    /// Time source for the queue's back-off and timestamps (null: the system clock).
    const Clock* clock = nullptr;
    /// How long PreBind waits for a pod's WaitForFirstConsumer claims to be bound
    /// (upstream's bindTimeoutSeconds).
    std::chrono::milliseconds volumeBindTimeout{600000};
};

/// The kube-scheduler equivalent, as a Controller the ControllerManager runs:
///
///     manager.add(std::make_unique<scheduler::Scheduler>(client, options));
///
/// Informers on pods, nodes, namespaces and PriorityClasses feed a SchedulingQueue (pending
/// pods) and a SchedulerCache (nodes with their bound and assumed pods). One scheduling thread
/// pops pods, filters and scores nodes (GenericScheduler), assumes the pod on the chosen node
/// and hands the binding to ApiWorkers; pods that fit nowhere get a FailedScheduling event and
/// a PodScheduled=False condition, and may preempt lower-priority pods. All API access goes
/// through the given kube::ApiClient.
class Scheduler final : public controllers::Controller {
public:
    explicit Scheduler(kube::ApiClient& client, SchedulerOptions options = {});
    ~Scheduler() override;
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    [[nodiscard]] std::string name() const override { return "scheduler"; }
    void setUp(controllers::SharedInformers& informers) override;
    void start() override;
    void stop() override;

    struct Stats {
        uint64_t attempts = 0;      ///< scheduling cycles run
        uint64_t assumed = 0;       ///< pods placed and sent for binding
        uint64_t bound = 0;         ///< bindings the API server accepted
        uint64_t bindFailures = 0;  ///< bindings it refused
        uint64_t unschedulable = 0; ///< attempts that found no node
        uint64_t preemptions = 0;   ///< attempts that nominated a node by evicting pods
    };
    [[nodiscard]] Stats stats() const;
    [[nodiscard]] SchedulingQueue::Sizes queueSizes() const { return m_queue.sizes(); }

private:
    /// A change for the cache, handed from informer and API threads to the scheduling thread.
    struct CacheOp {
        enum class Kind {
            UpsertNode,
            RemoveNode,
            AddOrUpdatePod,
            RemovePod,
            ForgetPod,
            SetNomination,
            ClearNomination,
            SetNamespace,
            RemoveNamespace,
        };
        Kind kind;
        PodInfoPtr pod;
        NodeSpecPtr node;
        std::string name; ///< node, uid or namespace
        boost::json::object labels;
    };

    void post(CacheOp op);
    void applyInbox();
    void run();
    void scheduleOne(QueuedPodInfo info);
    void handleFailure(QueuedPodInfo info, CycleOutcome outcome, int64_t cycle);
    void bind(QueuedPodInfo info, PodInfoPtr assumed, PodVolumes volumes, NodeSpecPtr node);
    void bindToNode(QueuedPodInfo info, PodInfoPtr assumed);
    void bindingFailed(const QueuedPodInfo& info, const std::string& node, std::string message);

    void onPodAdd(const kube::ObjectPtr& object);
    void onPodUpdate(const kube::ObjectPtr& previous, const kube::ObjectPtr& object);
    void onPodDelete(const kube::ObjectPtr& last);
    [[nodiscard]] bool responsibleFor(const PodInfo& pod) const;
    [[nodiscard]] std::optional<int32_t> priorityOf(std::string_view className) const;

    kube::ApiClient& m_client;
    SchedulerOptions m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;
    SchedulingQueue m_queue;
    SchedulerCache m_cache; // scheduling thread only
    GenericScheduler m_algorithm;
    Preemptor m_preemptor;
    EventRecorder m_recorder;
    ApiWorkers m_workers;
    VolumeBinding m_volumeBinding;
    PriorityResolver m_resolver;

    std::mutex m_inboxMutex;
    std::vector<CacheOp> m_inbox;

    mutable std::mutex m_priorityMutex;
    std::unordered_map<std::string, int32_t> m_priorityClasses;

    std::thread m_thread;
    std::atomic<bool> m_running{false};

    std::atomic<uint64_t> m_attempts{0};
    std::atomic<uint64_t> m_assumed{0};
    std::atomic<uint64_t> m_bound{0};
    std::atomic<uint64_t> m_bindFailures{0};
    std::atomic<uint64_t> m_unschedulable{0};
    std::atomic<uint64_t> m_preemptions{0};
};

} // namespace pilot::scheduler
