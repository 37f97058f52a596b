#pragma once

#include "core/clock.h"
#include "engine/controllers/common/eventrecorder.h"
#include "engine/controllers/endpoints/triggertimetracker.h"
#include "engine/controllers/framework/controller.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace pilot::controllers {

/// Keeps an Endpoints object named after every Service with a selector, as upstream's
/// endpoints controller (component `endpoint-controller`): subsets from the selected pods
/// (computeSubsets), labels copied from the Service plus `service.kubernetes.io/headless` when
/// it has no cluster IP, the `endpoints.kubernetes.io/last-change-trigger-time` annotation,
/// truncation to 1000 addresses with `endpoints.kubernetes.io/over-capacity: truncated`. Writes
/// only when subsets, labels or the capacity annotation differ. Deletes the Endpoints when the
/// Service goes (and, once at start, Endpoints left without a Service). Services without a
/// selector and ExternalName Services are left alone. Failed writes record
/// FailedToCreateEndpoint / FailedToUpdateEndpoint Events.
class EndpointsController : public QueueController {
public:
    struct Options {
        int workers = 2;
        /// Delay of syncs caused by pod changes, so bursts of them make one write.
        std::chrono::milliseconds updatesBatchPeriod{0};
        const Clock* clock = nullptr; ///< null: the system clock. Must be thread-safe.
    };

    explicit EndpointsController(kube::ApiClient& client);
    EndpointsController(kube::ApiClient& client, Options options);
    ~EndpointsController() override;

    void setUp(SharedInformers& informers) override;
    /// Starts the workers and queues every existing Endpoints, so leftovers are deleted.
    void start() override;
    void stop() override;

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    void enqueuePodServices(const kube::ObjectPtr& pod);
    [[nodiscard]] Status removeEndpoints(const std::string& key);
    [[nodiscard]] Status write(const boost::json::object& service, boost::json::object endpoints,
                               bool create, const std::string& previousVersion);

    kube::ApiClient& m_client;
    Options m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;
    EventRecorder m_events;
    TriggerTimeTracker m_triggers;
    kube::Informer* m_services = nullptr;
    kube::Informer* m_pods = nullptr;
    kube::Informer* m_endpoints = nullptr;

    // The resourceVersion each Endpoints had before this controller's last update of it: seen
    // again in the informer, it means the cache has not caught up yet.
    std::mutex m_staleMutex;
    std::map<std::string, std::string> m_staleVersions;
};

} // namespace pilot::controllers
