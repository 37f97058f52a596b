#include "kube/types/conversion.h"

#include "kube/jsonutil.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace pilot::kube {
namespace json = boost::json;

namespace {

constexpr std::string_view MetricsAnnotation = "autoscaling.alpha.kubernetes.io/metrics";
constexpr std::string_view BehaviorAnnotation = "autoscaling.alpha.kubernetes.io/behavior";
constexpr std::string_view ConditionsAnnotation = "autoscaling.alpha.kubernetes.io/conditions";
constexpr std::string_view CurrentMetricsAnnotation =
    "autoscaling.alpha.kubernetes.io/current-metrics";

bool isCpuUtilization(const json::value& metric) {
    const json::object* m = metric.if_object();
    if (!m || stringAt(*m, "type") != "Resource") {
        return false;
    }
    const json::object* resource = objectAt(*m, "resource");
    const json::object* target = resource ? objectAt(*resource, "target") : nullptr;
    return resource && stringAt(*resource, "name") == "cpu" && target &&
           stringAt(*target, "type") == "Utilization" && target->contains("averageUtilization");
}

bool isCpuCurrent(const json::value& metric) {
    const json::object* m = metric.if_object();
    if (!m || stringAt(*m, "type") != "Resource") {
        return false;
    }
    const json::object* resource = objectAt(*m, "resource");
    const json::object* current = resource ? objectAt(*resource, "current") : nullptr;
    return resource && stringAt(*resource, "name") == "cpu" && current &&
           current->contains("averageUtilization");
}

/// Moves an annotation holding JSON into `target[field]`; drops the annotation.
void takeAnnotation(json::object& meta, std::string_view key, json::object& target,
                    std::string_view field) {
    json::object* annotations = mutableObject(meta, "annotations");
    if (!annotations) {
        return;
    }
    if (const json::value* v = annotations->if_contains(key); v && v->is_string()) {
        boost::system::error_code ec;
        json::value parsed = parseJsonText(v->get_string(), ec);
        if (!ec) {
            target[field] = std::move(parsed);
        }
    }
    annotations->erase(key);
    if (annotations->empty()) {
        meta.erase("annotations");
    }
}

void putAnnotation(json::object& object, std::string_view key, const json::value& value) {
    json::object* meta = ensureObject(object, "metadata");
    json::object* annotations = meta ? ensureObject(*meta, "annotations") : nullptr;
    if (annotations) {
        (*annotations)[key] = json::serialize(value);
    }
}

json::object hpaV2ToV1(json::object hpa) {
    if (json::object* spec = mutableObject(hpa, "spec")) {
        json::array others;
        if (const json::array* metrics = arrayAt(*spec, "metrics")) {
            for (const json::value& m : *metrics) {
                if (isCpuUtilization(m) && !spec->contains("targetCPUUtilizationPercentage")) {
                    (*spec)["targetCPUUtilizationPercentage"] =
                        m.at("resource").at("target").at("averageUtilization");
                } else {
                    others.push_back(m);
                }
            }
        }
        json::value behavior;
        if (const json::value* b = spec->if_contains("behavior")) {
            behavior = *b;
        }
        spec->erase("metrics");
        spec->erase("behavior");
        // Annotations last: inserting into `hpa` may move what `spec` points to.
        if (!others.empty()) {
            putAnnotation(hpa, MetricsAnnotation, others);
        }
        if (!behavior.is_null()) {
            putAnnotation(hpa, BehaviorAnnotation, behavior);
        }
    }
    if (json::object* status = ensureObject(hpa, "status")) {
        // Not omitempty in v1: a new HPA reads {"currentReplicas":0,"desiredReplicas":0}.
        setDefault(*status, "currentReplicas", 0);
        setDefault(*status, "desiredReplicas", 0);
        json::array others;
        if (const json::array* current = arrayAt(*status, "currentMetrics")) {
            for (const json::value& m : *current) {
                if (isCpuCurrent(m) && !status->contains("currentCPUUtilizationPercentage")) {
                    (*status)["currentCPUUtilizationPercentage"] =
                        m.at("resource").at("current").at("averageUtilization");
                } else {
                    others.push_back(m);
                }
            }
        }
        json::value conditions;
        if (const json::value* c = status->if_contains("conditions")) {
            conditions = *c;
        }
        status->erase("currentMetrics");
        status->erase("conditions");
        if (!others.empty()) {
            putAnnotation(hpa, CurrentMetricsAnnotation, others);
        }
        if (conditions.is_array() && !conditions.get_array().empty()) {
            putAnnotation(hpa, ConditionsAnnotation, conditions);
        }
    }
    return hpa;
}

json::object hpaV1ToV2(json::object hpa) {
    json::object* meta = mutableObject(hpa, "metadata");
    json::object fromSpec;
    json::object fromStatus;
    if (meta) {
        takeAnnotation(*meta, MetricsAnnotation, fromSpec, "metrics");
        takeAnnotation(*meta, BehaviorAnnotation, fromSpec, "behavior");
        takeAnnotation(*meta, CurrentMetricsAnnotation, fromStatus, "currentMetrics");
        takeAnnotation(*meta, ConditionsAnnotation, fromStatus, "conditions");
    }
    if (json::object* spec = mutableObject(hpa, "spec")) {
        json::array metrics;
        if (const json::value* cpu = spec->if_contains("targetCPUUtilizationPercentage")) {
            metrics.push_back(json::object{
                {"type", "Resource"},
                {"resource",
                 {{"name", "cpu"},
                  {"target", {{"type", "Utilization"}, {"averageUtilization", *cpu}}}}}});
        }
        if (json::array* others =
                fromSpec.contains("metrics") ? fromSpec["metrics"].if_array() : nullptr) {
            for (json::value& m : *others) {
                metrics.push_back(std::move(m));
            }
        }
        spec->erase("targetCPUUtilizationPercentage");
        if (!metrics.empty()) {
            (*spec)["metrics"] = std::move(metrics);
        }
        if (json::value* behavior = fromSpec.if_contains("behavior")) {
            (*spec)["behavior"] = std::move(*behavior);
        }
    }
    json::object* status = mutableObject(hpa, "status");
    if (status || !fromStatus.empty()) {
        json::object& s = status ? *status : hpa["status"].emplace_object();
        json::array current;
        if (const json::value* cpu = s.if_contains("currentCPUUtilizationPercentage")) {
            current.push_back(json::object{
                {"type", "Resource"},
                {"resource", {{"name", "cpu"}, {"current", {{"averageUtilization", *cpu}}}}}});
        }
        if (json::array* others = fromStatus.contains("currentMetrics")
                                      ? fromStatus["currentMetrics"].if_array()
                                      : nullptr) {
            for (json::value& m : *others) {
                current.push_back(std::move(m));
            }
        }
        s.erase("currentCPUUtilizationPercentage");
        if (!current.empty()) {
            s["currentMetrics"] = std::move(current);
        }
        if (json::value* conditions = fromStatus.if_contains("conditions")) {
            s["conditions"] = std::move(*conditions);
        }
    }
    return hpa;
}

/// core/v1 Event field <-> events.k8s.io/v1 Event field (the rest keep their names).
constexpr std::pair<std::string_view, std::string_view> EventFields[] = {
    {"involvedObject", "regarding"},
    {"message", "note"},
    {"source", "deprecatedSource"},
    {"firstTimestamp", "deprecatedFirstTimestamp"},
    {"lastTimestamp", "deprecatedLastTimestamp"},
    {"count", "deprecatedCount"},
    {"reportingComponent", "reportingController"},
};

json::object renameEventFields(json::object event, bool toEventsGroup) {
    for (const auto& [core, events] : EventFields) {
        std::string_view from = toEventsGroup ? core : events;
        std::string_view to = toEventsGroup ? events : core;
        if (json::value* v = event.if_contains(from)) {
            json::value moved = std::move(*v);
            event.erase(from);
            if (!moved.is_null()) {
                event[to] = std::move(moved);
            }
        }
    }
    return event;
}

std::string_view groupOf(std::string_view apiVersion) {
    auto slash = apiVersion.find('/');
    return slash == std::string_view::npos ? std::string_view() : apiVersion.substr(0, slash);
}

std::string_view versionOf(std::string_view apiVersion) {
    auto slash = apiVersion.find('/');
    return slash == std::string_view::npos ? apiVersion : apiVersion.substr(slash + 1);
}

} // namespace

bool needsConversion(std::string_view kind, std::string_view fromApiVersion,
                     std::string_view toApiVersion) {
    if (kind == "HorizontalPodAutoscaler") {
        return (versionOf(fromApiVersion) == "v1") != (versionOf(toApiVersion) == "v1");
    }
    if (kind == "Event") {
        return groupOf(fromApiVersion) != groupOf(toApiVersion);
    }
    return false;
}

json::object convertObject(json::object object, std::string_view toApiVersion) {
    std::string from = stringAt(object, "apiVersion");
    std::string kind = stringAt(object, "kind");
    if (from != toApiVersion && needsConversion(kind, from, toApiVersion)) {
        if (kind == "Event") {
            object = renameEventFields(std::move(object), groupOf(toApiVersion) == "events.k8s.io");
        } else {
            object = versionOf(toApiVersion) == "v1" ? hpaV2ToV1(std::move(object))
                                                     : hpaV1ToV2(std::move(object));
        }
    }
    object["apiVersion"] = toApiVersion;
    return object;
}

} // namespace pilot::kube
