#pragma once

#include "kube/client/indexedcache.h"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

/// Indexed Jobs (pkg/controller/job/indexed_job_utils.go): completion indexes of pods and the
/// compressed interval lists of `status.completedIndexes` ("0-2,5").
namespace pilot::controllers::job {

inline constexpr int UnknownCompletionIndex = -1;

/// Sorted, non-overlapping, non-adjacent closed intervals of indexes.
class OrderedIntervals {
public:
    struct Interval {
        int first;
        int last;
    };

    /// Parses `status.completedIndexes`, dropping indexes >= `completions` and corrupt parts.
    [[nodiscard]] static OrderedIntervals parse(std::string_view text, int completions);

    /// These intervals with `indexes` (ascending) added.
    [[nodiscard]] OrderedIntervals withOrderedIndexes(const std::vector<int>& indexes) const;
    [[nodiscard]] int total() const;
    [[nodiscard]] bool has(int index) const;
    /// "1,3-5,7"; two adjacent indexes are written "3,4" as upstream.
    [[nodiscard]] std::string toString() const;
    [[nodiscard]] const std::vector<Interval>& intervals() const { return m_intervals; }

private:
    void appendOrMerge(Interval interval);

    std::vector<Interval> m_intervals;
};

/// The pod's `batch.kubernetes.io/job-completion-index` annotation, or UnknownCompletionIndex.
[[nodiscard]] int completionIndex(const boost::json::object& pod);

/// Up to `count` indexes below `completions` that neither succeeded nor have an active pod.
[[nodiscard]] std::vector<int> firstPendingIndexes(const std::vector<kube::ObjectPtr>& activePods,
                                                   const OrderedIntervals& succeeded, int count,
                                                   int completions);

/// The generateName of a pod for index `index`: `<job>-<index>-`, the job name cut so the prefix
/// stays within 58 characters.
[[nodiscard]] std::string podGenerateNameWithIndex(std::string_view jobName, int index);

/// Whether `a` should be removed before `b` (controller.ActivePods): unscheduled before
/// scheduled, Pending before Unknown before Running, not ready before ready, newer before older.
[[nodiscard]] bool removeBefore(const boost::json::object& a, const boost::json::object& b);

/// activePodsForRemoval: for Indexed Jobs, pods without a valid index and all but one pod of a
/// repeated index; then, until there are `atLeast`, the others in removeBefore order.
[[nodiscard]] std::vector<kube::ObjectPtr> activePodsForRemoval(std::vector<kube::ObjectPtr> pods,
                                                                bool indexed, int completions,
                                                                size_t atLeast);

} // namespace pilot::controllers::job
