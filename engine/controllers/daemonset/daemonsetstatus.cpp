// DaemonSetController: the status kubectl and `rollout status` read.

#include "engine/controllers/daemonset/daemonsetcontroller.h"

#include "engine/controllers/common/podutil.h"
#include "engine/controllers/daemonset/daemonsetutil.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <array>
#include <utility>

namespace pilot::controllers {
namespace json = boost::json;
using namespace daemonset;

namespace {

constexpr int StatusUpdateRetries = 1;

struct Counts {
    int64_t desiredNumberScheduled = 0;
    int64_t currentNumberScheduled = 0;
    int64_t numberMisscheduled = 0;
    int64_t numberReady = 0;
    int64_t updatedNumberScheduled = 0;
    int64_t numberAvailable = 0;
    int64_t numberUnavailable = 0;

    [[nodiscard]] std::array<std::pair<std::string_view, int64_t>, 7> fields() const {
        return {{{"desiredNumberScheduled", desiredNumberScheduled},
                 {"currentNumberScheduled", currentNumberScheduled},
                 {"numberMisscheduled", numberMisscheduled},
                 {"numberReady", numberReady},
                 {"updatedNumberScheduled", updatedNumberScheduled},
                 {"numberAvailable", numberAvailable},
                 {"numberUnavailable", numberUnavailable}}};
    }
};

int64_t statusInt(const json::object& ds, std::string_view field) {
    const json::object* status = kube::objectAt(ds, "status");
    return status ? kube::integerAt(*status, field).value_or(0) : 0;
}

/// Writes the counts into `status` as the Go type serialises them: the first four always, the
/// others only when non-zero.
void setCounts(json::object& status, const Counts& counts) {
    for (const auto& [field, value] : counts.fields()) {
        const bool always = field == "desiredNumberScheduled" ||
                            field == "currentNumberScheduled" || field == "numberMisscheduled" ||
                            field == "numberReady";
        if (value == 0 && !always) {
            status.erase(field);
        } else {
            status[field] = value;
        }
    }
}

} // namespace

Status DaemonSetController::updateStatus(const json::object& ds,
                                         const std::vector<kube::ObjectPtr>& nodes,
                                         const PodList& pods, const std::string& hash,
                                         bool updateObservedGeneration) {
    NodePods nodePods = nodeToDaemonPods(pods, false);
    const TimePoint now = m_clock.now();
    const int64_t minReady = minReadySeconds(ds);
    const std::optional<int64_t> generation = templateGeneration(ds);
    Counts counts;
    for (const kube::ObjectPtr& node : nodes) {
        const bool shouldRun = nodeShouldRunDaemonPod(*node, ds).shouldRun;
        auto found = nodePods.find(kube::name(*node));
        const bool scheduled = found != nodePods.end() && !found->second.empty();
        if (!shouldRun) {
            if (scheduled) {
                ++counts.numberMisscheduled;
            }
            continue;
        }
        ++counts.desiredNumberScheduled;
        if (!scheduled) {
            continue;
        }
        ++counts.currentNumberScheduled;
        PodList onNode = found->second;
        sortByCreationAndPhase(onNode);
        const json::object& pod = *onNode.front();
        if (isPodReady(pod)) {
            ++counts.numberReady;
            if (isPodAvailable(pod, minReady, now)) {
                ++counts.numberAvailable;
            }
        }
        if (isPodUpdated(pod, hash, generation)) {
            ++counts.updatedNumberScheduled;
        }
    }
    counts.numberUnavailable = counts.desiredNumberScheduled - counts.numberAvailable;

    // Look again once ready pods have been ready long enough (and against clock skew).
    if (minReady > 0 && counts.numberReady != counts.numberAvailable) {
        enqueueAfter(kube::objectKey(ds), std::chrono::seconds(minReady));
    }

    bool unchanged = statusInt(ds, "observedGeneration") >= kube::generation(ds);
    for (const auto& [field, value] : counts.fields()) {
        unchanged = unchanged && statusInt(ds, field) == value;
    }
    if (unchanged) {
        return {};
    }
    json::object candidate = ds;
    for (int attempt = 0;; ++attempt) {
        json::object* status = kube::ensureObject(candidate, "status");
        if (status == nullptr) {
            candidate["status"] = json::object();
            status = &candidate["status"].as_object();
        }
        if (updateObservedGeneration) {
            (*status)["observedGeneration"] = kube::generation(ds);
        }
        setCounts(*status, counts);
        auto written = m_client.updateStatus(kube::resources::DaemonSets, candidate);
        if (written) {
            return {};
        }
        if (attempt >= StatusUpdateRetries) {
            return std::unexpected(written.error().toError());
        }
        auto fresh =
            m_client.get(kube::resources::DaemonSets, kube::namespaceOf(ds), kube::name(ds));
        if (!fresh) {
            return std::unexpected(fresh.error().toError());
        }
        candidate = std::move(*fresh);
    }
}

} // namespace pilot::controllers
