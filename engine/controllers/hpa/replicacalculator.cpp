#include "engine/controllers/hpa/replicacalculator.h"

#include "kube/jsonutil.h"
#include "kube/objectmeta.h"
#include "kube/quantity.h"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <cmath>

namespace pilot::controllers::hpa {
namespace json = boost::json;
using kube::objectAt;

namespace {

const json::object* readyCondition(const json::object& pod) {
    const json::object* status = objectAt(pod, "status");
    const json::array* conditions = status ? kube::arrayAt(*status, "conditions") : nullptr;
    if (conditions == nullptr) {
        return nullptr;
    }
    for (const json::value& c : *conditions) {
        const json::object* condition = c.if_object();
        if (condition && kube::stringAt(*condition, "type") == "Ready") {
            return condition;
        }
    }
    return nullptr;
}

std::optional<TimePoint> timeAt(const json::object* o, std::string_view key) {
    std::string text = kube::stringAt(o, key);
    if (text.empty()) {
        return std::nullopt;
    }
    auto t = parseTime(text);
    return t ? std::optional<TimePoint>(*t) : std::nullopt;
}

bool withinTolerance(double usageRatio, const CalculatorOptions& options) {
    return std::fabs(1.0 - usageRatio) <= options.tolerance;
}

int32_t ceilReplicas(double value) {
    return static_cast<int32_t>(std::ceil(value));
}

struct UtilizationRatio {
    double ratio = 0;
    int32_t utilization = 0;
    int64_t rawAverage = 0;
};

/// metricsclient.GetResourceUtilizationRatio.
Result<UtilizationRatio> utilizationRatio(const PodMetricsInfo& metrics,
                                          const std::map<std::string, int64_t>& requests,
                                          int32_t targetUtilization) {
    int64_t metricsTotal = 0;
    int64_t requestsTotal = 0;
    int64_t entries = 0;
    for (const auto& [pod, metric] : metrics) {
        auto request = requests.find(pod);
        if (request == requests.end()) {
            continue; // extraneous metrics
        }
        metricsTotal += metric.value;
        requestsTotal += request->second;
        ++entries;
    }
    if (requestsTotal == 0) {
        return fail(ErrorCode::InvalidArgument, "no metrics returned matched known pods");
    }
    UtilizationRatio out;
    out.utilization = static_cast<int32_t>(metricsTotal * 100 / requestsTotal);
    out.ratio = static_cast<double>(out.utilization) / static_cast<double>(targetUtilization);
    out.rawAverage = metricsTotal / entries;
    return out;
}

/// metricsclient.GetMetricUsageRatio.
std::pair<double, int64_t> usageRatio(const PodMetricsInfo& metrics, int64_t targetUsage) {
    int64_t total = 0;
    for (const auto& [pod, metric] : metrics) {
        total += metric.value;
    }
    int64_t current = metrics.empty() ? 0 : total / static_cast<int64_t>(metrics.size());
    return {static_cast<double>(current) / static_cast<double>(targetUsage), current};
}

void removeMetrics(PodMetricsInfo& metrics, const std::set<std::string>& pods) {
    for (const std::string& pod : pods) {
        metrics.erase(pod);
    }
}

} // namespace

PodGroups groupPods(const PodList& pods, const PodMetricsInfo& metrics, std::string_view resource,
                    TimePoint now, const CalculatorOptions& options) {
    PodGroups groups;
    for (const kube::ObjectPtr& pod : pods) {
        std::string name(kube::name(*pod));
        const json::object* status = objectAt(*pod, "status");
        std::string phase = kube::stringAt(status, "phase");
        if (kube::hasDeletionTimestamp(*pod) || phase == "Failed" || phase == "Succeeded") {
            groups.ignored.insert(name);
            continue;
        }
        if (phase == "Pending") {
            groups.unready.insert(name);
            continue;
        }
        auto metric = metrics.find(name);
        if (metric == metrics.end()) {
            groups.missing.insert(name);
            continue;
        }
        if (resource == "cpu") {
            bool unready = false;
            const json::object* condition = readyCondition(*pod);
            std::optional<TimePoint> started = timeAt(status, "startTime");
            if (condition == nullptr || !started) {
                unready = true;
            } else {
                bool conditionFalse = kube::stringAt(*condition, "status") == "False";
                TimePoint transition =
                    timeAt(condition, "lastTransitionTime").value_or(TimePoint{});
                if (*started + options.cpuInitializationPeriod > now) {
                    // Still possibly initialising: ignore the sample while unready, or when no
                    // whole metric window passed since the last readiness change.
                    unready = conditionFalse ||
                              metric->second.timestamp <
                                  transition + std::chrono::duration_cast<TimePoint::duration>(
                                                   metric->second.window);
                } else {
                    // Ignore it only if it is unready and has never been ready.
                    unready = conditionFalse &&
                              *started + options.delayOfInitialReadinessStatus > transition;
                }
            }
            if (unready) {
                groups.unready.insert(name);
                continue;
            }
        }
        ++groups.readyPodCount;
    }
    return groups;
}

Result<std::map<std::string, int64_t>> podRequests(const PodList& pods, std::string_view container,
                                                   std::string_view resource) {
    std::map<std::string, int64_t> requests;
    for (const kube::ObjectPtr& pod : pods) {
        const json::object* spec = objectAt(*pod, "spec");
        std::vector<const json::object*> containers;
        if (const json::array* list = spec ? kube::arrayAt(*spec, "containers") : nullptr) {
            for (const json::value& c : *list) {
                if (const json::object* o = c.if_object()) {
                    containers.push_back(o);
                }
            }
        }
        if (const json::array* init = spec ? kube::arrayAt(*spec, "initContainers") : nullptr) {
            for (const json::value& c : *init) {
                const json::object* o = c.if_object();
                if (o && kube::stringAt(*o, "restartPolicy") == "Always") {
                    containers.push_back(o);
                }
            }
        }
        int64_t sum = 0;
        for (const json::object* c : containers) {
            std::string name = kube::stringAt(*c, "name");
            if (!container.empty() && container != name) {
                continue;
            }
            const json::object* resources = objectAt(*c, "resources");
            const json::object* requested = objectAt(resources, "requests");
            const json::value* value = requested ? requested->if_contains(resource) : nullptr;
            std::optional<int64_t> request;
            if (value != nullptr && !value->is_null()) {
                if (auto quantity = kube::Quantity::fromJson(*value)) {
                    request = quantity->milliValue();
                }
            }
            if (!request) {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("missing request for {} in container {} of Pod {}",
                                        resource, name, kube::name(*pod)));
            }
            sum += *request;
        }
        requests[std::string(kube::name(*pod))] = sum;
    }
    return requests;
}

Result<UtilizationReplicas> utilizationReplicas(int32_t currentReplicas, int32_t targetUtilization,
                                                std::string_view resource,
                                                std::string_view container, PodMetricsInfo metrics,
                                                const PodList& pods, TimePoint now,
                                                const CalculatorOptions& options) {
    if (pods.empty()) {
        return fail(ErrorCode::NotFound,
                    "no pods returned by selector while calculating replica count");
    }
    PodGroups groups = groupPods(pods, metrics, resource, now, options);
    removeMetrics(metrics, groups.ignored);
    removeMetrics(metrics, groups.unready);
    if (metrics.empty()) {
        return fail(ErrorCode::NotFound,
                    "did not receive metrics for targeted pods (pods might be unready)");
    }
    auto requests = podRequests(pods, container, resource);
    if (!requests) {
        return std::unexpected(requests.error());
    }
    auto ratio = utilizationRatio(metrics, *requests, targetUtilization);
    if (!ratio) {
        return std::unexpected(ratio.error());
    }
    UtilizationReplicas out{currentReplicas, ratio->utilization, ratio->rawAverage};

    bool scaleUpWithUnready = !groups.unready.empty() && ratio->ratio > 1.0;
    if (!scaleUpWithUnready && groups.missing.empty()) {
        if (!withinTolerance(ratio->ratio, options)) {
            out.replicas = ceilReplicas(ratio->ratio * groups.readyPodCount);
        }
        return out;
    }
    if (!groups.missing.empty()) {
        for (const std::string& pod : groups.missing) {
            if (ratio->ratio < 1.0) {
                metrics[pod] = PodMetric{(*requests)[pod], {}, {}}; // 100% on a scale down
            } else if (ratio->ratio > 1.0) {
                metrics[pod] = PodMetric{0, {}, {}}; // 0% on a scale up
            }
        }
    }
    if (scaleUpWithUnready) {
        for (const std::string& pod : groups.unready) {
            metrics[pod] = PodMetric{0, {}, {}};
        }
    }
    auto rerun = utilizationRatio(metrics, *requests, targetUtilization);
    if (!rerun) {
        return std::unexpected(rerun.error());
    }
    double newRatio = rerun->ratio;
    if (withinTolerance(newRatio, options) || (ratio->ratio < 1.0 && newRatio > 1.0) ||
        (ratio->ratio > 1.0 && newRatio < 1.0)) {
        return out; // too small a change, or the assumptions turned the direction around
    }
    int32_t replicas = ceilReplicas(newRatio * static_cast<double>(metrics.size()));
    if ((newRatio < 1.0 && replicas > currentReplicas) ||
        (newRatio > 1.0 && replicas < currentReplicas)) {
        return out;
    }
    out.replicas = replicas;
    return out;
}

Result<UsageReplicas> averageValueReplicas(int32_t currentReplicas, int64_t targetUsage,
                                           std::string_view resource, PodMetricsInfo metrics,
                                           const PodList& pods, TimePoint now,
                                           const CalculatorOptions& options) {
    if (pods.empty()) {
        return fail(ErrorCode::NotFound,
                    "no pods returned by selector while calculating replica count");
    }
    PodGroups groups = groupPods(pods, metrics, resource, now, options);
    removeMetrics(metrics, groups.ignored);
    removeMetrics(metrics, groups.unready);
    if (metrics.empty()) {
        return fail(ErrorCode::NotFound,
                    "did not receive metrics for targeted pods (pods might be unready)");
    }
    auto [ratio, usage] = usageRatio(metrics, targetUsage);
    UsageReplicas out{currentReplicas, usage};

    bool scaleUpWithUnready = !groups.unready.empty() && ratio > 1.0;
    if (!scaleUpWithUnready && groups.missing.empty()) {
        if (!withinTolerance(ratio, options)) {
            out.replicas = ceilReplicas(ratio * groups.readyPodCount);
        }
        return out;
    }
    if (!groups.missing.empty()) {
        for (const std::string& pod : groups.missing) {
            if (ratio < 1.0) {
                metrics[pod] = PodMetric{targetUsage, {}, {}};
            } else if (ratio > 1.0) {
                metrics[pod] = PodMetric{0, {}, {}};
            }
        }
    }
    if (scaleUpWithUnready) {
        for (const std::string& pod : groups.unready) {
            metrics[pod] = PodMetric{0, {}, {}};
        }
    }
    double newRatio = usageRatio(metrics, targetUsage).first;
    if (withinTolerance(newRatio, options) || (ratio < 1.0 && newRatio > 1.0) ||
        (ratio > 1.0 && newRatio < 1.0)) {
        return out;
    }
    int32_t replicas = ceilReplicas(newRatio * static_cast<double>(metrics.size()));
    if ((newRatio < 1.0 && replicas > currentReplicas) ||
        (newRatio > 1.0 && replicas < currentReplicas)) {
        return out;
    }
    out.replicas = replicas;
    return out;
}

} // namespace pilot::controllers::hpa
