#include "engine/controllers/disruption/disruptioncontroller.h"

#include "core/log.h"
#include "engine/controllers/deployment/deploymentutil.h"
#include "engine/controllers/disruption/pdbstatus.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/labelselector.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace pilot::controllers {
namespace json = boost::json;
using kube::objectAt;

namespace {

constexpr std::string_view Component = "disruption-controller";
/// Upstream's disruption controller records its Events as the controller manager.
constexpr std::string_view EventSource = "controllermanager";
constexpr std::string_view NamespaceIndex = "namespace";

const kube::ApiResource ReplicationControllers{"", "v1", "replicationcontrollers", true};

Result<kube::LabelSelector> selectorOf(const json::object& pdb) {
    const json::object* spec = objectAt(pdb, "spec");
    return kube::LabelSelector::fromJson(spec ? spec->if_contains("selector") : nullptr);
}

/// metav1.FormatLabelSelector-ish text for the UnmanagedPods Event.
std::string selectorText(const json::object& pdb) {
    auto selector = selectorOf(pdb);
    if (!selector) {
        return "<error>";
    }
    if (selector->matchesNothing()) {
        return "<none>";
    }
    std::string text = selector->toString();
    return text.empty() ? "<none>" : text;
}

} // namespace

DisruptionController::DisruptionController(kube::ApiClient& client)
    : DisruptionController(client, Options{}) {}

DisruptionController::DisruptionController(kube::ApiClient& client, Options options)
    : QueueController(std::string(Component), options.workers), m_client(client),
      m_options(std::move(options)), m_clock(m_options.clock ? *m_options.clock : m_systemClock),
      m_events(client, std::string(EventSource), m_options.clock) {}

DisruptionController::~DisruptionController() {
    stop();
}

void DisruptionController::stop() {
    QueueController::stop();
    m_events.stop();
}

void DisruptionController::setUp(SharedInformers& informers) {
    informers.addIndex(PodDisruptionBudgets, std::string(NamespaceIndex), kube::namespaceIndex());
    informers.addIndex(kube::resources::Pods, std::string(NamespaceIndex), kube::namespaceIndex());
    m_budgets = &informers.forResource(PodDisruptionBudgets);
    m_pods = &informers.forResource(kube::resources::Pods);
    disruption::ControllerFinder::Informers finderInformers;
    finderInformers.replicaSets = &informers.forResource(kube::resources::ReplicaSets);
    finderInformers.deployments = &informers.forResource(kube::resources::Deployments);
    finderInformers.replicationControllers = &informers.forResource(ReplicationControllers);
    finderInformers.statefulSets = &informers.forResource(kube::resources::StatefulSets);
    m_finder = std::make_unique<disruption::ControllerFinder>(m_client, finderInformers);

    kube::InformerHandlers budgetHandlers = enqueueHandlers();
    m_budgets->addHandlers(std::move(budgetHandlers));

    kube::InformerHandlers podHandlers;
    podHandlers.onAdd = [this](const kube::ObjectPtr& p) { onPod(p); };
    podHandlers.onUpdate = [this](const kube::ObjectPtr& old, const kube::ObjectPtr& p) {
        onPod(p);
        const json::object* before = kube::labels(*old);
        const json::object* after = kube::labels(*p);
        if ((before == nullptr) != (after == nullptr) || (before && *before != *after)) {
            onPod(old);
        }
    };
    podHandlers.onDelete = [this](const kube::ObjectPtr& p) { onPod(p); };
    m_pods->addHandlers(std::move(podHandlers));
}

void DisruptionController::onPod(const kube::ObjectPtr& pod) {
    const json::object* podLabels = kube::labels(*pod);
    for (const kube::ObjectPtr& pdb :
         m_budgets->cache().byIndex(NamespaceIndex, kube::namespaceOf(*pod))) {
        auto selector = selectorOf(*pdb);
        if (selector && selector->matches(podLabels)) {
            enqueue(kube::objectKey(*pdb));
        }
    }
}

Status DisruptionController::reconcile(const std::string& key) {
    kube::ObjectPtr pdb = m_budgets->cache().get(key);
    if (!pdb) {
        return {};
    }
    Status synced = trySync(*pdb);
    if (!synced && synced.error().code == ErrorCode::Conflict) {
        return synced; // requeued without the fail-safe
    }
    if (!synced) {
        log::warn(Component, "{}: failed to sync PDB: {}", key, synced.error().message);
        return failSafe(*pdb, synced.error());
    }
    return {};
}

Result<std::vector<kube::ObjectPtr>> DisruptionController::podsFor(const json::object& pdb) const {
    auto selector = selectorOf(pdb);
    if (!selector) {
        return std::unexpected(selector.error());
    }
    std::vector<kube::ObjectPtr> pods;
    for (const kube::ObjectPtr& pod :
         m_pods->cache().byIndex(NamespaceIndex, kube::namespaceOf(pdb))) {
        if (selector->matches(kube::labels(*pod))) {
            pods.push_back(pod);
        }
    }
    return pods;
}

Result<DisruptionController::Expected>
DisruptionController::expectedPodCount(const json::object& pdb,
                                       const std::vector<kube::ObjectPtr>& pods) const {
    Expected result;
    const json::object* spec = objectAt(pdb, "spec");
    const json::value* maxUnavailable = spec ? spec->if_contains("maxUnavailable") : nullptr;
    const json::value* minAvailable = spec ? spec->if_contains("minAvailable") : nullptr;
    if (maxUnavailable && !maxUnavailable->is_null()) {
        auto scale = disruption::expectedScale(*m_finder, pods);
        if (!scale) {
            return std::unexpected(scale.error());
        }
        result.expectedPods = scale->expected;
        result.unmanagedPods = std::move(scale->unmanagedPods);
        auto unavailable = deployment::scaledValue(maxUnavailable, result.expectedPods, true);
        if (!unavailable) {
            return std::unexpected(unavailable.error());
        }
        result.desiredHealthy = std::max<int64_t>(0, result.expectedPods - *unavailable);
        return result;
    }
    if (!minAvailable || minAvailable->is_null()) {
        return result;
    }
    if (minAvailable->is_number()) {
        result.desiredHealthy = kube::asInteger(*minAvailable).value_or(0);
        result.expectedPods = static_cast<int64_t>(pods.size());
        return result;
    }
    auto scale = disruption::expectedScale(*m_finder, pods);
    if (!scale) {
        return std::unexpected(scale.error());
    }
    result.expectedPods = scale->expected;
    result.unmanagedPods = std::move(scale->unmanagedPods);
    auto available = deployment::scaledValue(minAvailable, result.expectedPods, true);
    if (!available) {
        return std::unexpected(available.error());
    }
    result.desiredHealthy = *available;
    return result;
}

Status DisruptionController::trySync(const json::object& pdb) {
    auto pods = podsFor(pdb);
    if (!pods) {
        m_events.warning(pdb, "NoPods", "Failed to get pods: " + pods.error().message);
        return std::unexpected(pods.error());
    }
    if (pods->empty()) {
        m_events.normal(pdb, "NoPods", "No matching pods found");
    }
    auto expected = expectedPodCount(pdb, *pods);
    if (!expected) {
        m_events.warning(pdb, "CalculateExpectedPodCountFailed",
                         "Failed to calculate the number of expected pods: " +
                             expected.error().message);
        return std::unexpected(expected.error());
    }
    if (!expected->unmanagedPods.empty()) {
        m_events.warning(
            pdb, "UnmanagedPods",
            fmt::format("Pods selected by this PodDisruptionBudget (selector: {}) were found to "
                        "be unmanaged. As a result, the status of the PDB cannot be calculated "
                        "correctly, which may result in undefined behavior. To account for these "
                        "pods please set \".spec.minAvailable\" field of the PDB to an integer "
                        "value.",
                        selectorText(pdb)));
    }

    TimePoint now = m_clock.now();
    disruption::DisruptedPods disrupted = disruption::buildDisruptedPods(*pods, pdb, now);
    for (const std::string& podName : disrupted.notDeleted) {
        if (kube::ObjectPtr pod =
                m_pods->cache().get(kube::objectKey(kube::namespaceOf(pdb), podName))) {
            // Upstream names the budget as <namespace>/<namespace>; kept for fidelity.
            m_events.warning(*pod, "NotDeleted",
                             fmt::format("Pod was expected by PDB {}/{} to be deleted but it "
                                         "wasn't",
                                         kube::namespaceOf(pdb), kube::namespaceOf(pdb)));
        }
    }
    disruption::BudgetNumbers numbers;
    numbers.currentHealthy = disruption::countHealthyPods(*pods, disrupted.entries, now);
    numbers.desiredHealthy = expected->desiredHealthy;
    numbers.expectedPods = expected->expectedPods;
    numbers.disruptedPods = std::move(disrupted.entries);

    Status written;
    if (!disruption::statusUpToDate(pdb, numbers)) {
        written = writeStatus(pdb, disruption::desiredStatus(pdb, numbers, now));
    }
    if (written && disrupted.recheckAt) {
        std::string key = kube::objectKey(pdb);
        if (m_options.requeueAt) {
            m_options.requeueAt(key, *disrupted.recheckAt);
        } else {
            enqueueAfter(key, *disrupted.recheckAt - now);
        }
    }
    return written;
}

Status DisruptionController::failSafe(const json::object& pdb, const Error& error) {
    return writeStatus(pdb, disruption::failSafeStatus(pdb, error.message, m_clock.now()));
}

Status DisruptionController::writeStatus(const json::object& pdb, json::object status) {
    json::object updated = pdb;
    updated["status"] = std::move(status);
    auto result = m_client.updateStatus(PodDisruptionBudgets, updated);
    if (!result) {
        if (kube::isNotFound(result.error())) {
            return {};
        }
        return std::unexpected(result.error().toError());
    }
    return {};
}

} // namespace pilot::controllers
