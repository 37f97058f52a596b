#include "engine/controllers/hpa/hpacontroller.h"

#include "core/log.h"
#include "engine/controllers/hpa/hpastatus.h"
#include "engine/controllers/hpa/metricsclient.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"
#include "kube/quantity.h"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

namespace pilot::controllers {
namespace json = boost::json;
using hpa::setCondition;
using kube::objectAt;

namespace {

constexpr std::string_view Component = "horizontal-pod-autoscaler";
constexpr std::string_view NamespaceIndex = "namespace";
constexpr int ScaleUpdateAttempts = 5;

int32_t int32At(const json::object* o, std::string_view key) {
    if (o == nullptr) {
        return 0;
    }
    return static_cast<int32_t>(kube::integerAt(*o, key).value_or(0));
}

/// Upstream defaults an empty metrics list to 80% average CPU utilisation.
std::vector<hpa::MetricSpec> metricsOrDefault(const hpa::HpaSpec& spec) {
    if (!spec.metrics.empty()) {
        return spec.metrics;
    }
    hpa::MetricSpec cpu;
    cpu.type = "Resource";
    cpu.name = "cpu";
    cpu.target.type = "Utilization";
    cpu.target.averageUtilization = 80;
    return {cpu};
}

} // namespace

/// One sync of one autoscaler: its copy, whose status is rewritten as the sync goes (as
/// upstream mutates hpa.Status), and the status it started with.
struct HpaController::Sync {
    std::string key;
    json::object hpa;
    json::object originalStatus;
    hpa::HpaSpec spec;
    std::string reference; ///< Kind/namespace/name of the target, for messages.
    TimePoint now{};

    json::object& status() { return hpa["status"].as_object(); }
    [[nodiscard]] std::string ns() const { return std::string(kube::namespaceOf(hpa)); }
};

/// computeReplicasForMetrics' result: `replicas` -1 when nothing can be done; `error` set when
/// some (or all) metrics could not be computed.
struct HpaController::MetricsOutcome {
    int32_t replicas = -1;
    std::string metric;
    std::optional<json::array> statuses;
    std::optional<std::string> error;
};

/// computeReplicasForMetric's result: on failure `error` and the ScalingActive condition that
/// describes it.
struct HpaController::MetricOutcome {
    int32_t replicas = 0;
    std::string metric;
    json::object status;
    std::optional<std::string> error;
    hpa::ConditionDecision condition;
};

HpaController::HpaController(kube::ApiClient& client) : HpaController(client, Options{}) {}

HpaController::HpaController(kube::ApiClient& client, Options options)
    : QueueController(std::string(Component), options.workers), m_client(client),
      m_options(std::move(options)), m_clock(m_options.clock ? *m_options.clock : m_systemClock),
      m_events(client, std::string(Component), m_options.clock), m_targets(client),
      m_history(m_options.downscaleStabilisationWindow) {}

HpaController::~HpaController() {
    stop();
}

void HpaController::stop() {
    QueueController::stop();
    m_events.stop();
}

void HpaController::setUp(SharedInformers& informers) {
    informers.addIndex(kube::resources::Pods, std::string(NamespaceIndex), kube::namespaceIndex());
    m_hpas = &informers.forResource(HorizontalPodAutoscalers);
    m_pods = &informers.forResource(kube::resources::Pods);

    kube::InformerHandlers handlers;
    handlers.onAdd = [this](const kube::ObjectPtr& o) { enqueue(kube::objectKey(*o)); };
    // A spec change is synced at once; status-only changes (our own writes among them) wait for
    // the sync period, so the controller does not chase its own updates.
    handlers.onUpdate = [this](const kube::ObjectPtr& old, const kube::ObjectPtr& o) {
        if (kube::generation(*old) != kube::generation(*o)) {
            enqueue(kube::objectKey(*o));
        }
    };
    handlers.onDelete = [this](const kube::ObjectPtr& o) { enqueue(kube::objectKey(*o)); };
    m_hpas->addHandlers(std::move(handlers));
}

Status HpaController::reconcile(const std::string& key) {
    kube::ObjectPtr object = m_hpas->cache().get(key);
    if (!object) {
        m_history.forget(key);
        {
            std::lock_guard lock(m_selectorsMutex);
            m_selectors.erase(key);
        }
        std::lock_guard lock(m_writtenMutex);
        m_written.erase(key);
        return {};
    }
    Sync s;
    s.key = key;
    s.hpa = newestOf(key, *object);
    s.now = m_clock.now();
    if (const json::object* status = objectAt(s.hpa, "status")) {
        s.originalStatus = *status;
    }
    s.hpa["status"] = s.originalStatus;
    sync(s);

    // Every autoscaler is looked at again after the sync period, whatever happened.
    TimePoint next = s.now + m_options.syncPeriod;
    if (m_options.requeueAt) {
        m_options.requeueAt(key, next);
    } else {
        enqueueAfter(key, next - m_clock.now());
    }
    return {};
}

void HpaController::sync(Sync& s) {
    auto spec = hpa::HpaSpec::fromObject(s.hpa);
    if (!spec) {
        log::warn(Component, "{}: {}", s.key, spec.error().message);
        return;
    }
    s.spec = std::move(*spec);
    s.reference = fmt::format("{}/{}/{}", s.spec.targetKind, s.ns(), s.spec.targetName);

    auto resource = m_targets.resourceFor(s.spec.targetApiVersion, s.spec.targetKind);
    if (!resource) {
        failGetScale(s, resource.error().message);
        return;
    }
    auto scale = m_targets.getScale(*resource, s.ns(), s.spec.targetName);
    if (!scale) {
        failGetScale(s, scale.error().message);
        return;
    }
    setCondition(s.status(), "AbleToScale", "True", "SucceededGetScale",
                 "the HPA controller was able to get the target's current scale", s.now);
    int32_t currentReplicas = int32At(objectAt(*scale, "spec"), "replicas");
    m_history.recordInitialRecommendation(s.key, currentReplicas, s.now);

    std::optional<json::array> metricStatuses;
    int32_t desiredReplicas = 0;
    std::string rescaleReason;
    bool rescale = true;
    int32_t minReplicas = s.spec.minReplicas;

    if (currentReplicas == 0 && minReplicas != 0) {
        // Autoscaling is disabled for this resource.
        desiredReplicas = 0;
        rescale = false;
        setCondition(s.status(), "ScalingActive", "False", "ScalingDisabled",
                     "scaling is disabled since the replica count of the target is zero", s.now);
    } else if (currentReplicas > s.spec.maxReplicas) {
        rescaleReason = "Current number of replicas above Spec.MaxReplicas";
        desiredReplicas = s.spec.maxReplicas;
    } else if (currentReplicas < minReplicas) {
        rescaleReason = "Current number of replicas below Spec.MinReplicas";
        desiredReplicas = minReplicas;
    } else {
        MetricsOutcome computed = replicasForMetrics(s, *scale);
        metricStatuses = computed.statuses;
        if (computed.error && computed.replicas == -1) {
            setStatus(s, currentReplicas, int32At(&s.originalStatus, "desiredReplicas"),
                      metricStatuses, false);
            updateStatusIfNeeded(s);
            m_events.warning(s.hpa, "FailedComputeMetricsReplicas", *computed.error);
            log::warn(Component,
                      "{}: failed to compute desired number of replicas based on listed metrics "
                      "for {}: {}",
                      s.key, s.reference, *computed.error);
            return;
        }
        std::string rescaleMetric;
        if (computed.replicas > desiredReplicas) {
            desiredReplicas = computed.replicas;
            rescaleMetric = computed.metric;
        }
        if (desiredReplicas > currentReplicas) {
            rescaleReason = fmt::format("{} above target", rescaleMetric);
        }
        if (desiredReplicas < currentReplicas) {
            rescaleReason = "All metrics below target";
        }
        hpa::Normalized normalized =
            m_history.normalize(s.key, s.spec, currentReplicas, desiredReplicas, s.now);
        setCondition(s.status(), "AbleToScale", normalized.ableToScale.status,
                     normalized.ableToScale.reason, normalized.ableToScale.message, s.now);
        setCondition(s.status(), "ScalingLimited", normalized.scalingLimited.status,
                     normalized.scalingLimited.reason, normalized.scalingLimited.message, s.now);
        desiredReplicas = normalized.replicas;
        rescale = desiredReplicas != currentReplicas;
    }

    if (rescale) {
        auto updated = this->rescale(s, *resource, *scale, desiredReplicas);
        if (!updated) {
            std::string message = updated.error().message;
            m_events.warning(s.hpa, "FailedRescale",
                             fmt::format("New size: {}; reason: {}; error: {}", desiredReplicas,
                                         rescaleReason, message));
            setCondition(s.status(), "AbleToScale", "False", "FailedUpdateScale",
                         "the HPA controller was unable to update the target scale: " + message,
                         s.now);
            setStatus(s, currentReplicas, int32At(&s.originalStatus, "desiredReplicas"),
                      metricStatuses, false);
            updateStatusIfNeeded(s);
            log::warn(Component, "{}: failed to rescale {}: {}", s.key, s.reference, message);
            return;
        }
        setCondition(s.status(), "AbleToScale", "True", "SucceededRescale",
                     fmt::format("the HPA controller was able to update the target scale to {}",
                                 desiredReplicas),
                     s.now);
        m_events.normal(s.hpa, "SuccessfulRescale",
                        fmt::format("New size: {}; reason: {}", desiredReplicas, rescaleReason));
        m_history.storeScaleEvent(s.key, s.spec.behavior, currentReplicas, desiredReplicas, s.now);
        log::info(Component, "{}: rescaled {} from {} to {}: {}", s.key, s.reference,
                  currentReplicas, desiredReplicas, rescaleReason);
    } else {
        desiredReplicas = currentReplicas;
    }
    setStatus(s, currentReplicas, desiredReplicas, metricStatuses, rescale);
    updateStatusIfNeeded(s);
}

void HpaController::failGetScale(Sync& s, const std::string& message) {
    m_events.warning(s.hpa, "FailedGetScale", message);
    setCondition(s.status(), "AbleToScale", "False", "FailedGetScale",
                 "the HPA controller was unable to get the target's current scale: " + message,
                 s.now);
    updateStatusIfNeeded(s);
    log::warn(Component, "{}: failed to query scale subresource for {}: {}", s.key, s.reference,
              message);
}

Result<kube::LabelSelector> HpaController::selectorFor(Sync& s, const std::string& text) {
    if (text.empty()) {
        std::string message = "selector is required";
        m_events.warning(s.hpa, "SelectorRequired", message);
        setCondition(s.status(), "ScalingActive", "False", "InvalidSelector",
                     "the HPA target's scale is missing a selector", s.now);
        return fail(ErrorCode::InvalidArgument, message);
    }
    auto selector = kube::LabelSelector::parse(text);
    if (!selector) {
        std::string message = "couldn't convert selector into a corresponding internal selector "
                              "object: " +
                              selector.error().message;
        m_events.warning(s.hpa, "InvalidSelector", message);
        setCondition(s.status(), "ScalingActive", "False", "InvalidSelector", message, s.now);
        return fail(ErrorCode::InvalidArgument, message);
    }
    // Pods scaled by two autoscalers would be fought over: both stop.
    hpa::PodList pods = podsFor(s.ns(), *selector);
    std::set<std::string> selecting;
    {
        std::lock_guard lock(m_selectorsMutex);
        m_selectors.insert_or_assign(s.key, *selector);
        for (const auto& [key, other] : m_selectors) {
            if (kube::splitObjectKey(key).first != s.ns()) {
                continue;
            }
            for (const kube::ObjectPtr& pod : pods) {
                if (other.matches(kube::labels(*pod))) {
                    selecting.insert(key);
                    break;
                }
            }
        }
    }
    if (selecting.size() > 1) {
        std::vector<std::string> names(selecting.begin(), selecting.end());
        std::string message =
            fmt::format("pods by selector {} are controlled by multiple HPAs: [{}]", text,
                        fmt::join(names, " "));
        m_events.warning(s.hpa, "AmbiguousSelector", message);
        setCondition(s.status(), "ScalingActive", "False", "AmbiguousSelector", message, s.now);
        return fail(ErrorCode::InvalidArgument, message);
    }
    return std::move(*selector);
}

HpaController::MetricsOutcome HpaController::replicasForMetrics(Sync& s,
                                                                const json::object& scale) {
    MetricsOutcome out;
    const json::object* scaleStatus = objectAt(scale, "status");
    std::string selectorText = kube::stringAt(scaleStatus, "selector");
    auto selector = selectorFor(s, selectorText);
    if (!selector) {
        out.error = selector.error().message;
        return out;
    }
    int32_t specReplicas = int32At(objectAt(scale, "spec"), "replicas");
    std::vector<hpa::MetricSpec> metrics = metricsOrDefault(s.spec);

    int32_t replicas = 0;
    int invalidCount = 0;
    std::optional<std::string> firstError;
    hpa::ConditionDecision firstCondition;
    json::array statuses;
    for (const hpa::MetricSpec& metric : metrics) {
        MetricOutcome one = replicasForMetric(s, metric, specReplicas, *selector);
        if (one.error) {
            if (invalidCount == 0) {
                firstError = one.error;
                firstCondition = one.condition;
            }
            ++invalidCount;
            statuses.emplace_back(json::object{{"type", ""}});
            continue;
        }
        statuses.emplace_back(std::move(one.status));
        if (replicas == 0 || one.replicas > replicas) {
            replicas = one.replicas;
            out.metric = one.metric;
        }
    }
    out.statuses = std::move(statuses);
    if (firstError) {
        out.error = fmt::format("invalid metrics ({} invalid out of {}), first error is: {}",
                                invalidCount, metrics.size(), *firstError);
    }
    // All metrics invalid, or some invalid and the rest would scale down: do nothing.
    if (invalidCount >= static_cast<int>(metrics.size()) ||
        (invalidCount > 0 && replicas < specReplicas)) {
        setCondition(s.status(), "ScalingActive", firstCondition.status, firstCondition.reason,
                     firstCondition.message, s.now);
        out.replicas = -1;
        out.metric.clear();
        return out;
    }
    setCondition(s.status(), "ScalingActive", "True", "ValidMetricFound",
                 "the HPA was able to successfully calculate a replica count from " + out.metric,
                 s.now);
    out.replicas = replicas;
    return out;
}

HpaController::MetricOutcome HpaController::replicasForMetric(Sync& s,
                                                              const hpa::MetricSpec& metric,
                                                              int32_t specReplicas,
                                                              const kube::LabelSelector& selector) {
    if (metric.type == "Resource" || metric.type == "ContainerResource") {
        return replicasForResource(s, metric, specReplicas, selector);
    }
    // No custom or external metrics API is served: these metrics cannot be read.
    MetricOutcome out;
    std::string reason;
    std::string error;
    if (metric.type == "Pods" || metric.type == "Object") {
        reason = metric.type == "Pods" ? "FailedGetPodsMetric" : "FailedGetObjectMetric";
        error = fmt::format("unable to get metric {}: unable to fetch metrics from custom metrics "
                            "API: no custom metrics API (custom.metrics.k8s.io) registered",
                            metric.name);
    } else if (metric.type == "External") {
        reason = "FailedGetExternalMetric";
        error = fmt::format("unable to get external metric {}/{}/nil: unable to fetch metrics "
                            "from external metrics API: no external metrics API "
                            "(external.metrics.k8s.io) registered",
                            s.ns(), metric.name);
    } else {
        reason = "InvalidMetricSourceType";
        error = fmt::format("unknown metric source type \"{}\"", metric.type);
    }
    m_events.warning(s.hpa, reason, error);
    out.condition = {"False", reason, "the HPA was unable to compute the replica count: " + error};
    if (metric.type == "Pods") {
        error = "failed to get pods metric value: " + error;
    } else if (metric.type == "Object") {
        error = "failed to get object metric value: " + error;
    } else if (metric.type == "External") {
        error = fmt::format("failed to get {} external metric: {}", metric.name, error);
    }
    out.error = std::move(error);
    return out;
}

HpaController::MetricOutcome
HpaController::replicasForResource(Sync& s, const hpa::MetricSpec& metric, int32_t specReplicas,
                                   const kube::LabelSelector& selector) {
    bool container = metric.type == "ContainerResource";
    std::string reason = container ? "FailedGetContainerResourceMetric" : "FailedGetResourceMetric";
    MetricOutcome out;
    auto failed = [&](const std::string& error) {
        m_events.warning(s.hpa, reason, error);
        out.condition = {"False", reason,
                         "the HPA was unable to compute the replica count: " + error};
        out.error = container ? fmt::format("failed to get {} container metric value: {}",
                                            metric.container, error)
                              : fmt::format("failed to get {} resource metric value: {}",
                                            metric.name, error);
        return out;
    };
    const hpa::MetricTarget& target = metric.target;
    bool averageValue = target.averageValue.has_value();
    if (!averageValue && !target.averageUtilization) {
        return failed("invalid resource metric source: neither an average utilization target "
                      "nor an average value (usage) target was set");
    }
    std::string_view what = averageValue ? "usage" : "utilization";
    auto fetched = hpa::fetchResourceMetrics(m_client, s.ns(), selector.toString(), metric.name,
                                             metric.container);
    if (!fetched) {
        return failed(fmt::format("failed to get {} {}: unable to get metrics for resource {}: {}",
                                  metric.name, what, metric.name, fetched.error().message));
    }
    hpa::PodList pods = podsFor(s.ns(), selector);
    json::object current;
    if (averageValue) {
        auto computed = hpa::averageValueReplicas(specReplicas, target.averageValue->milliValue(),
                                                  metric.name, std::move(fetched->metrics), pods,
                                                  s.now, m_options.calculator);
        if (!computed) {
            return failed(
                fmt::format("failed to get {} usage: {}", metric.name, computed.error().message));
        }
        out.replicas = computed->replicas;
        out.metric = fmt::format("{} resource", metric.name);
        current["averageValue"] = kube::Quantity::fromMilli(computed->usage).toString();
    } else {
        auto computed = hpa::utilizationReplicas(
            specReplicas, *target.averageUtilization, metric.name, metric.container,
            std::move(fetched->metrics), pods, s.now, m_options.calculator);
        if (!computed) {
            return failed(fmt::format("failed to get {} utilization: {}", metric.name,
                                      computed.error().message));
        }
        out.replicas = computed->replicas;
        out.metric = fmt::format("{} {}resource utilization (percentage of request)", metric.name,
                                 container ? "container " : "");
        current["averageUtilization"] = computed->utilization;
        current["averageValue"] = kube::Quantity::fromMilli(computed->rawUtilization).toString();
    }
    if (container) {
        out.status =
            json::object{{"type", "ContainerResource"},
                         {"containerResource", json::object{{"name", metric.name},
                                                            {"container", metric.container},
                                                            {"current", std::move(current)}}}};
    } else {
        out.status = json::object{
            {"type", "Resource"},
            {"resource", json::object{{"name", metric.name}, {"current", std::move(current)}}}};
    }
    return out;
}

Result<json::object> HpaController::rescale(Sync& s, const kube::ApiResource& resource,
                                            json::object scale, int32_t replicas) {
    for (int attempt = 1;; ++attempt) {
        if (!scale["spec"].is_object()) {
            scale["spec"] = json::object();
        }
        scale["spec"].as_object()["replicas"] = replicas;
        auto updated = m_targets.updateScale(resource, scale);
        if (updated) {
            return std::move(*updated);
        }
        if (!kube::isConflict(updated.error()) || attempt == ScaleUpdateAttempts) {
            return std::unexpected(updated.error().toError());
        }
        auto latest = m_targets.getScale(resource, s.ns(), s.spec.targetName);
        if (!latest) {
            return std::unexpected(updated.error().toError());
        }
        scale = std::move(*latest);
    }
}

void HpaController::setStatus(Sync& s, int32_t currentReplicas, int32_t desiredReplicas,
                              const std::optional<json::array>& metrics, bool rescaled) {
    json::object& old = s.status();
    json::object status;
    if (currentReplicas != 0) {
        status["currentReplicas"] = currentReplicas;
    }
    status["desiredReplicas"] = desiredReplicas;
    if (rescaled) {
        status["lastScaleTime"] = formatTime(s.now);
    } else if (const json::value* last = old.if_contains("lastScaleTime")) {
        status["lastScaleTime"] = *last;
    }
    if (metrics && !metrics->empty()) {
        status["currentMetrics"] = *metrics;
    }
    if (const json::value* conditions = old.if_contains("conditions")) {
        status["conditions"] = *conditions;
    }
    status["observedGeneration"] = kube::generation(s.hpa);
    old = std::move(status);
}

void HpaController::updateStatusIfNeeded(Sync& s) {
    if (kube::jsonEqual(s.originalStatus, s.status())) {
        return;
    }
    auto written = m_client.updateStatus(HorizontalPodAutoscalers, s.hpa);
    if (!written && kube::isConflict(written.error())) {
        // The cached copy was older than our last write: put the status on the newest one.
        auto latest = m_client.get(HorizontalPodAutoscalers, s.ns(), kube::name(s.hpa));
        if (latest) {
            (*latest)["status"] = s.status();
            written = m_client.updateStatus(HorizontalPodAutoscalers, *latest);
        }
    }
    if (!written) {
        if (kube::isNotFound(written.error())) {
            return;
        }
        m_events.warning(s.hpa, "FailedUpdateStatus", written.error().message);
        log::warn(Component, "{}: failed to update status: {}", s.key, written.error().message);
        return;
    }
    std::lock_guard lock(m_writtenMutex);
    m_written[s.key] = std::move(*written);
}

json::object HpaController::newestOf(const std::string& key, const json::object& cached) {
    auto version = [](const json::object& o) {
        std::string_view text = kube::resourceVersion(o);
        uint64_t value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        return ec == std::errc() && end == text.data() + text.size() ? value : 0;
    };
    std::lock_guard lock(m_writtenMutex);
    auto written = m_written.find(key);
    if (written == m_written.end()) {
        return cached;
    }
    if (kube::uid(written->second) == kube::uid(cached) &&
        version(written->second) > version(cached)) {
        return written->second;
    }
    m_written.erase(written); // the cache caught up
    return cached;
}

hpa::PodList HpaController::podsFor(std::string_view ns,
                                    const kube::LabelSelector& selector) const {
    hpa::PodList pods;
    for (const kube::ObjectPtr& pod : m_pods->cache().byIndex(NamespaceIndex, ns)) {
        if (selector.matches(kube::labels(*pod))) {
            pods.push_back(pod);
        }
    }
    std::sort(pods.begin(), pods.end(), [](const kube::ObjectPtr& a, const kube::ObjectPtr& b) {
        return kube::name(*a) < kube::name(*b);
    });
    return pods;
}

} // namespace pilot::controllers
