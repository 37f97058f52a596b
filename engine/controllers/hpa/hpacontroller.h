#pragma once

#include "core/clock.h"
#include "engine/controllers/common/eventrecorder.h"
#include "engine/controllers/framework/controller.h"
#include "engine/controllers/hpa/hpaspec.h"
#include "engine/controllers/hpa/replicacalculator.h"
#include "engine/controllers/hpa/scalehistory.h"
#include "engine/controllers/hpa/scaletarget.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"
#include "kube/labelselector.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace pilot::controllers {

inline const kube::ApiResource HorizontalPodAutoscalers{"autoscaling", "v2",
                                                        "horizontalpodautoscalers", true};

/// The HorizontalPodAutoscaler controller, as kube-controller-manager's podautoscaler (Kubernetes
/// 1.32): every autoscaling/v2 HPA is synced when it is added or its spec changes and then every
/// sync period (15 s). A sync reads the target's scale subresource, computes a replica count per
/// metric (Resource and ContainerResource cpu/memory from metrics.k8s.io PodMetrics, Utilization
/// of the pods' requests or AverageValue; the 10% tolerance; missing and unready pods as
/// upstream), takes the highest, stabilises and limits it (minReplicas/maxReplicas, a
/// spec.behavior's policies and windows, 5 minutes of scale-down stabilisation by default),
/// writes the scale and the status (currentReplicas, desiredReplicas, lastScaleTime,
/// currentMetrics, observedGeneration, the AbleToScale / ScalingActive / ScalingLimited
/// conditions) and records upstream's Events (SuccessfulRescale, FailedGetScale,
/// FailedGetResourceMetric, FailedComputeMetricsReplicas, ...). A target scaled to 0 disables
/// autoscaling. Pods, Object and External metrics count as metrics that cannot be read: no
/// custom or external metrics API is served.
class HpaController : public QueueController {
public:
    struct Options {
        int workers = 1;
        const Clock* clock = nullptr; ///< null: the system clock. Must be thread-safe.
        /// --horizontal-pod-autoscaler-sync-period.
        std::chrono::seconds syncPeriod = std::chrono::seconds(15);
        /// --horizontal-pod-autoscaler-downscale-stabilization.
        std::chrono::seconds downscaleStabilisationWindow = std::chrono::minutes(5);
        hpa::CalculatorOptions calculator;
        /// Called for the next sync of `key` at `at` on the clock, at the end of every sync;
        /// null: the queue's own timer. Tests moving a manual clock enqueue the key themselves.
        std::function<void(const std::string& key, TimePoint at)> requeueAt;
    };

    explicit HpaController(kube::ApiClient& client);
    HpaController(kube::ApiClient& client, Options options);
    ~HpaController() override;

    void setUp(SharedInformers& informers) override;
    void stop() override;

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    struct Sync;
    struct MetricsOutcome;
    struct MetricOutcome;

    void sync(Sync& s);
    void failGetScale(Sync& s, const std::string& message);
    [[nodiscard]] MetricsOutcome replicasForMetrics(Sync& s, const boost::json::object& scale);
    /// The scale's selector, parsed and claimed for this autoscaler; fails (with the condition
    /// and Event set) when missing, malformed, or shared with another autoscaler's pods.
    [[nodiscard]] Result<kube::LabelSelector> selectorFor(Sync& s, const std::string& text);
    [[nodiscard]] MetricOutcome replicasForMetric(Sync& s, const hpa::MetricSpec& metric,
                                                  int32_t specReplicas,
                                                  const kube::LabelSelector& selector);
    [[nodiscard]] MetricOutcome replicasForResource(Sync& s, const hpa::MetricSpec& metric,
                                                    int32_t specReplicas,
                                                    const kube::LabelSelector& selector);
    [[nodiscard]] Result<boost::json::object> rescale(Sync& s, const kube::ApiResource& resource,
                                                      boost::json::object scale, int32_t replicas);
    void setStatus(Sync& s, int32_t currentReplicas, int32_t desiredReplicas,
                   const std::optional<boost::json::array>& metrics, bool rescaled);
    void updateStatusIfNeeded(Sync& s);
    [[nodiscard]] boost::json::object newestOf(const std::string& key,
                                               const boost::json::object& cached);
    [[nodiscard]] hpa::PodList podsFor(std::string_view ns,
                                       const kube::LabelSelector& selector) const;

    kube::ApiClient& m_client;
    Options m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;
    EventRecorder m_events;
    hpa::ScaleTargets m_targets;
    hpa::ScaleHistory m_history;
    kube::Informer* m_hpas = nullptr;
    kube::Informer* m_pods = nullptr;
    std::mutex m_selectorsMutex;
    std::map<std::string, kube::LabelSelector> m_selectors; // by HPA key, once read
    /// The autoscaler as our last status write returned it: used instead of the informer's copy
    /// while that copy is older (the watch event has not arrived yet), so a sync never works
    /// from, or writes back, a status older than its own last one.
    std::mutex m_writtenMutex;
    std::map<std::string, boost::json::object> m_written; // by HPA key
};

} // namespace pilot::controllers
