#include "engine/controllers/replicaset/podranking.h"

#include "engine/controllers/common/podutil.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <string>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

constexpr std::string_view DeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost";

std::string nodeName(const json::object& pod) {
    return kube::stringAt(kube::objectAt(pod, "spec"), "nodeName");
}

int phaseOrdinal(const json::object& pod) {
    std::string phase = kube::stringAt(kube::objectAt(pod, "status"), "phase");
    if (phase == "Unknown") {
        return 1;
    }
    if (phase == "Running") {
        return 2;
    }
    return 0; // Pending, and anything unexpected, as a missing map entry upstream.
}

int32_t deletionCost(const json::object& pod) {
    auto text = kube::annotation(pod, DeletionCostAnnotation);
    if (!text) {
        return 0;
    }
    int32_t cost = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), cost);
    if (ec != std::errc() || end != text->data() + text->size()) {
        return 0;
    }
    return cost;
}

int64_t logAge(TimePoint t, TimePoint now) {
    auto age = std::chrono::duration_cast<std::chrono::nanoseconds>(now - t).count();
    return age > 0 ? static_cast<int64_t>(std::log2(static_cast<double>(age))) : -1;
}

/// Newer (or missing) first, on a log2 scale of age; ties by uid.
bool newerFirst(std::optional<TimePoint> ta, std::optional<TimePoint> tb, const json::object& a,
                const json::object& b, TimePoint now) {
    if (!ta || !tb) {
        return !ta;
    }
    int64_t diff = logAge(*ta, now) - logAge(*tb, now);
    if (diff == 0) {
        return kube::uid(a) < kube::uid(b);
    }
    return diff < 0;
}

} // namespace

bool deletesBefore(const RankedPod& ra, const RankedPod& rb, TimePoint now) {
    const json::object& a = *ra.pod;
    const json::object& b = *rb.pod;
    std::string nodeA = nodeName(a);
    std::string nodeB = nodeName(b);
    if (nodeA != nodeB && (nodeA.empty() || nodeB.empty())) {
        return nodeA.empty();
    }
    if (int pa = phaseOrdinal(a), pb = phaseOrdinal(b); pa != pb) {
        return pa < pb;
    }
    bool readyA = isPodReady(a);
    bool readyB = isPodReady(b);
    if (readyA != readyB) {
        return !readyA;
    }
    if (int32_t ca = deletionCost(a), cb = deletionCost(b); ca != cb) {
        return ca < cb;
    }
    if (ra.rank != rb.rank) {
        return ra.rank > rb.rank;
    }
    if (readyA && readyB) {
        std::optional<TimePoint> ta = podReadyTime(a);
        std::optional<TimePoint> tb = podReadyTime(b);
        if (ta != tb) {
            return newerFirst(ta, tb, a, b, now);
        }
    }
    if (int64_t restartsA = maxContainerRestarts(a), restartsB = maxContainerRestarts(b);
        restartsA != restartsB) {
        return restartsA > restartsB;
    }
    std::optional<TimePoint> ca = creationTime(a);
    std::optional<TimePoint> cb = creationTime(b);
    if (ca != cb) {
        return newerFirst(ca, cb, a, b, now);
    }
    return false;
}

std::vector<kube::ObjectPtr> podsToDelete(const std::vector<kube::ObjectPtr>& pods,
                                          const std::vector<kube::ObjectPtr>& related, size_t count,
                                          TimePoint now) {
    std::vector<kube::ObjectPtr> result;
    if (count >= pods.size()) {
        return pods;
    }
    std::map<std::string, int> activeOnNode;
    for (const kube::ObjectPtr& pod : related) {
        if (isPodActive(*pod)) {
            ++activeOnNode[nodeName(*pod)];
        }
    }
    std::vector<RankedPod> ranked;
    ranked.reserve(pods.size());
    for (const kube::ObjectPtr& pod : pods) {
        ranked.push_back(RankedPod{pod, activeOnNode[nodeName(*pod)]});
    }
    // A guarded insertion sort: the upstream order is not a strict weak ordering in every
    // corner (log-scale buckets tie-broken by uid), which std::sort must not be given.
    for (size_t i = 1; i < ranked.size(); ++i) {
        for (size_t j = i; j > 0 && deletesBefore(ranked[j], ranked[j - 1], now); --j) {
            std::swap(ranked[j], ranked[j - 1]);
        }
    }
    result.reserve(count);
    for (size_t i = 0; i < count; ++i) {
        result.push_back(ranked[i].pod);
    }
    return result;
}

} // namespace pilot::controllers
