#pragma once

#include <boost/json/array.hpp>

#include <string>
#include <vector>

namespace pilot::scheduler {

/// A node taint (`spec.taints[]`).
struct Taint {
    std::string key;
    std::string value;
    std::string effect; ///< NoSchedule, PreferNoSchedule or NoExecute.
};

/// A pod toleration (`spec.tolerations[]`).
struct Toleration {
    std::string key; ///< Empty with operator Exists: tolerates every taint.
    std::string op;  ///< `Equal` (also when empty) or `Exists`.
    std::string value;
    std::string effect; ///< Empty: every effect.

    /// Upstream Toleration.ToleratesTaint.
    [[nodiscard]] bool tolerates(const Taint& taint) const;
};

[[nodiscard]] std::vector<Taint> taintsOf(const boost::json::array* taints);
[[nodiscard]] std::vector<Toleration> tolerationsOf(const boost::json::array* tolerations);

/// Whether any toleration tolerates the taint.
[[nodiscard]] bool tolerated(const std::vector<Toleration>& tolerations, const Taint& taint);

/// The first taint with effect NoSchedule or NoExecute that no toleration tolerates, or nullptr.
[[nodiscard]] const Taint* firstUntoleratedTaint(const std::vector<Taint>& taints,
                                                 const std::vector<Toleration>& tolerations);

/// The number of PreferNoSchedule taints not tolerated by a toleration whose effect is empty or
/// PreferNoSchedule (TaintToleration scoring).
[[nodiscard]] int countIntolerablePreferNoSchedule(const std::vector<Taint>& taints,
                                                   const std::vector<Toleration>& tolerations);

} // namespace pilot::scheduler
