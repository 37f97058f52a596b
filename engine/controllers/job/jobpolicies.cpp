#include "engine/controllers/job/jobpolicies.h"

#include "engine/controllers/job/backoff.h"
#include "engine/controllers/job/jobutil.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace pilot::controllers::job {
namespace json = boost::json;

namespace {

/// getMatchingContainerFromList: the first terminated container with a non-zero exit code the
/// requirement selects.
const json::object* matchingContainer(const json::array* statuses,
                                      const json::object& requirement) {
    if (statuses == nullptr) {
        return nullptr;
    }
    std::string containerName = kube::stringAt(requirement, "containerName");
    std::string op = kube::stringAt(requirement, "operator");
    std::vector<int64_t> values;
    if (const json::array* v = kube::arrayAt(requirement, "values")) {
        for (const json::value& x : *v) {
            if (auto n = kube::asInteger(x)) {
                values.push_back(*n);
            }
        }
    }
    for (const json::value& s : *statuses) {
        const json::object* status = s.if_object();
        const json::object* terminated =
            kube::objectAt(kube::objectAt(status, "state"), "terminated");
        if (terminated == nullptr) {
            continue; // still terminating: no exit code to match
        }
        if (!containerName.empty() && kube::stringAt(*status, "name") != containerName) {
            continue;
        }
        int64_t exitCode = kube::integerAt(*terminated, "exitCode").value_or(0);
        if (exitCode == 0) {
            continue;
        }
        bool listed = std::ranges::find(values, exitCode) != values.end();
        if ((op == "In" && listed) || (op == "NotIn" && !listed)) {
            return status;
        }
    }
    return nullptr;
}

const json::object* matchingCondition(const json::object& podStatus, const json::array& patterns) {
    const json::array* conditions = kube::arrayAt(podStatus, "conditions");
    if (conditions == nullptr) {
        return nullptr;
    }
    for (const json::value& c : *conditions) {
        const json::object* condition = c.if_object();
        if (condition == nullptr) {
            continue;
        }
        for (const json::value& p : patterns) {
            if (!p.is_object()) {
                continue;
            }
            std::string status = kube::stringAt(p.get_object(), "status");
            if (kube::stringAt(*condition, "type") == kube::stringAt(p.get_object(), "type") &&
                kube::stringAt(*condition, "status") == (status.empty() ? "True" : status)) {
                return condition;
            }
        }
    }
    return nullptr;
}

/// matchSucceededIndexesRule over two interval lists.
bool matchSucceededIndexes(const OrderedIntervals& rule, const OrderedIntervals& succeeded,
                           std::optional<int64_t> succeededCount) {
    const auto& r = rule.intervals();
    const auto& s = succeeded.intervals();
    size_t ri = 0;
    size_t si = 0;
    int64_t contains = 0;
    while (ri < r.size() && si < s.size()) {
        int overlap = std::min(r[ri].last, s[si].last) - std::max(r[ri].first, s[si].first) + 1;
        if (overlap > 0) {
            contains += overlap;
        }
        if (s[si].last < r[ri].last) {
            ++si;
        } else if (s[si].last > r[ri].last) {
            ++ri;
        } else {
            ++si;
            ++ri;
        }
    }
    return contains == rule.total() || (succeededCount && contains >= *succeededCount);
}

} // namespace

PodFailurePolicyMatch matchPodFailurePolicy(const json::object* policy, const json::object& pod) {
    PodFailurePolicyMatch out;
    const json::array* rules = policy ? kube::arrayAt(*policy, "rules") : nullptr;
    if (rules == nullptr) {
        return out;
    }
    static const json::object NoStatus;
    const json::object* podStatus = kube::objectAt(pod, "status");
    const json::object& status = podStatus ? *podStatus : NoStatus;
    for (size_t index = 0; index < rules->size(); ++index) {
        const json::object* rule = (*rules)[index].if_object();
        if (rule == nullptr) {
            continue;
        }
        std::string action = kube::stringAt(*rule, "action");
        std::string message;
        if (const json::object* onExitCodes = kube::objectAt(*rule, "onExitCodes")) {
            const json::object* container =
                matchingContainer(kube::arrayAt(status, "containerStatuses"), *onExitCodes);
            if (container == nullptr) {
                container =
                    matchingContainer(kube::arrayAt(status, "initContainerStatuses"), *onExitCodes);
            }
            if (container == nullptr) {
                continue;
            }
            message = fmt::format(
                "Container {} for pod {}/{} failed with exit code {} matching {} rule at index {}",
                kube::stringAt(*container, "name"), kube::namespaceOf(pod), kube::name(pod),
                kube::integerAt(*kube::objectAt(kube::objectAt(container, "state"), "terminated"),
                                "exitCode")
                    .value_or(0),
                action, index);
        } else if (const json::array* onConditions = kube::arrayAt(*rule, "onPodConditions")) {
            const json::object* condition = matchingCondition(status, *onConditions);
            if (condition == nullptr) {
                continue;
            }
            message = fmt::format("Pod {}/{} has condition {} matching {} rule at index {}",
                                  kube::namespaceOf(pod), kube::name(pod),
                                  kube::stringAt(*condition, "type"), action, index);
        } else {
            continue;
        }
        if (action == "Ignore") {
            out.countFailed = false;
            out.action = action;
            return out;
        }
        if (action == "FailJob") {
            out.failJobMessage = std::move(message);
            out.action = action;
            return out;
        }
        if (action == "Count" || action == "FailIndex") {
            out.action = action;
            return out;
        }
    }
    return out;
}

namespace {

int64_t annotationCount(const json::object& pod, std::string_view key) {
    std::optional<std::string_view> text = kube::annotation(pod, key);
    if (!text) {
        return 0;
    }
    int64_t value = 0;
    for (char c : *text) {
        if (c < '0' || c > '9') {
            return 0; // upstream logs and treats a corrupt count as 0
        }
        value = value * 10 + (c - '0');
        if (value > std::numeric_limits<int32_t>::max()) {
            return 0; // and so one beyond int32
        }
    }
    return text->empty() ? 0 : value;
}

} // namespace

bool isIndexFailed(const json::object* failurePolicy, int64_t backoffLimitPerIndex,
                   const json::object& pod, bool podFailed) {
    if (!podFailed) {
        return false;
    }
    bool counted = true;
    if (failurePolicy != nullptr) {
        PodFailurePolicyMatch match = matchPodFailurePolicy(failurePolicy, pod);
        if (match.action == "FailIndex") {
            return true;
        }
        counted = match.countFailed;
    }
    return counted && annotationCount(pod, IndexFailureCountAnnotation) >= backoffLimitPerIndex;
}

std::pair<int64_t, int64_t> newIndexFailureCounts(const json::object* failurePolicy,
                                                  const json::object* lastFailed) {
    if (lastFailed == nullptr) {
        return {0, 0};
    }
    int64_t failures = annotationCount(*lastFailed, IndexFailureCountAnnotation);
    int64_t ignored = annotationCount(*lastFailed, IndexIgnoredFailureCountAnnotation);
    if (failurePolicy == nullptr || matchPodFailurePolicy(failurePolicy, *lastFailed).countFailed) {
        ++failures;
    } else {
        ++ignored;
    }
    return {failures, ignored};
}

int64_t indexAbsoluteFailureCount(const json::object& pod) {
    return annotationCount(pod, IndexFailureCountAnnotation) +
           annotationCount(pod, IndexIgnoredFailureCountAnnotation);
}

std::map<int, kube::ObjectPtr>
podsWithDelayedDeletionPerIndex(const std::vector<kube::ObjectPtr>& pods,
                                const std::vector<kube::ObjectPtr>& activePods,
                                const std::set<std::string>& expectedRmFinalizers, int completions,
                                const OrderedIntervals& succeeded, const OrderedIntervals& failed,
                                const std::function<bool(const json::object&)>& isFailed) {
    // A failed pod of an index with an active pod can go: the active pod carries the count.
    std::set<int> activeIndexes;
    for (const kube::ObjectPtr& pod : activePods) {
        if (int ix = completionIndex(*pod); ix != UnknownCompletionIndex) {
            activeIndexes.insert(ix);
        }
    }
    std::map<int, kube::ObjectPtr> delayed;
    for (const kube::ObjectPtr& pod : pods) {
        // getValidPodsWithFilter: not counted yet, a valid index.
        if (!hasTrackingFinalizer(*pod) ||
            expectedRmFinalizers.contains(std::string(kube::uid(*pod)))) {
            continue;
        }
        int ix = completionIndex(*pod);
        if (ix == UnknownCompletionIndex || ix >= completions || !isFailed(*pod) ||
            succeeded.has(ix) || failed.has(ix) || activeIndexes.contains(ix)) {
            continue;
        }
        auto [it, inserted] = delayed.emplace(ix, pod);
        if (!inserted &&
            indexAbsoluteFailureCount(*it->second) <= indexAbsoluteFailureCount(*pod) &&
            !(podFinishedTime(*pod) < podFinishedTime(*it->second))) {
            it->second = pod;
        }
    }
    return delayed;
}

std::optional<std::string> matchSuccessPolicy(const json::object* policy, int completions,
                                              const OrderedIntervals& succeeded) {
    const json::array* rules = policy ? kube::arrayAt(*policy, "rules") : nullptr;
    if (rules == nullptr || succeeded.total() == 0) {
        return std::nullopt;
    }
    for (size_t index = 0; index < rules->size(); ++index) {
        const json::object* rule = (*rules)[index].if_object();
        if (rule == nullptr) {
            continue;
        }
        std::optional<int64_t> count = kube::integerAt(*rule, "succeededCount");
        if (rule->contains("succeededIndexes")) {
            OrderedIntervals required =
                OrderedIntervals::parse(kube::stringAt(*rule, "succeededIndexes"), completions);
            if (required.total() == 0) {
                continue;
            }
            if (matchSucceededIndexes(required, succeeded, count)) {
                return fmt::format("Matched rules at index {}", index);
            }
        } else if (count && succeeded.total() >= *count) {
            return fmt::format("Matched rules at index {}", index);
        }
    }
    return std::nullopt;
}

} // namespace pilot::controllers::job
