#include "engine/scheduler/genericscheduler.h"

#include <algorithm>

namespace pilot::scheduler {

namespace {
constexpr int32_t MinFeasibleNodesToFind = 100;
constexpr int32_t MinFeasibleNodesPercentageToFind = 5;
} // namespace

bool nominatedLoad(const PodInfo& pod, const std::string& node, const SchedulerCache& cache,
                   NominatedLoad& load) {
    if (!cache.hasNominations()) {
        return false;
    }
    const std::vector<PodInfoPtr>& nominated = cache.nominatedPods(node);
    if (nominated.empty()) {
        return false;
    }
    load = NominatedLoad{};
    bool any = false;
    for (const PodInfoPtr& p : nominated) {
        if (p->uid == pod.uid || p->priority < pod.priority) {
            continue;
        }
        load.requests.add(p->requests.requests);
        ++load.pods;
        any = true;
    }
    return any;
}

GenericScheduler::GenericScheduler(AlgorithmOptions options)
    : m_options(options), m_random(options.seed != 0 ? options.seed : std::random_device{}()) {}

int32_t GenericScheduler::numFeasibleNodesToFind(int32_t numAllNodes) const {
    if (numAllNodes < MinFeasibleNodesToFind) {
        return numAllNodes;
    }
    int32_t percentage = m_options.percentageOfNodesToScore;
    if (percentage <= 0) {
        percentage = 50 - numAllNodes / 125;
        percentage = std::max(percentage, MinFeasibleNodesPercentageToFind);
    }
    if (percentage >= 100) {
        return numAllNodes;
    }
    int32_t numNodes = numAllNodes * percentage / 100;
    return std::max(numNodes, MinFeasibleNodesToFind);
}

size_t GenericScheduler::selectHost(const std::vector<int64_t>& totals) {
    // Reservoir sampling over the nodes with the highest score.
    size_t selected = 0;
    int64_t best = totals[0];
    uint64_t ties = 1;
    for (size_t i = 1; i < totals.size(); ++i) {
        if (totals[i] > best) {
            best = totals[i];
            selected = i;
            ties = 1;
        } else if (totals[i] == best) {
            ++ties;
            if (std::uniform_int_distribution<uint64_t>(0, ties - 1)(m_random) == 0) {
                selected = i;
            }
        }
    }
    return selected;
}

ScheduleResult GenericScheduler::schedule(const PodInfo& pod, const SchedulerCache& cache) {
    ScheduleResult result;
    const std::vector<NodeInfo*>& nodes = cache.nodes();
    result.numAllNodes = nodes.size();
    if (nodes.empty()) {
        result.error = "no nodes available to schedule pods";
        return result;
    }
    if (!pod.parseError.empty()) {
        result.diagnosis.preFilterMessage = "parsing pod: " + pod.parseError;
        result.diagnosis.unschedulablePlugins = bit(Plugin::InterPodAffinity);
        NodeStatus status{NodeStatus::Code::UnschedulableAndUnresolvable,
                          Plugin::InterPodAffinity,
                          {result.diagnosis.preFilterMessage}};
        for (const NodeInfo* info : nodes) {
            result.diagnosis.nodeStatuses.emplace_back(info->name(), status);
        }
        return result;
    }
    if (m_volumes != nullptr) {
        result.volumes = m_volumes->preFilter(pod);
        if (!result.volumes.preFilterError.empty()) {
            result.diagnosis.preFilterMessage = result.volumes.preFilterError;
            result.diagnosis.unschedulablePlugins = bit(Plugin::VolumeBinding);
            NodeStatus status{NodeStatus::Code::UnschedulableAndUnresolvable,
                              Plugin::VolumeBinding,
                              {result.volumes.preFilterError}};
            for (const NodeInfo* info : nodes) {
                result.diagnosis.nodeStatuses.emplace_back(info->name(), status);
            }
            return result;
        }
    }
    CycleState state = prepareCycle(pod, cache);
    if (!result.volumes.empty()) {
        state.volumes = &result.volumes;
        state.volumeBinding = m_volumes;
    }
    NodeStatus status;
    NominatedLoad load;

    // A pod that preempted for a node tries that node first.
    if (!pod.nominatedNodeName.empty()) {
        const NodeInfo* nominated = cache.nodeInfo(pod.nominatedNodeName);
        if (nominated != nullptr && nominated->node() != nullptr) {
            bool hasLoad = nominatedLoad(pod, nominated->name(), cache, load);
            if (filterNode(state, *nominated, hasLoad ? &load : nullptr, status)) {
                result.node = nominated->name();
                result.evaluatedNodes = 1;
                result.feasibleNodes = 1;
                return result;
            }
        }
    }

    const size_t total = nodes.size();
    const size_t toFind = static_cast<size_t>(numFeasibleNodesToFind(static_cast<int32_t>(total)));
    std::vector<const NodeInfo*> feasible;
    feasible.reserve(toFind);
    size_t processed = 0;
    size_t start = m_nextStartIndex % total;
    for (; processed < total && feasible.size() < toFind; ++processed) {
        const NodeInfo* info = nodes[(start + processed) % total];
        bool hasLoad = nominatedLoad(pod, info->name(), cache, load);
        if (filterNode(state, *info, hasLoad ? &load : nullptr, status)) {
            feasible.push_back(info);
            continue;
        }
        result.diagnosis.unschedulablePlugins |= bit(status.plugin);
        result.diagnosis.nodeStatuses.emplace_back(info->name(), status);
    }
    m_nextStartIndex = (start + processed) % total;
    result.evaluatedNodes = processed;
    result.feasibleNodes = feasible.size();
    if (feasible.empty()) {
        return result;
    }
    result.diagnosis = Diagnosis{};
    if (feasible.size() == 1) {
        result.node = feasible.front()->name();
        return result;
    }
    std::vector<int64_t> totals;
    scoreNodes(pod, feasible, cache, m_options.weights, totals);
    result.node = feasible[selectHost(totals)]->name();
    return result;
}

} // namespace pilot::scheduler
