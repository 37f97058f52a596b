#pragma once

#include "engine/scheduler/nodeinfo.h"
#include "engine/scheduler/podinfo.h"

#include <boost/json/object.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace pilot::scheduler {

/// `key` and `value` joined as the label indexes key them.
[[nodiscard]] std::string labelKey(std::string_view key, std::string_view value);

/// Assigned pods by label (`key=value`), so the terms of an incoming pod only look at pods
/// that can match instead of every pod in the cluster.
class LabelIndex {
public:
    void add(const PodInfo* pod);
    void remove(const PodInfo* pod);

    /// Calls `f(const PodInfo&)` for every indexed pod the term selects (namespace and labels;
    /// `nsLabels(ns)` gives a namespace's labels for namespace selectors). Narrows to the
    /// smallest bucket of an equality or In requirement of the selector; scans every pod when
    /// the selector has none.
    template <typename NsLabels, typename F>
    void forEachMatching(const AffinityTerm& term, const NsLabels& nsLabels, F&& f) const;
    /// Same for a plain selector within one namespace (topology spreading).
    template <typename F>
    void forEachMatching(const kube::LabelSelector& selector, std::string_view ns, F&& f) const;

    [[nodiscard]] size_t size() const { return m_all.size(); }

private:
    /// The smallest set of buckets that holds every pod the selector can select, or nullopt
    /// when only a scan will do.
    [[nodiscard]] std::optional<std::vector<const std::unordered_set<const PodInfo*>*>>
    narrow(const kube::LabelSelector& selector) const;

    std::unordered_map<std::string, std::unordered_set<const PodInfo*>> m_buckets;
    std::unordered_set<const PodInfo*> m_all;
};

/// What an existing pod's term does to an incoming pod it selects.
enum class TermKind : uint8_t {
    RequiredAntiAffinity,  ///< Filter: the incoming pod may not share the topology value.
    RequiredAffinity,      ///< Score: +1 (hardPodAffinityWeight) per matching pod.
    PreferredAffinity,     ///< Score: +weight.
    PreferredAntiAffinity, ///< Score: -weight.
};

/// Identical terms of existing pods, merged: how many pods carry the term per topology value.
struct TermGroup {
    TermKind kind = TermKind::RequiredAntiAffinity;
    int32_t weight = 0;
    AffinityTerm term;
    std::unordered_map<std::string, int> counts; ///< topology value -> pods
    int pods = 0;                                ///< pods carrying the term, wherever they are
    std::string indexKey;                        ///< the label bucket it is filed under
};

/// The (anti-)affinity terms of every assigned pod grouped by identity and indexed by a label
/// their selector requires, so finding the terms that select an incoming pod costs a lookup
/// per label of that pod rather than a walk over every pod with affinity.
class TermIndex {
public:
    /// Adds (`sign` 1) or removes (-1) the terms of `pod` placed on `node` (null: a node the
    /// cache has not seen, whose topology values are unknown).
    void update(const PodInfo& pod, const NodeSpec* node, int sign);

    /// Calls `f(const TermGroup&)` for every group of `kind` that selects a pod with these
    /// namespace and labels.
    template <typename F>
    void forEachSelecting(TermKind kind, std::string_view ns, const boost::json::object& labels,
                          const boost::json::object* nsLabels, F&& f) const;

    [[nodiscard]] bool empty(TermKind kind) const { return m_kinds[index(kind)].groups == 0; }

private:
    struct KindIndex {
        std::unordered_map<std::string, std::vector<TermGroup*>> byLabel;
        std::vector<TermGroup*> unindexed;
        int groups = 0;
    };

    static size_t index(TermKind kind) { return static_cast<size_t>(kind); }
    void updateTerm(TermKind kind, int32_t weight, const AffinityTerm& term, const NodeSpec* node,
                    int sign);

    std::unordered_map<std::string, std::unique_ptr<TermGroup>> m_groups;
    KindIndex m_kinds[4];
};

// --- templates ---------------------------------------------------------------------------

template <typename NsLabels, typename F>
void LabelIndex::forEachMatching(const AffinityTerm& term, const NsLabels& nsLabels, F&& f) const {
    if (term.selector.matchesNothing()) {
        return;
    }
    auto visit = [&](const PodInfo* pod) {
        if (term.matches(pod->ns, pod->labels, nsLabels(pod->ns))) {
            f(*pod);
        }
    };
    if (auto buckets = narrow(term.selector)) {
        for (const auto* bucket : *buckets) {
            for (const PodInfo* pod : *bucket) {
                visit(pod);
            }
        }
        return;
    }
    for (const PodInfo* pod : m_all) {
        visit(pod);
    }
}

template <typename F>
void LabelIndex::forEachMatching(const kube::LabelSelector& selector, std::string_view ns,
                                 F&& f) const {
    if (selector.matchesNothing()) {
        return;
    }
    auto visit = [&](const PodInfo* pod) {
        if (pod->ns == ns && selector.matches(&pod->labels)) {
            f(*pod);
        }
    };
    if (auto buckets = narrow(selector)) {
        for (const auto* bucket : *buckets) {
            for (const PodInfo* pod : *bucket) {
                visit(pod);
            }
        }
        return;
    }
    for (const PodInfo* pod : m_all) {
        visit(pod);
    }
}

template <typename F>
void TermIndex::forEachSelecting(TermKind kind, std::string_view ns,
                                 const boost::json::object& labels,
                                 const boost::json::object* nsLabels, F&& f) const {
    const KindIndex& k = m_kinds[index(kind)];
    if (k.groups == 0) {
        return;
    }
    auto visit = [&](const TermGroup* group) {
        if (group->term.matches(ns, labels, nsLabels)) {
            f(*group);
        }
    };
    if (!k.byLabel.empty()) {
        for (const auto& [key, value] : labels) {
            if (!value.is_string()) {
                continue;
            }
            auto it = k.byLabel.find(labelKey(key, value.get_string()));
            if (it == k.byLabel.end()) {
                continue;
            }
            for (const TermGroup* group : it->second) {
                visit(group);
            }
        }
    }
    for (const TermGroup* group : k.unindexed) {
        visit(group);
    }
}

} // namespace pilot::scheduler
