#include "engine/controllers/nodelifecycle/nodelifecyclecontroller.h"

#include "core/log.h"
#include "engine/controllers/nodelifecycle/nodetaints.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <algorithm>

// The zone side of the node lifecycle controller: per-zone disruption states and the
// rate-limited NoExecute tainting they govern.

namespace pilot::controllers {
namespace json = boost::json;

Status NodeLifecycleController::taintingPass() {
    const TimePoint now = m_clock.now();
    std::vector<std::pair<std::string, std::string>> due; // zone, node
    {
        std::lock_guard lock(m_mutex);
        for (auto& [zone, queue] : m_tainters) {
            for (std::string& node : queue.takeReady(now)) {
                due.emplace_back(zone, std::move(node));
            }
        }
    }
    for (const auto& [zone, name] : due) {
        kube::ObjectPtr node = m_nodes->cache().get(name);
        if (!node) {
            continue;
        }
        std::string status = readyStatus(*node);
        Result<json::object> swapped = *node;
        if (status == "False") {
            swapped = swapNodeTaints(m_client, *node, {notReadyNoExecute()},
                                     {unreachableNoExecute()}, now);
        } else if (status == "Unknown") {
            swapped = swapNodeTaints(m_client, *node, {unreachableNoExecute()},
                                     {notReadyNoExecute()}, now);
        } else if (status.empty()) {
            std::lock_guard lock(m_mutex);
            m_tainters.at(zone).retryAt(name, now + std::chrono::milliseconds(50));
            continue;
        }
        if (!swapped) {
            log::warn(Component, "node {}: cannot add its NoExecute taint: {}", name,
                      swapped.error().message);
            std::lock_guard lock(m_mutex);
            m_tainters.at(zone).retryAt(name, now);
        }
    }
    std::optional<TimePoint> next;
    {
        std::lock_guard lock(m_mutex);
        for (const auto& [zone, queue] : m_tainters) {
            if (auto at = queue.nextAttempt(now); at && (!next || *at < *next)) {
                next = at;
            }
        }
    }
    if (next) {
        requeueAt(std::string(TaintPassKey), std::max(*next, now + std::chrono::milliseconds(1)));
    }
    return {};
}

bool NodeLifecycleController::recordReadiness(const json::object& node, const std::string& status) {
    std::lock_guard lock(m_mutex);
    Readiness now{zoneKey(node), status};
    auto [it, inserted] = m_readiness.try_emplace(std::string(kube::name(node)), now);
    if (inserted) {
        return true;
    }
    bool changed = it->second.zone != now.zone || it->second.status != now.status;
    it->second = std::move(now);
    return changed;
}

void NodeLifecycleController::ensureZoneLocked(const std::string& zone, TimePoint now) {
    if (!m_zoneStates.contains(zone)) {
        m_zoneStates[zone] = ZoneState::Initial;
    }
    m_tainters.try_emplace(zone, m_options.evictionRate, now);
}

void NodeLifecycleController::setLimiterLocked(const std::string& zone, size_t zoneSize,
                                               ZoneState state, TimePoint now) {
    RateLimitedQueue& queue =
        m_tainters.try_emplace(zone, m_options.evictionRate, now).first->second;
    switch (state) {
    case ZoneState::Normal:
    case ZoneState::FullDisruption:
        queue.swapLimiter(m_options.evictionRate, now);
        break;
    case ZoneState::PartialDisruption:
        queue.swapLimiter(static_cast<int>(zoneSize) > m_options.largeClusterThreshold
                              ? m_options.secondaryEvictionRate
                              : 0,
                          now);
        break;
    case ZoneState::Initial:
        break;
    }
}

NodeLifecycleController::ZoneState
NodeLifecycleController::computeZoneState(const std::vector<std::string>& statuses) const {
    const auto ready = static_cast<size_t>(std::count(statuses.begin(), statuses.end(), "True"));
    const size_t notReady = statuses.size() - ready;
    if (ready == 0 && notReady > 0) {
        return ZoneState::FullDisruption;
    }
    if (notReady > 2 && static_cast<double>(notReady) / static_cast<double>(statuses.size()) >=
                            m_options.unhealthyZoneThreshold) {
        return ZoneState::PartialDisruption;
    }
    return ZoneState::Normal;
}

void NodeLifecycleController::handleDisruption() {
    std::lock_guard serial(m_disruptionMutex);
    const TimePoint now = m_clock.now();
    enum class Action { None, Enter, Exit, Adjust } action = Action::None;
    std::vector<std::string> silentNodes;
    {
        std::lock_guard lock(m_mutex);
        std::map<std::string, std::vector<std::string>> byZone;
        for (const auto& [name, readiness] : m_readiness) {
            byZone[readiness.zone].push_back(readiness.status);
        }
        std::map<std::string, ZoneState> newStates;
        bool allAreFullyDisrupted = true;
        for (const auto& [zone, statuses] : byZone) {
            ZoneState state = computeZoneState(statuses);
            allAreFullyDisrupted = allAreFullyDisrupted && state == ZoneState::FullDisruption;
            newStates[zone] = state;
            ensureZoneLocked(zone, now);
        }
        bool allWereFullyDisrupted = true;
        for (auto it = m_zoneStates.begin(); it != m_zoneStates.end();) {
            if (!byZone.contains(it->first)) {
                it = m_zoneStates.erase(it);
                continue;
            }
            if (it->second != ZoneState::FullDisruption) {
                allWereFullyDisrupted = false;
                break;
            }
            ++it;
        }
        if (allAreFullyDisrupted && allWereFullyDisrupted) {
            return;
        }
        if (allAreFullyDisrupted) {
            action = Action::Enter;
            for (auto& [zone, queue] : m_tainters) {
                queue.swapLimiter(0, now);
            }
            for (auto& [zone, state] : m_zoneStates) {
                state = ZoneState::FullDisruption;
            }
        } else if (allWereFullyDisrupted) {
            action = Action::Exit;
            // Every node gets a fresh grace period.
            for (auto& [name, health] : m_health) {
                health.probeTimestamp = now;
                health.readyTransitionTimestamp = now;
                silentNodes.push_back(name);
            }
            for (auto& [zone, state] : m_zoneStates) {
                setLimiterLocked(zone, byZone[zone].size(), newStates[zone], now);
                state = newStates[zone];
            }
        } else {
            action = Action::Adjust;
            for (auto& [zone, state] : m_zoneStates) {
                if (state != newStates[zone]) {
                    setLimiterLocked(zone, byZone[zone].size(), newStates[zone], now);
                    state = newStates[zone];
                }
            }
        }
    }
    if (action == Action::Enter) {
        log::info(Component, "all nodes are not ready: entering master disruption mode");
        for (const kube::ObjectPtr& node : m_nodes->cache().list()) {
            if (auto reachable = markReachable(*node); !reachable) {
                log::warn(Component, "node {}: cannot remove its taints: {}", kube::name(*node),
                          reachable.error().message);
            }
        }
        return;
    }
    if (action == Action::Exit) {
        log::info(Component, "some nodes are ready: exiting master disruption mode");
        for (const std::string& name : silentNodes) {
            requeueAt(name, now + m_options.monitorGracePeriod + RecheckSlack);
        }
    }
    enqueue(std::string(TaintPassKey));
}

} // namespace pilot::controllers
