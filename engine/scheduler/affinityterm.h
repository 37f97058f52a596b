#pragma once

#include "core/error.h"
#include "kube/labelselector.h"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pilot::scheduler {

/// One pod (anti-)affinity term as upstream's framework.AffinityTerm: which pods it selects
/// (label selector, namespaces or a namespace selector) and the topology key it spreads over.
struct AffinityTerm {
    kube::LabelSelector selector;        ///< A null labelSelector selects nothing.
    std::vector<std::string> namespaces; ///< Sorted; the owner's namespace when none is given.
    bool hasNamespaceSelector = false;   ///< A null namespaceSelector selects no namespace.
    kube::LabelSelector namespaceSelector;
    std::string topologyKey;
    /// Canonical text of everything above: identical terms of different pods share it.
    std::string identity;

    /// Whether a pod in `ns` (whose namespace carries `nsLabels`) is in the term's namespaces.
    [[nodiscard]] bool namespaceMatches(std::string_view ns,
                                        const boost::json::object* nsLabels) const;
    /// Whether a pod with these labels in namespace `ns` is selected by the term.
    [[nodiscard]] bool matches(std::string_view ns, const boost::json::object& labels,
                               const boost::json::object* nsLabels) const;
};

struct WeightedAffinityTerm {
    int32_t weight = 0;
    AffinityTerm term;
};

/// Parses a PodAffinityTerm of a pod in `ownNamespace` with labels `ownLabels` (for
/// matchLabelKeys / mismatchLabelKeys). Fails on an invalid label selector.
[[nodiscard]] Result<AffinityTerm> affinityTermOf(const boost::json::object& term,
                                                  std::string_view ownNamespace,
                                                  const boost::json::object& ownLabels);

} // namespace pilot::scheduler
