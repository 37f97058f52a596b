#include "engine/scheduler/scoring.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace pilot::scheduler {

namespace {

/// Upstream helper.DefaultNormalizeScore.
void defaultNormalize(std::vector<int64_t>& scores, bool reverse) {
    int64_t maxCount = 0;
    for (int64_t s : scores) {
        maxCount = std::max(maxCount, s);
    }
    if (maxCount == 0) {
        if (reverse) {
            std::fill(scores.begin(), scores.end(), MaxNodeScore);
        }
        return;
    }
    for (int64_t& s : scores) {
        s = MaxNodeScore * s / maxCount;
        if (reverse) {
            s = MaxNodeScore - s;
        }
    }
}

int64_t leastRequested(int64_t requested, int64_t capacity) {
    if (capacity == 0 || requested > capacity) {
        return 0;
    }
    return (capacity - requested) * MaxNodeScore / capacity;
}

void taintTolerationScores(const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                           std::vector<int64_t>& out) {
    out.assign(nodes.size(), 0);
    for (size_t i = 0; i < nodes.size(); ++i) {
        const NodeSpec& node = *nodes[i]->node();
        if (!node.taints.empty()) {
            out[i] = countIntolerablePreferNoSchedule(node.taints, pod.tolerations);
        }
    }
    defaultNormalize(out, true);
}

void nodeAffinityScores(const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                        std::vector<int64_t>& out) {
    out.assign(nodes.size(), 0);
    if (pod.preferredNodeAffinity.empty()) {
        return;
    }
    for (size_t i = 0; i < nodes.size(); ++i) {
        const NodeSpec& node = *nodes[i]->node();
        for (const PreferredNodeTerm& term : pod.preferredNodeAffinity) {
            if (term.weight != 0 && term.term.matches(node.labels, node.name)) {
                out[i] += term.weight;
            }
        }
    }
    defaultNormalize(out, false);
}

/// InterPodAffinity scoring: preferred terms of the pod over existing pods, and the terms of
/// existing pods that select this pod, summed per topology pair then per node; min-max
/// normalized.
void interPodAffinityScores(const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                            const SchedulerCache& cache, std::vector<int64_t>& out) {
    out.assign(nodes.size(), 0);
    const TermIndex& terms = cache.termIndex();
    bool incoming = !pod.preferredAffinity.empty() || !pod.preferredAntiAffinity.empty();
    bool existing = !terms.empty(TermKind::RequiredAffinity) ||
                    !terms.empty(TermKind::PreferredAffinity) ||
                    !terms.empty(TermKind::PreferredAntiAffinity);
    if (!incoming && !existing) {
        return;
    }
    std::unordered_map<std::string, std::unordered_map<std::string, int64_t>> topologyScore;
    auto nsLabelsOf = [&](std::string_view ns) { return cache.namespaceLabels(ns); };
    auto processIncoming = [&](const std::vector<WeightedAffinityTerm>& list, int64_t sign) {
        for (const WeightedAffinityTerm& w : list) {
            if (w.weight == 0) {
                continue;
            }
            cache.labelIndex().forEachMatching(w.term, nsLabelsOf, [&](const PodInfo& other) {
                const NodeInfo* info = cache.nodeInfo(other.nodeName);
                if (info == nullptr || info->node() == nullptr) {
                    return;
                }
                if (auto value = info->node()->label(w.term.topologyKey)) {
                    topologyScore[w.term.topologyKey][std::string(*value)] += sign * w.weight;
                }
            });
        }
    };
    processIncoming(pod.preferredAffinity, 1);
    processIncoming(pod.preferredAntiAffinity, -1);
    const boost::json::object* nsLabels = cache.namespaceLabels(pod.ns);
    auto processExisting = [&](TermKind kind, int64_t sign) {
        terms.forEachSelecting(kind, pod.ns, pod.labels, nsLabels, [&](const TermGroup& group) {
            for (const auto& [value, count] : group.counts) {
                topologyScore[group.term.topologyKey][value] += sign * group.weight * count;
            }
        });
    };
    processExisting(TermKind::RequiredAffinity, 1);
    processExisting(TermKind::PreferredAffinity, 1);
    processExisting(TermKind::PreferredAntiAffinity, -1);
    if (topologyScore.empty()) {
        return;
    }
    int64_t minScore = std::numeric_limits<int64_t>::max();
    int64_t maxScore = std::numeric_limits<int64_t>::min();
    for (size_t i = 0; i < nodes.size(); ++i) {
        const NodeSpec& node = *nodes[i]->node();
        int64_t score = 0;
        for (const auto& [key, values] : topologyScore) {
            if (auto value = node.label(key)) {
                auto it = values.find(std::string(*value));
                if (it != values.end()) {
                    score += it->second;
                }
            }
        }
        out[i] = score;
        minScore = std::min(minScore, score);
        maxScore = std::max(maxScore, score);
    }
    int64_t diff = maxScore - minScore;
    for (int64_t& s : out) {
        double f = diff > 0 ? static_cast<double>(MaxNodeScore) *
                                  static_cast<double>(s - minScore) / static_cast<double>(diff)
                            : 0.0;
        s = static_cast<int64_t>(f);
    }
}

/// PodTopologySpread scoring for ScheduleAnyway constraints (no system default constraints).
void spreadScores(const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                  const SchedulerCache& cache, std::vector<int64_t>& out) {
    out.assign(nodes.size(), 0);
    std::vector<const SpreadConstraint*> constraints;
    for (const SpreadConstraint& c : pod.spreadConstraints) {
        if (!c.doNotSchedule) {
            constraints.push_back(&c);
        }
    }
    if (constraints.empty()) {
        return;
    }
    auto hasAllKeys = [&](const NodeSpec& node) {
        return std::all_of(constraints.begin(), constraints.end(),
                           [&](const SpreadConstraint* c) { return node.label(c->topologyKey); });
    };
    std::vector<bool> ignored(nodes.size(), false);
    size_t ignoredCount = 0;
    // Domains of the feasible nodes, then the matching pods of every eligible node counted.
    std::vector<std::unordered_map<std::string, int64_t>> domainCounts(constraints.size());
    for (size_t i = 0; i < nodes.size(); ++i) {
        const NodeSpec& node = *nodes[i]->node();
        if (!hasAllKeys(node)) {
            ignored[i] = true;
            ++ignoredCount;
            continue;
        }
        for (size_t c = 0; c < constraints.size(); ++c) {
            if (constraints[c]->topologyKey != HostnameLabel) {
                domainCounts[c].try_emplace(std::string(*node.label(constraints[c]->topologyKey)),
                                            0);
            }
        }
    }
    for (size_t c = 0; c < constraints.size(); ++c) {
        const SpreadConstraint& constraint = *constraints[c];
        if (constraint.topologyKey == HostnameLabel) {
            continue;
        }
        cache.labelIndex().forEachMatching(constraint.selector, pod.ns, [&](const PodInfo& p) {
            if (p.terminating) {
                return;
            }
            const NodeInfo* info = cache.nodeInfo(p.nodeName);
            if (info == nullptr || info->node() == nullptr) {
                return;
            }
            const NodeSpec& node = *info->node();
            if (!pod.matchesNodeSelectorAndAffinity(node.labels, node.name) || !hasAllKeys(node)) {
                return;
            }
            if (constraint.honorNodeTaints && firstUntoleratedTaint(node.taints, pod.tolerations)) {
                return;
            }
            auto it = domainCounts[c].find(std::string(*node.label(constraint.topologyKey)));
            if (it != domainCounts[c].end()) {
                ++it->second;
            }
        });
    }
    std::vector<double> weight(constraints.size());
    for (size_t c = 0; c < constraints.size(); ++c) {
        size_t size = constraints[c]->topologyKey == HostnameLabel ? nodes.size() - ignoredCount
                                                                   : domainCounts[c].size();
        weight[c] = std::log(static_cast<double>(size + 2));
    }
    int64_t minScore = std::numeric_limits<int64_t>::max();
    int64_t maxScore = 0;
    for (size_t i = 0; i < nodes.size(); ++i) {
        if (ignored[i]) {
            continue;
        }
        const NodeSpec& node = *nodes[i]->node();
        double score = 0;
        for (size_t c = 0; c < constraints.size(); ++c) {
            const SpreadConstraint& constraint = *constraints[c];
            int64_t count = 0;
            if (constraint.topologyKey == HostnameLabel) {
                for (const PodInfoPtr& p : nodes[i]->pods()) {
                    if (!p->terminating && p->ns == pod.ns &&
                        constraint.selector.matches(&p->labels)) {
                        ++count;
                    }
                }
            } else {
                auto it = domainCounts[c].find(std::string(*node.label(constraint.topologyKey)));
                count = it == domainCounts[c].end() ? 0 : it->second;
            }
            score += static_cast<double>(count) * weight[c] + (constraint.maxSkew - 1);
        }
        out[i] = static_cast<int64_t>(std::round(score));
        minScore = std::min(minScore, out[i]);
        maxScore = std::max(maxScore, out[i]);
    }
    for (size_t i = 0; i < nodes.size(); ++i) {
        if (ignored[i]) {
            out[i] = 0;
            continue;
        }
        if (maxScore == 0) {
            out[i] = MaxNodeScore;
            continue;
        }
        out[i] = MaxNodeScore * (maxScore + minScore - out[i]) / maxScore;
    }
}

void imageLocalityScores(const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                         const SchedulerCache& cache, std::vector<int64_t>& out) {
    out.assign(nodes.size(), 0);
    if (!cache.anyImages() || pod.images.empty()) {
        return;
    }
    constexpr int64_t Mb = 1024 * 1024;
    constexpr int64_t MinThreshold = 23 * Mb;
    const int64_t maxThreshold = 1000 * Mb * static_cast<int64_t>(pod.images.size());
    const double totalNodes = static_cast<double>(cache.nodes().size());
    for (size_t i = 0; i < nodes.size(); ++i) {
        int64_t sum = 0;
        for (const std::string& image : pod.images) {
            for (const auto& [name, size] : nodes[i]->node()->images) {
                if (name == image) {
                    double spread = static_cast<double>(cache.nodesWithImage(image)) / totalNodes;
                    sum += static_cast<int64_t>(static_cast<double>(size) * spread);
                    break;
                }
            }
        }
        sum = std::clamp(sum, MinThreshold, maxThreshold);
        out[i] = MaxNodeScore * (sum - MinThreshold) / (maxThreshold - MinThreshold);
    }
}

} // namespace

int64_t leastAllocatedScore(const PodInfo& pod, const NodeInfo& node) {
    const Resource& allocatable = node.node()->allocatable;
    int64_t cpu =
        leastRequested(node.nonZeroMilliCpu() + pod.requests.nonZeroMilliCpu, allocatable.milliCpu);
    int64_t memory =
        leastRequested(node.nonZeroMemory() + pod.requests.nonZeroMemory, allocatable.memory);
    return (cpu + memory) / 2;
}

int64_t balancedAllocationScore(const PodInfo& pod, const NodeInfo& node) {
    const Resource& allocatable = node.node()->allocatable;
    double fractions[2];
    int n = 0;
    auto add = [&](int64_t requested, int64_t capacity) {
        if (capacity == 0) {
            return;
        }
        fractions[n++] =
            std::min(1.0, static_cast<double>(requested) / static_cast<double>(capacity));
    };
    add(node.requested().milliCpu + pod.requests.requests.milliCpu, allocatable.milliCpu);
    add(node.requested().memory + pod.requests.requests.memory, allocatable.memory);
    double std = n == 2 ? std::abs((fractions[0] - fractions[1]) / 2) : 0.0;
    return static_cast<int64_t>((1 - std) * static_cast<double>(MaxNodeScore));
}

void scoreNodes(const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                const SchedulerCache& cache, const ScoreWeights& weights,
                std::vector<int64_t>& totals, PluginScores* details) {
    PluginScores local;
    PluginScores& s = details != nullptr ? *details : local;
    taintTolerationScores(pod, nodes, s.taintToleration);
    nodeAffinityScores(pod, nodes, s.nodeAffinity);
    spreadScores(pod, nodes, cache, s.podTopologySpread);
    interPodAffinityScores(pod, nodes, cache, s.interPodAffinity);
    imageLocalityScores(pod, nodes, cache, s.imageLocality);
    s.nodeResourcesFit.resize(nodes.size());
    s.balancedAllocation.resize(nodes.size());
    totals.assign(nodes.size(), 0);
    for (size_t i = 0; i < nodes.size(); ++i) {
        s.nodeResourcesFit[i] = leastAllocatedScore(pod, *nodes[i]);
        s.balancedAllocation[i] = balancedAllocationScore(pod, *nodes[i]);
        totals[i] = weights.taintToleration * s.taintToleration[i] +
                    weights.nodeAffinity * s.nodeAffinity[i] +
                    weights.podTopologySpread * s.podTopologySpread[i] +
                    weights.interPodAffinity * s.interPodAffinity[i] +
                    weights.nodeResourcesFit * s.nodeResourcesFit[i] +
                    weights.balancedAllocation * s.balancedAllocation[i] +
                    weights.imageLocality * s.imageLocality[i];
    }
}

} // namespace pilot::scheduler
