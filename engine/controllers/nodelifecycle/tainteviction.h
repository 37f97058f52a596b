#pragma once

#include "core/clock.h"
#include "engine/controllers/common/eventrecorder.h"
#include "engine/controllers/framework/controller.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

#include <boost/json/object.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace pilot::controllers {

/// Deletes pods from nodes with NoExecute taints they do not tolerate, as upstream's taint
/// eviction controller (component `taint-eviction-controller`): a pod that does not tolerate
/// every NoExecute taint of its node is deleted at once; one whose tolerations all carry
/// `tolerationSeconds` is deleted when the shortest of them has passed (counted from when the
/// taints were seen); one tolerating them forever stays. Before deleting, it records a
/// TaintManagerEviction Event "Marking for deletion Pod ns/name" and adds the pod condition
/// DisruptionTarget (reason DeletionByTaintManager); a scheduled deletion that no longer applies
/// is cancelled with "Cancelling deletion of Pod ns/name". Deletions wait on the clock, not on
/// polling.
class TaintEvictionController : public QueueController {
public:
    struct Options {
        int workers = 2;
        const Clock* clock = nullptr; ///< null: the system clock. Must be thread-safe.
        /// Called for a look at `key` at time `at` on the clock (a scheduled deletion is due).
        /// null: the queue's own timer (right with the system clock); tests that move a manual
        /// clock enqueue the key themselves once they pass it.
        std::function<void(const std::string& key, TimePoint at)> requeueAt;
    };

    explicit TaintEvictionController(kube::ApiClient& client);
    TaintEvictionController(kube::ApiClient& client, Options options);
    ~TaintEvictionController() override;

    void setUp(SharedInformers& informers) override;
    void stop() override;

    /// Carries out the scheduled deletions that are due now.
    void resync();

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    /// A scheduled deletion; `done` once carried out (kept so it is not scheduled twice).
    struct Work {
        TimePoint createdAt;
        TimePoint fireAt;
        bool done = false;
    };

    void requeueAt(const std::string& key, TimePoint at);
    void handleNodeUpdate(const std::string& name);
    void handlePodUpdate(const std::string& podKey);
    [[nodiscard]] Status fire(const std::string& podKey);
    void processPodOnNode(const std::string& podKey, const boost::json::object& pod,
                          const std::vector<boost::json::object>& taints, TimePoint now);
    void addWork(const std::string& podKey, TimePoint createdAt, TimePoint fireAt);
    void cancelWork(const std::string& podKey);
    [[nodiscard]] Status evict(const std::string& podKey);

    kube::ApiClient& m_client;
    Options m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;
    EventRecorder m_events;
    kube::Informer* m_nodes = nullptr;
    kube::Informer* m_pods = nullptr;

    std::mutex m_mutex;
    std::map<std::string, std::vector<boost::json::object>> m_taintedNodes; // NoExecute taints
    std::map<std::string, Work> m_work;                                     // by pod key
};

} // namespace pilot::controllers
