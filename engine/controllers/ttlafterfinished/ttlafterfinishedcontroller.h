#pragma once

#include "core/clock.h"
#include "engine/controllers/framework/controller.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

#include <boost/json/object.hpp>

#include <functional>
#include <optional>
#include <string>

namespace pilot::controllers {

/// Deletes finished Jobs `ttlSecondsAfterFinished` after they finished, as upstream's
/// TTL-after-finished controller: the finish time is the Complete/Failed condition's
/// lastTransitionTime; a Job is looked at again exactly when its TTL runs out, re-read from the
/// API before it goes, and deleted with propagationPolicy Foreground (its pods go first) and
/// its uid as a precondition.
class TtlAfterFinishedController : public QueueController {
public:
    struct Options {
        int workers = 1;
        const Clock* clock = nullptr; ///< null: the system clock. Must be thread-safe.
        /// Called for a look at `key` at `at` on the clock; null: the queue's own timer. Tests
        /// moving a manual clock enqueue the key themselves once they pass `at`.
        std::function<void(const std::string& key, TimePoint at)> requeueAt;
    };

    explicit TtlAfterFinishedController(kube::ApiClient& client);
    TtlAfterFinishedController(kube::ApiClient& client, Options options);
    ~TtlAfterFinishedController() override;

    void setUp(SharedInformers& informers) override;

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    void onJob(const kube::ObjectPtr& job);
    /// processTTL: when the TTL has run out, the time it did; otherwise schedules a look at
    /// expiry and returns nullopt (also for Jobs that need no clean-up).
    [[nodiscard]] Result<std::optional<TimePoint>> processTtl(const boost::json::object& job);

    kube::ApiClient& m_client;
    Options m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;
    kube::Informer* m_jobs = nullptr;
};

} // namespace pilot::controllers
