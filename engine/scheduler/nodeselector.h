#pragma once

#include "kube/labelselector.h"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::scheduler {

/// One nodeSelectorTerm: label requirements (`matchExpressions`) and `metadata.name`
/// requirements (`matchFields`), all ANDed. An empty or invalid term matches no node, as
/// upstream's nodeaffinity helpers treat them.
struct NodeSelectorTerm {
    std::vector<kube::LabelRequirement> expressions;
    std::vector<kube::LabelRequirement> fields; ///< Keys are `metadata.name`.
    bool valid = false;

    [[nodiscard]] bool matches(const boost::json::object& nodeLabels,
                               std::string_view nodeName) const;
};

/// `nodeSelectorTerms`, ORed.
struct NodeSelector {
    std::vector<NodeSelectorTerm> terms;

    [[nodiscard]] bool matches(const boost::json::object& nodeLabels,
                               std::string_view nodeName) const;
};

struct PreferredNodeTerm {
    int32_t weight = 0;
    NodeSelectorTerm term;
};

[[nodiscard]] NodeSelectorTerm nodeSelectorTermOf(const boost::json::object& term);
[[nodiscard]] NodeSelector nodeSelectorOf(const boost::json::object& selector);

} // namespace pilot::scheduler
