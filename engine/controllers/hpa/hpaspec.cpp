#include "engine/controllers/hpa/hpaspec.h"

#include "kube/jsonutil.h"

#include <fmt/format.h>

namespace pilot::controllers::hpa {
namespace json = boost::json;
using kube::objectAt;

namespace {

constexpr int32_t DefaultScalePeriodSeconds = 15;

std::optional<int32_t> int32At(const json::object* o, std::string_view key) {
    if (o == nullptr) {
        return std::nullopt;
    }
    auto v = kube::integerAt(*o, key);
    if (!v) {
        return std::nullopt;
    }
    return static_cast<int32_t>(*v);
}

Result<std::optional<kube::Quantity>> quantityAt(const json::object* o, std::string_view key,
                                                 const std::string& field) {
    const json::value* v = o ? o->if_contains(key) : nullptr;
    if (v == nullptr || v->is_null()) {
        return std::optional<kube::Quantity>();
    }
    auto q = kube::Quantity::fromJson(*v);
    if (!q) {
        return fail(ErrorCode::InvalidArgument, fmt::format("{}: {}", field, q.error().message));
    }
    return std::optional<kube::Quantity>(*q);
}

Result<MetricTarget> targetOf(const json::object* source, const std::string& field) {
    const json::object* target = objectAt(source, "target");
    MetricTarget t;
    t.type = kube::stringAt(target, "type");
    t.averageUtilization = int32At(target, "averageUtilization");
    auto average = quantityAt(target, "averageValue", field + ".target.averageValue");
    if (!average) {
        return std::unexpected(average.error());
    }
    t.averageValue = *average;
    auto value = quantityAt(target, "value", field + ".target.value");
    if (!value) {
        return std::unexpected(value.error());
    }
    t.value = *value;
    return t;
}

/// Upstream's defaults for one direction with the user's fields laid over them
/// (copyHPAScalingRules).
ScalingRules rulesOf(const json::object* rules, ScalingRules defaults) {
    if (rules == nullptr) {
        return defaults;
    }
    if (auto window = int32At(rules, "stabilizationWindowSeconds")) {
        defaults.stabilizationWindowSeconds = window;
    }
    if (std::string policy = kube::stringAt(*rules, "selectPolicy"); !policy.empty()) {
        defaults.selectPolicy = std::move(policy);
    }
    if (const json::array* policies = kube::arrayAt(*rules, "policies")) {
        defaults.policies.clear();
        for (const json::value& p : *policies) {
            const json::object* policy = p.if_object();
            if (policy == nullptr) {
                continue;
            }
            defaults.policies.push_back({kube::stringAt(*policy, "type"),
                                         int32At(policy, "value").value_or(0),
                                         int32At(policy, "periodSeconds").value_or(0)});
        }
    }
    return defaults;
}

Behavior behaviorOf(const json::object& behavior) {
    ScalingRules up;
    up.stabilizationWindowSeconds = 0;
    up.policies = {{"Pods", 4, DefaultScalePeriodSeconds},
                   {"Percent", 100, DefaultScalePeriodSeconds}};
    ScalingRules down;
    down.policies = {{"Percent", 100, DefaultScalePeriodSeconds}};
    return Behavior{rulesOf(objectAt(behavior, "scaleUp"), std::move(up)),
                    rulesOf(objectAt(behavior, "scaleDown"), std::move(down))};
}

} // namespace

Result<HpaSpec> HpaSpec::fromObject(const json::object& hpa) {
    const json::object* spec = objectAt(hpa, "spec");
    HpaSpec out;
    const json::object* ref = objectAt(spec, "scaleTargetRef");
    out.targetApiVersion = kube::stringAt(ref, "apiVersion");
    out.targetKind = kube::stringAt(ref, "kind");
    out.targetName = kube::stringAt(ref, "name");
    out.minReplicas = int32At(spec, "minReplicas").value_or(1);
    out.maxReplicas = int32At(spec, "maxReplicas").value_or(0);
    if (const json::array* metrics = spec ? kube::arrayAt(*spec, "metrics") : nullptr) {
        for (size_t i = 0; i < metrics->size(); ++i) {
            const json::object* m = (*metrics)[i].if_object();
            if (m == nullptr) {
                continue;
            }
            MetricSpec metric;
            metric.type = kube::stringAt(*m, "type");
            std::string member;
            if (metric.type == "Resource") {
                member = "resource";
            } else if (metric.type == "ContainerResource") {
                member = "containerResource";
            } else if (metric.type == "Pods") {
                member = "pods";
            } else if (metric.type == "Object") {
                member = "object";
            } else if (metric.type == "External") {
                member = "external";
            }
            const json::object* source = member.empty() ? nullptr : objectAt(*m, member);
            if (metric.type == "Resource" || metric.type == "ContainerResource") {
                metric.name = kube::stringAt(source, "name");
                metric.container = kube::stringAt(source, "container");
            } else {
                metric.name = kube::stringAt(objectAt(source, "metric"), "name");
            }
            auto target = targetOf(source, fmt::format("spec.metrics[{}].{}", i, member));
            if (!target) {
                return std::unexpected(target.error());
            }
            metric.target = std::move(*target);
            out.metrics.push_back(std::move(metric));
        }
    }
    if (const json::object* behavior = objectAt(spec, "behavior")) {
        out.behavior = behaviorOf(*behavior);
    }
    return out;
}

} // namespace pilot::controllers::hpa
