#include "engine/controllers/namespace/namespaceconditions.h"

#include "kube/jsonutil.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

struct ConditionType {
    std::string_view type;
    std::string_view okReason;
    std::string_view okMessage;
};

constexpr std::array<ConditionType, 5> ConditionTypes{{
    {"NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered",
     "All resources successfully discovered"},
    {"NamespaceDeletionGroupVersionParsingFailure", "ParsedGroupVersions",
     "All legacy kube types successfully parsed"},
    {"NamespaceDeletionContentFailure", "ContentDeleted",
     "All content successfully deleted, may be waiting on finalization"},
    {"NamespaceContentRemaining", "ContentRemoved", "All content successfully removed"},
    {"NamespaceFinalizersRemaining", "ContentHasNoFinalizers",
     "All content-preserving finalizers finished"},
}};

struct Failure {
    std::string reason;
    std::string message;
};

std::map<std::string_view, Failure> failuresOf(const NamespaceDeletionReport& report) {
    std::map<std::string_view, Failure> out;
    if (report.discoveryError) {
        out["NamespaceDeletionDiscoveryFailure"] = {"DiscoveryFailed", *report.discoveryError};
    }
    if (!report.deleteErrors.empty()) {
        std::vector<std::string> messages = report.deleteErrors;
        std::ranges::sort(messages);
        out["NamespaceDeletionContentFailure"] = {
            "ContentDeletionFailed",
            fmt::format("Failed to delete all resource types, {} remaining: {}", messages.size(),
                        fmt::join(messages, ", "))};
    }
    std::vector<std::string> resources;
    for (const auto& [resource, count] : report.remainingByResource) {
        if (count > 0) {
            resources.push_back(fmt::format("{} has {} resource instances", resource, count));
        }
    }
    if (!report.remainingByResource.empty()) {
        std::ranges::sort(resources);
        out["NamespaceContentRemaining"] = {
            "SomeResourcesRemain",
            fmt::format("Some resources are remaining: {}", fmt::join(resources, ", "))};
    }
    std::vector<std::string> finalizers;
    for (const auto& [finalizer, count] : report.remainingByFinalizer) {
        if (count > 0) {
            finalizers.push_back(fmt::format("{} in {} resource instances", finalizer, count));
        }
    }
    if (!report.remainingByFinalizer.empty()) {
        std::ranges::sort(finalizers);
        out["NamespaceFinalizersRemaining"] = {
            "SomeFinalizersRemain",
            fmt::format("Some content in the namespace has finalizers remaining: {}",
                        fmt::join(finalizers, ", "))};
    }
    return out;
}

} // namespace

bool updateNamespaceConditions(json::array& conditions, const NamespaceDeletionReport& report,
                               TimePoint now) {
    std::map<std::string_view, Failure> failures = failuresOf(report);
    bool changed = false;
    for (const ConditionType& type : ConditionTypes) {
        std::string status = "False";
        std::string reason(type.okReason);
        std::string message(type.okMessage);
        if (auto failure = failures.find(type.type); failure != failures.end()) {
            status = "True";
            reason = failure->second.reason;
            message = failure->second.message;
        }
        auto existing = std::ranges::find_if(conditions, [&](const json::value& c) {
            return c.is_object() && kube::stringAt(c.get_object(), "type") == type.type;
        });
        if (existing == conditions.end()) {
            conditions.emplace_back(json::object{{"type", type.type},
                                                 {"status", status},
                                                 {"lastTransitionTime", formatTime(now)},
                                                 {"reason", reason},
                                                 {"message", message}});
            changed = true;
            continue;
        }
        json::object& condition = existing->as_object();
        if (kube::stringAt(condition, "status") == status &&
            kube::stringAt(condition, "reason") == reason &&
            kube::stringAt(condition, "message") == message) {
            continue;
        }
        if (kube::stringAt(condition, "status") != status) {
            condition["lastTransitionTime"] = formatTime(now);
        }
        condition["status"] = status;
        condition["reason"] = reason;
        condition["message"] = message;
        changed = true;
    }
    return changed;
}

} // namespace pilot::controllers
