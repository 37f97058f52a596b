#include "engine/scheduler/affinityindex.h"

#include <algorithm>

namespace pilot::scheduler {

std::string labelKey(std::string_view key, std::string_view value) {
    std::string out;
    out.reserve(key.size() + value.size() + 1);
    out += key;
    out += '\x1f';
    out += value;
    return out;
}

// --- LabelIndex ----------------------------------------------------------------------------

void LabelIndex::add(const PodInfo* pod) {
    m_all.insert(pod);
    for (const auto& [key, value] : pod->labels) {
        if (value.is_string()) {
            m_buckets[labelKey(key, value.get_string())].insert(pod);
        }
    }
}

void LabelIndex::remove(const PodInfo* pod) {
    m_all.erase(pod);
    for (const auto& [key, value] : pod->labels) {
        if (!value.is_string()) {
            continue;
        }
        auto it = m_buckets.find(labelKey(key, value.get_string()));
        if (it == m_buckets.end()) {
            continue;
        }
        it->second.erase(pod);
        if (it->second.empty()) {
            m_buckets.erase(it);
        }
    }
}

std::optional<std::vector<const std::unordered_set<const PodInfo*>*>>
LabelIndex::narrow(const kube::LabelSelector& selector) const {
    std::optional<std::vector<const std::unordered_set<const PodInfo*>*>> best;
    size_t bestSize = m_all.size();
    for (const kube::LabelRequirement& r : selector.requirements()) {
        if (r.op != kube::LabelOp::In && r.op != kube::LabelOp::Equals &&
            r.op != kube::LabelOp::DoubleEquals) {
            continue;
        }
        std::vector<const std::unordered_set<const PodInfo*>*> buckets;
        size_t size = 0;
        for (const std::string& value : r.values) {
            auto it = m_buckets.find(labelKey(r.key, value));
            if (it != m_buckets.end()) {
                buckets.push_back(&it->second);
                size += it->second.size();
            }
        }
        if (!best || size < bestSize) {
            best = std::move(buckets);
            bestSize = size;
        }
    }
    return best;
}

// --- TermIndex -----------------------------------------------------------------------------

void TermIndex::update(const PodInfo& pod, const NodeSpec* node, int sign) {
    for (const AffinityTerm& term : pod.requiredAntiAffinity) {
        updateTerm(TermKind::RequiredAntiAffinity, 0, term, node, sign);
    }
    for (const AffinityTerm& term : pod.requiredAffinity) {
        updateTerm(TermKind::RequiredAffinity, 1, term, node, sign);
    }
    for (const WeightedAffinityTerm& term : pod.preferredAffinity) {
        updateTerm(TermKind::PreferredAffinity, term.weight, term.term, node, sign);
    }
    for (const WeightedAffinityTerm& term : pod.preferredAntiAffinity) {
        updateTerm(TermKind::PreferredAntiAffinity, term.weight, term.term, node, sign);
    }
}

void TermIndex::updateTerm(TermKind kind, int32_t weight, const AffinityTerm& term,
                           const NodeSpec* node, int sign) {
    if (term.selector.matchesNothing()) {
        return; // selects no pod: nothing to enforce or score
    }
    std::string id;
    id.reserve(term.identity.size() + 16);
    id += static_cast<char>('0' + static_cast<int>(kind));
    id += std::to_string(weight);
    id += '\x1e';
    id += term.identity;
    KindIndex& k = m_kinds[index(kind)];

    auto it = m_groups.find(id);
    if (it == m_groups.end()) {
        if (sign < 0) {
            return;
        }
        auto group = std::make_unique<TermGroup>();
        group->kind = kind;
        group->weight = weight;
        group->term = term;
        for (const kube::LabelRequirement& r : term.selector.requirements()) {
            bool exact = r.op == kube::LabelOp::Equals || r.op == kube::LabelOp::DoubleEquals ||
                         (r.op == kube::LabelOp::In && r.values.size() == 1);
            if (exact && r.values.size() == 1) {
                group->indexKey = labelKey(r.key, r.values.front());
                break;
            }
        }
        if (group->indexKey.empty()) {
            k.unindexed.push_back(group.get());
        } else {
            k.byLabel[group->indexKey].push_back(group.get());
        }
        ++k.groups;
        it = m_groups.emplace(std::move(id), std::move(group)).first;
    }
    TermGroup& group = *it->second;
    group.pods += sign;
    if (node != nullptr) {
        if (auto value = node->label(term.topologyKey)) {
            auto counter = group.counts.find(std::string(*value));
            if (counter == group.counts.end()) {
                if (sign > 0) {
                    group.counts.emplace(std::string(*value), sign);
                }
            } else if ((counter->second += sign) <= 0) {
                group.counts.erase(counter);
            }
        }
    }
    if (group.pods > 0) {
        return;
    }
    // The last pod with this term left: drop the group from the indexes.
    auto drop = [&](std::vector<TermGroup*>& list) {
        list.erase(std::remove(list.begin(), list.end(), &group), list.end());
    };
    if (group.indexKey.empty()) {
        drop(k.unindexed);
    } else if (auto bucket = k.byLabel.find(group.indexKey); bucket != k.byLabel.end()) {
        drop(bucket->second);
        if (bucket->second.empty()) {
            k.byLabel.erase(bucket);
        }
    }
    --k.groups;
    m_groups.erase(it);
}

} // namespace pilot::scheduler
