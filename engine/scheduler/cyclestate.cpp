#include "engine/scheduler/cyclestate.h"

#include <algorithm>
#include <limits>

namespace pilot::scheduler {

void TopologyCounts::add(const std::string& key, std::string_view value, int delta) {
    auto& values = m_counts[key];
    auto it = values.find(std::string(value));
    if (it == values.end()) {
        values.emplace(std::string(value), delta);
        return;
    }
    it->second += delta;
}

int TopologyCounts::get(const std::string& key, std::string_view value) const {
    auto values = m_counts.find(key);
    if (values == m_counts.end()) {
        return 0;
    }
    auto it = values->second.find(std::string(value));
    return it == values->second.end() ? 0 : it->second;
}

bool TopologyCounts::anyOnNode(const NodeSpec& node) const {
    for (const auto& [key, values] : m_counts) {
        auto value = node.label(key);
        if (!value) {
            continue;
        }
        auto it = values.find(std::string(*value));
        if (it != values.end() && it->second > 0) {
            return true;
        }
    }
    return false;
}

namespace {

bool hasAllSpreadKeys(const PodInfo& pod, const NodeSpec& node) {
    for (const SpreadConstraint& c : pod.spreadConstraints) {
        if (c.doNotSchedule && !node.label(c.topologyKey)) {
            return false;
        }
    }
    return true;
}

bool matchesAllAffinityTerms(const PodInfo& incoming, const PodInfo& existing,
                             const boost::json::object* existingNsLabels) {
    if (incoming.requiredAffinity.empty()) {
        return false;
    }
    for (const AffinityTerm& term : incoming.requiredAffinity) {
        if (!term.matches(existing.ns, existing.labels, existingNsLabels)) {
            return false;
        }
    }
    return true;
}

void recomputeMin(SpreadFilterConstraint& c) {
    if (static_cast<int>(c.counts.size()) < c.constraint->minDomains) {
        c.minMatch = 0;
        return;
    }
    int min = std::numeric_limits<int>::max();
    for (const auto& [value, count] : c.counts) {
        min = std::min(min, count);
    }
    c.minMatch = c.counts.empty() ? 0 : min;
}

} // namespace

bool spreadEligible(const PodInfo& pod, const SpreadConstraint& constraint, const NodeSpec& node) {
    if (constraint.honorNodeAffinity &&
        !pod.matchesNodeSelectorAndAffinity(node.labels, node.name)) {
        return false;
    }
    if (constraint.honorNodeTaints && firstUntoleratedTaint(node.taints, pod.tolerations)) {
        return false;
    }
    return hasAllSpreadKeys(pod, node);
}

void CycleState::updateWithPod(const PodInfo& existing, const NodeSpec& node, int sign,
                               const SchedulerCache& cache) {
    if (checkAffinity) {
        for (const AffinityTerm& term : existing.requiredAntiAffinity) {
            auto value = node.label(term.topologyKey);
            if (value && term.matches(pod->ns, pod->labels, nsLabels)) {
                existingAntiAffinity.add(term.topologyKey, *value, sign);
            }
        }
        const boost::json::object* existingNs = cache.namespaceLabels(existing.ns);
        if (matchesAllAffinityTerms(*pod, existing, existingNs)) {
            for (const AffinityTerm& term : pod->requiredAffinity) {
                if (auto value = node.label(term.topologyKey)) {
                    affinity.add(term.topologyKey, *value, sign);
                }
            }
        }
        for (const AffinityTerm& term : pod->requiredAntiAffinity) {
            auto value = node.label(term.topologyKey);
            if (value && term.matches(existing.ns, existing.labels, existingNs)) {
                antiAffinity.add(term.topologyKey, *value, sign);
            }
        }
    }
    for (SpreadFilterConstraint& c : spread) {
        if (existing.terminating || existing.ns != pod->ns ||
            !c.constraint->selector.matches(&existing.labels) ||
            !spreadEligible(*pod, *c.constraint, node)) {
            continue;
        }
        auto value = node.label(c.constraint->topologyKey);
        if (!value) {
            continue;
        }
        c.counts[std::string(*value)] += sign;
        recomputeMin(c);
    }
}

CycleState prepareCycle(const PodInfo& pod, const SchedulerCache& cache) {
    CycleState s;
    s.pod = &pod;
    s.nsLabels = cache.namespaceLabels(pod.ns);
    auto nsLabelsOf = [&](std::string_view ns) { return cache.namespaceLabels(ns); };
    auto nodeOf = [&](const PodInfo& p) -> const NodeSpec* {
        const NodeInfo* info = cache.nodeInfo(p.nodeName);
        return info != nullptr ? info->node() : nullptr;
    };

    // InterPodAffinity: existing pods whose required anti-affinity selects this pod.
    cache.termIndex().forEachSelecting(TermKind::RequiredAntiAffinity, pod.ns, pod.labels,
                                       s.nsLabels, [&](const TermGroup& group) {
                                           for (const auto& [value, count] : group.counts) {
                                               s.existingAntiAffinity.add(group.term.topologyKey,
                                                                          value, count);
                                           }
                                       });
    // Existing pods matching all of the pod's required affinity terms.
    if (!pod.requiredAffinity.empty()) {
        const AffinityTerm& first = pod.requiredAffinity.front();
        cache.labelIndex().forEachMatching(first, nsLabelsOf, [&](const PodInfo& existing) {
            const NodeSpec* node = nodeOf(existing);
            if (node == nullptr ||
                !matchesAllAffinityTerms(pod, existing, cache.namespaceLabels(existing.ns))) {
                return;
            }
            for (const AffinityTerm& term : pod.requiredAffinity) {
                if (auto value = node->label(term.topologyKey)) {
                    s.affinity.add(term.topologyKey, *value, 1);
                }
            }
        });
        s.podMatchesOwnAffinity = true;
        for (const AffinityTerm& term : pod.requiredAffinity) {
            if (!term.matches(pod.ns, pod.labels, s.nsLabels)) {
                s.podMatchesOwnAffinity = false;
                break;
            }
        }
    }
    // Existing pods matching the pod's required anti-affinity terms.
    for (const AffinityTerm& term : pod.requiredAntiAffinity) {
        cache.labelIndex().forEachMatching(term, nsLabelsOf, [&](const PodInfo& existing) {
            const NodeSpec* node = nodeOf(existing);
            if (node == nullptr) {
                return;
            }
            if (auto value = node->label(term.topologyKey)) {
                s.antiAffinity.add(term.topologyKey, *value, 1);
            }
        });
    }
    s.checkAffinity = !s.existingAntiAffinity.empty() || !pod.requiredAffinity.empty() ||
                      !pod.requiredAntiAffinity.empty();

    // PodTopologySpread with DoNotSchedule: every eligible node's domain, then the matching
    // pods counted into them.
    for (const SpreadConstraint& constraint : pod.spreadConstraints) {
        if (!constraint.doNotSchedule) {
            continue;
        }
        SpreadFilterConstraint c;
        c.constraint = &constraint;
        c.selfMatch = constraint.selector.matches(&pod.labels);
        for (const NodeInfo* info : cache.nodes()) {
            const NodeSpec& node = *info->node();
            if (!spreadEligible(pod, constraint, node)) {
                continue;
            }
            c.counts.try_emplace(std::string(*node.label(constraint.topologyKey)), 0);
        }
        cache.labelIndex().forEachMatching(
            constraint.selector, pod.ns, [&](const PodInfo& existing) {
                if (existing.terminating) {
                    return;
                }
                const NodeSpec* node = nodeOf(existing);
                if (node == nullptr || !spreadEligible(pod, constraint, *node)) {
                    return;
                }
                ++c.counts[std::string(*node->label(constraint.topologyKey))];
            });
        recomputeMin(c);
        s.spread.push_back(std::move(c));
    }
    return s;
}

} // namespace pilot::scheduler
