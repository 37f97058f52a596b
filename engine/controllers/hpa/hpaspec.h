#pragma once

#include "core/error.h"
#include "kube/quantity.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pilot::controllers::hpa {

/// autoscaling/v2 MetricTarget: what a metric is compared with.
struct MetricTarget {
    std::string type; ///< `Utilization`, `AverageValue` or `Value`.
    std::optional<int32_t> averageUtilization;
    std::optional<kube::Quantity> averageValue;
    std::optional<kube::Quantity> value;
};

/// One entry of spec.metrics. For Resource and ContainerResource metrics `name` is the resource
/// (`cpu`, `memory`) and `container` the container (ContainerResource only); for Pods, Object and
/// External metrics `name` is the metric's name.
struct MetricSpec {
    std::string type; ///< `Resource`, `ContainerResource`, `Pods`, `Object` or `External`.
    std::string name;
    std::string container;
    MetricTarget target;
};

struct ScalingPolicy {
    std::string type; ///< `Pods` or `Percent`.
    int32_t value = 0;
    int32_t periodSeconds = 0;
};

/// HPAScalingRules with the API server's defaults applied, except a scale-down stabilisation
/// window left unset, which the controller fills with its own default (300 s).
struct ScalingRules {
    std::optional<int32_t> stabilizationWindowSeconds;
    std::string selectPolicy = "Max"; ///< `Max`, `Min` or `Disabled`.
    std::vector<ScalingPolicy> policies;
};

struct Behavior {
    ScalingRules scaleUp;
    ScalingRules scaleDown;
};

/// The parts of an autoscaling/v2 HorizontalPodAutoscaler spec the controller acts on.
struct HpaSpec {
    std::string targetApiVersion;
    std::string targetKind;
    std::string targetName;
    int32_t minReplicas = 1;
    int32_t maxReplicas = 0;
    std::vector<MetricSpec> metrics;
    /// Set when spec.behavior is, with upstream's defaults (SetDefaults_HorizontalPodAutoscaler
    /// Behavior) filled in: scale up 0 s window, policies 4 Pods and 100 Percent per 15 s, Max;
    /// scale down policy 100 Percent per 15 s, Max.
    std::optional<Behavior> behavior;

    /// Reads `hpa.spec`. InvalidArgument naming the field when a quantity does not parse.
    [[nodiscard]] static Result<HpaSpec> fromObject(const boost::json::object& hpa);
};

} // namespace pilot::controllers::hpa
