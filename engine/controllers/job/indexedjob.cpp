#include "engine/controllers/job/indexedjob.h"

#include "engine/controllers/common/podutil.h"
#include "engine/controllers/job/jobutil.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace pilot::controllers::job {
namespace json = boost::json;

namespace {

/// The longest generateName prefix the API server keeps (names.MaxGeneratedNameLength).
constexpr size_t MaxGeneratedNameLength = 58;

bool atoi(std::string_view text, int& out) {
    if (!text.empty() && text.front() == '+') {
        text.remove_prefix(1);
    }
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
}

int phaseOrdinal(const json::object& pod) {
    std::string phase = podPhase(pod);
    if (phase == "Pending") {
        return 0;
    }
    if (phase == "Unknown") {
        return 1;
    }
    if (phase == "Running") {
        return 2;
    }
    return 0;
}

} // namespace

OrderedIntervals OrderedIntervals::parse(std::string_view text, int completions) {
    OrderedIntervals result;
    if (text.empty()) {
        return result;
    }
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        std::string_view part = text.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        start = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
        size_t dash = part.find('-');
        Interval interval{0, 0};
        if (!atoi(part.substr(0, dash), interval.first)) {
            continue;
        }
        if (interval.first >= completions) {
            break;
        }
        if (dash != std::string_view::npos) {
            std::string_view high = part.substr(dash + 1);
            high = high.substr(0, high.find('-'));
            if (!atoi(high, interval.last)) {
                continue;
            }
            interval.last = std::min(interval.last, completions - 1);
        } else {
            interval.last = interval.first;
        }
        if (!result.m_intervals.empty() && result.m_intervals.back().last == interval.first - 1) {
            result.m_intervals.back().last = interval.last;
        } else {
            result.m_intervals.push_back(interval);
        }
    }
    return result;
}

void OrderedIntervals::appendOrMerge(Interval interval) {
    if (m_intervals.empty() || interval.first > m_intervals.back().last + 1) {
        m_intervals.push_back(interval);
    } else if (m_intervals.back().last < interval.last) {
        m_intervals.back().last = interval.last;
    }
}

OrderedIntervals OrderedIntervals::withOrderedIndexes(const std::vector<int>& indexes) const {
    OrderedIntervals result;
    size_t i = 0;
    size_t j = 0;
    while (i < m_intervals.size() && j < indexes.size()) {
        if (m_intervals[i].first < indexes[j]) {
            result.appendOrMerge(m_intervals[i++]);
        } else {
            result.appendOrMerge(Interval{indexes[j], indexes[j]});
            ++j;
        }
    }
    for (; i < m_intervals.size(); ++i) {
        result.appendOrMerge(m_intervals[i]);
    }
    for (; j < indexes.size(); ++j) {
        result.appendOrMerge(Interval{indexes[j], indexes[j]});
    }
    return result;
}

int OrderedIntervals::total() const {
    int count = 0;
    for (const Interval& interval : m_intervals) {
        count += interval.last - interval.first + 1;
    }
    return count;
}

bool OrderedIntervals::has(int index) const {
    auto it = std::lower_bound(m_intervals.begin(), m_intervals.end(), index,
                               [](const Interval& interval, int ix) { return interval.last < ix; });
    return it != m_intervals.end() && it->first <= index;
}

std::string OrderedIntervals::toString() const {
    std::string out;
    for (const Interval& interval : m_intervals) {
        if (!out.empty()) {
            out += ',';
        }
        out += std::to_string(interval.first);
        if (interval.last > interval.first) {
            out += interval.last == interval.first + 1 ? ',' : '-';
            out += std::to_string(interval.last);
        }
    }
    return out;
}

int completionIndex(const json::object& pod) {
    auto value = kube::annotation(pod, CompletionIndexAnnotation);
    int index = 0;
    if (!value || !atoi(*value, index) || index < 0) {
        return UnknownCompletionIndex;
    }
    return index;
}

std::vector<int> firstPendingIndexes(const std::vector<kube::ObjectPtr>& activePods,
                                     const OrderedIntervals& succeeded, int count,
                                     int completions) {
    std::vector<int> result;
    if (count <= 0) {
        return result;
    }
    std::set<int> active;
    for (const kube::ObjectPtr& pod : activePods) {
        if (int ix = completionIndex(*pod); ix != UnknownCompletionIndex) {
            active.insert(ix);
        }
    }
    OrderedIntervals nonPending =
        succeeded.withOrderedIndexes(std::vector<int>(active.begin(), active.end()));
    int candidate = 0;
    for (const OrderedIntervals::Interval& interval : nonPending.intervals()) {
        for (; candidate < completions && static_cast<int>(result.size()) < count &&
               candidate < interval.first;
             ++candidate) {
            result.push_back(candidate);
        }
        candidate = std::max(candidate, interval.last + 1);
    }
    for (; candidate < completions && static_cast<int>(result.size()) < count; ++candidate) {
        result.push_back(candidate);
    }
    return result;
}

std::string podGenerateNameWithIndex(std::string_view jobName, int index) {
    std::string suffix = "-" + std::to_string(index) + "-";
    std::string prefix = std::string(jobName) + suffix;
    if (prefix.size() > MaxGeneratedNameLength) {
        prefix = std::string(jobName.substr(0, MaxGeneratedNameLength - suffix.size())) + suffix;
    }
    return prefix;
}

bool removeBefore(const json::object& a, const json::object& b) {
    std::string nodeA = kube::stringAt(kube::objectAt(a, "spec"), "nodeName");
    std::string nodeB = kube::stringAt(kube::objectAt(b, "spec"), "nodeName");
    if (nodeA != nodeB && (nodeA.empty() || nodeB.empty())) {
        return nodeA.empty();
    }
    if (phaseOrdinal(a) != phaseOrdinal(b)) {
        return phaseOrdinal(a) < phaseOrdinal(b);
    }
    if (isPodReady(a) != isPodReady(b)) {
        return !isPodReady(a);
    }
    auto readyA = podReadyTime(a);
    auto readyB = podReadyTime(b);
    if (readyA && readyB && *readyA != *readyB) {
        return *readyA > *readyB;
    }
    if (maxContainerRestarts(a) != maxContainerRestarts(b)) {
        return maxContainerRestarts(a) > maxContainerRestarts(b);
    }
    auto createdA = creationTime(a);
    auto createdB = creationTime(b);
    if (createdA != createdB) {
        if (!createdA || !createdB) {
            return !createdA;
        }
        return *createdA > *createdB;
    }
    return false;
}

std::vector<kube::ObjectPtr> activePodsForRemoval(std::vector<kube::ObjectPtr> pods, bool indexed,
                                                  int completions, size_t atLeast) {
    std::vector<kube::ObjectPtr> rm;
    std::vector<kube::ObjectPtr> left;
    auto byRemoval = [](const kube::ObjectPtr& a, const kube::ObjectPtr& b) {
        return removeBefore(*a, *b);
    };
    if (indexed) {
        std::stable_sort(pods.begin(), pods.end(),
                         [](const kube::ObjectPtr& a, const kube::ObjectPtr& b) {
                             return completionIndex(*a) < completionIndex(*b);
                         });
        size_t i = 0;
        while (i < pods.size()) {
            int ix = completionIndex(*pods[i]);
            size_t end = i;
            while (end < pods.size() && completionIndex(*pods[end]) == ix) {
                ++end;
            }
            if (ix == UnknownCompletionIndex || ix >= completions) {
                rm.insert(rm.end(), pods.begin() + static_cast<long>(i),
                          pods.begin() + static_cast<long>(end));
            } else {
                std::vector<kube::ObjectPtr> same(pods.begin() + static_cast<long>(i),
                                                  pods.begin() + static_cast<long>(end));
                std::stable_sort(same.begin(), same.end(), byRemoval);
                rm.insert(rm.end(), same.begin(), same.end() - 1);
                left.push_back(same.back());
            }
            i = end;
        }
    } else {
        left = std::move(pods);
    }
    if (rm.size() < atLeast) {
        std::stable_sort(left.begin(), left.end(), byRemoval);
        size_t more = std::min(atLeast - rm.size(), left.size());
        rm.insert(rm.end(), left.begin(), left.begin() + static_cast<long>(more));
    }
    return rm;
}

} // namespace pilot::controllers::job
