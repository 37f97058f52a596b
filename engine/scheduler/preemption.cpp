#include "engine/scheduler/preemption.h"

#include "engine/scheduler/filters.h"
#include "engine/scheduler/genericscheduler.h"

#include <algorithm>
#include <chrono>
#include <limits>

namespace pilot::scheduler {

namespace {

constexpr const char* NoVictims = "No preemption victims found for incoming pod";
constexpr const char* NotHelpful = "Preemption is not helpful for scheduling";
constexpr int32_t MinCandidateNodesPercentage = 10;
constexpr int32_t MinCandidateNodesAbsolute = 100;

TimePoint startTimeOf(const PodInfo& pod) {
    return pod.started.value_or(std::chrono::system_clock::now());
}

/// Upstream util.MoreImportantPod: higher priority, then the earlier start.
bool moreImportant(const PodInfoPtr& a, const PodInfoPtr& b) {
    if (a->priority != b->priority) {
        return a->priority > b->priority;
    }
    return startTimeOf(*a) < startTimeOf(*b);
}

/// `preemption: 0/N nodes are available: ...` with every node missing from `statuses`
/// counted as "Preemption is not helpful for scheduling".
std::string failureMessage(size_t numAllNodes,
                           std::vector<std::pair<std::string, NodeStatus>> statuses) {
    size_t absent = numAllNodes > statuses.size() ? numAllNodes - statuses.size() : 0;
    NodeStatus notHelpful{
        NodeStatus::Code::UnschedulableAndUnresolvable, Plugin::NodeResourcesFit, {NotHelpful}};
    for (size_t i = 0; i < absent; ++i) {
        statuses.emplace_back(std::string(), notHelpful);
    }
    Diagnosis diagnosis;
    diagnosis.nodeStatuses = std::move(statuses);
    return "preemption: " + fitErrorMessage(numAllNodes, diagnosis);
}

} // namespace

bool Preemptor::selectVictims(const PodInfo& pod, const CycleState& state, const NodeInfo& node,
                              const SchedulerCache& cache, std::vector<PodInfoPtr>& victims,
                              NodeStatus& status) {
    std::vector<PodInfoPtr> potential;
    for (const PodInfoPtr& p : node.pods()) {
        if (p->priority < pod.priority) {
            potential.push_back(p);
        }
    }
    if (potential.empty()) {
        status.code = NodeStatus::Code::UnschedulableAndUnresolvable;
        status.reasons.assign(1, NoVictims);
        return false;
    }
    NodeInfo trial = node;
    CycleState s = state;
    const NodeSpec& spec = *node.node();
    for (const PodInfoPtr& p : potential) {
        trial.removePod(p->uid);
        s.updateWithPod(*p, spec, -1, cache);
    }
    NominatedLoad load;
    bool hasLoad = nominatedLoad(pod, node.name(), cache, load);
    const NominatedLoad* nominated = hasLoad ? &load : nullptr;
    if (!filterNode(s, trial, nominated, status)) {
        return false;
    }
    // Put back the most important pods first while the pod still fits; the rest are victims.
    std::sort(potential.begin(), potential.end(), moreImportant);
    NodeStatus scratch;
    for (const PodInfoPtr& p : potential) {
        trial.addPod(p);
        s.updateWithPod(*p, spec, 1, cache);
        if (filterNode(s, trial, nominated, scratch)) {
            continue;
        }
        trial.removePod(p->uid);
        s.updateWithPod(*p, spec, -1, cache);
        victims.push_back(p);
    }
    return true;
}

size_t Preemptor::pickCandidate(const std::vector<Candidate>& candidates) const {
    for (size_t i = 0; i < candidates.size(); ++i) {
        if (candidates[i].victims.empty()) {
            return i;
        }
    }
    std::vector<size_t> current(candidates.size());
    for (size_t i = 0; i < candidates.size(); ++i) {
        current[i] = i;
    }
    // Keeps the candidates minimizing `key`.
    auto narrow = [&](auto key) {
        using Key = decltype(key(candidates[0]));
        Key best = key(candidates[current[0]]);
        std::vector<size_t> next;
        for (size_t i : current) {
            Key k = key(candidates[i]);
            if (k < best) {
                best = k;
                next.clear();
            }
            if (k == best) {
                next.push_back(i);
            }
        }
        current = std::move(next);
    };
    // Lowest highest-priority victim.
    narrow([](const Candidate& c) { return c.victims.front()->priority; });
    if (current.size() > 1) {
        // Smallest sum of priorities (offset so negative priorities count as small).
        narrow([](const Candidate& c) {
            int64_t sum = 0;
            for (const PodInfoPtr& v : c.victims) {
                sum += static_cast<int64_t>(v->priority) + std::numeric_limits<int32_t>::max() + 1;
            }
            return sum;
        });
    }
    if (current.size() > 1) {
        narrow([](const Candidate& c) { return c.victims.size(); });
    }
    if (current.size() > 1) {
        // The latest start among the highest-priority victims wins: negate to minimize.
        narrow([](const Candidate& c) {
            int32_t top = c.victims.front()->priority;
            TimePoint earliest = TimePoint::max();
            for (const PodInfoPtr& v : c.victims) {
                if (v->priority == top) {
                    earliest = std::min(earliest, startTimeOf(*v));
                }
            }
            return -earliest.time_since_epoch().count();
        });
    }
    return current.front();
}

PreemptionResult Preemptor::preempt(const PodInfo& pod, const CycleState& state,
                                    const Diagnosis& diagnosis, const SchedulerCache& cache) {
    PreemptionResult result;
    if (pod.preemptionPolicy == "Never") {
        result.message = "preemption: not eligible due to preemptionPolicy=Never.";
        return result;
    }
    const size_t numAllNodes = cache.nodes().size();
    if (!pod.nominatedNodeName.empty()) {
        auto it =
            std::find_if(diagnosis.nodeStatuses.begin(), diagnosis.nodeStatuses.end(),
                         [&](const auto& entry) { return entry.first == pod.nominatedNodeName; });
        bool unresolvable = it != diagnosis.nodeStatuses.end() &&
                            it->second.code == NodeStatus::Code::UnschedulableAndUnresolvable;
        const NodeInfo* nominated = cache.nodeInfo(pod.nominatedNodeName);
        if (!unresolvable && nominated != nullptr) {
            for (const PodInfoPtr& p : nominated->pods()) {
                if (p->priority < pod.priority && p->terminating) {
                    result.message = "preemption: not eligible due to a terminating pod on the "
                                     "nominated node.";
                    return result;
                }
            }
        }
    }

    std::vector<const NodeInfo*> potential;
    for (const auto& [name, status] : diagnosis.nodeStatuses) {
        if (status.code != NodeStatus::Code::Unschedulable) {
            continue;
        }
        const NodeInfo* info = cache.nodeInfo(name);
        if (info != nullptr && info->node() != nullptr) {
            potential.push_back(info);
        }
    }
    result.clearOwnNomination = true;
    if (potential.empty()) {
        result.message = failureMessage(numAllNodes, {});
        return result;
    }
    const auto n = static_cast<int32_t>(potential.size());
    int32_t wanted = std::max(n * MinCandidateNodesPercentage / 100, MinCandidateNodesAbsolute);
    wanted = std::min(wanted, n);
    size_t offset = std::uniform_int_distribution<size_t>(0, potential.size() - 1)(m_random);

    std::vector<Candidate> candidates;
    std::vector<std::pair<std::string, NodeStatus>> statuses;
    for (size_t i = 0; i < potential.size(); ++i) {
        const NodeInfo& info = *potential[(offset + i) % potential.size()];
        Candidate candidate{info.name(), {}};
        NodeStatus status;
        if (selectVictims(pod, state, info, cache, candidate.victims, status)) {
            candidates.push_back(std::move(candidate));
            if (static_cast<int32_t>(candidates.size()) >= wanted) {
                break;
            }
            continue;
        }
        statuses.emplace_back(info.name(), std::move(status));
    }
    if (candidates.empty()) {
        result.message = failureMessage(numAllNodes, std::move(statuses));
        return result;
    }
    Candidate& chosen = candidates[pickCandidate(candidates)];
    result.clearOwnNomination = false;
    result.nominatedNode = chosen.node;
    result.victims = std::move(chosen.victims);
    for (const PodInfoPtr& p : cache.nominatedPods(result.nominatedNode)) {
        if (p->priority < pod.priority && p->uid != pod.uid) {
            result.clearNominations.push_back(p);
        }
    }
    return result;
}

CycleOutcome scheduleWithPreemption(GenericScheduler& algorithm, Preemptor& preemptor,
                                    const PodInfo& pod, const SchedulerCache& cache) {
    CycleOutcome outcome;
    outcome.result = algorithm.schedule(pod, cache);
    if (!outcome.result.node.empty()) {
        return outcome;
    }
    if (!outcome.result.error.empty()) {
        outcome.reason = "SchedulerError";
        outcome.message = outcome.result.error;
        return outcome;
    }
    Diagnosis& diagnosis = outcome.result.diagnosis;
    CycleState state = prepareCycle(pod, cache);
    outcome.preemption = preemptor.preempt(pod, state, diagnosis, cache);
    diagnosis.postFilterMessage = outcome.preemption->message;
    outcome.reason = "Unschedulable";
    outcome.message = fitErrorMessage(outcome.result.numAllNodes, diagnosis);
    outcome.unschedulablePlugins = diagnosis.unschedulablePlugins;
    return outcome;
}

} // namespace pilot::scheduler
