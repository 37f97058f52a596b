#include "engine/controllers/nodelifecycle/tainteviction.h"

#include "core/log.h"
#include "engine/controllers/nodelifecycle/nodetaints.h"
#include "engine/scheduler/taints.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <optional>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

constexpr std::string_view Component = "taint-eviction-controller";
constexpr std::string_view NodeNameIndex = "spec.nodeName";
constexpr std::string_view NodePrefix = "n:";
constexpr std::string_view PodPrefix = "p:";
constexpr std::string_view EvictPrefix = "e:";

std::string nodeNameOf(const json::object& pod) {
    return kube::stringAt(kube::objectAt(pod, "spec"), "nodeName");
}

json::array tolerationsOf(const json::object& pod) {
    const json::object* spec = kube::objectAt(pod, "spec");
    const json::array* tolerations = spec ? kube::arrayAt(*spec, "tolerations") : nullptr;
    return tolerations ? *tolerations : json::array();
}

scheduler::Taint taintOf(const json::object& taint) {
    return scheduler::Taint{kube::stringAt(taint, "key"), kube::stringAt(taint, "value"),
                            kube::stringAt(taint, "effect")};
}

/// GetMatchingTolerations then getMinTolerationTime: nullopt when some taint is not
/// tolerated; else how long the pod may stay (negative: forever).
std::optional<std::chrono::seconds> tolerationTime(const std::vector<json::object>& taints,
                                                   const json::array& tolerations) {
    std::vector<std::optional<int64_t>> used; // tolerationSeconds of the tolerations used
    for (const json::object& taint : taints) {
        bool found = false;
        for (const json::value& t : tolerations) {
            const json::object* toleration = t.if_object();
            if (toleration == nullptr) {
                continue;
            }
            scheduler::Toleration parsed{
                kube::stringAt(*toleration, "key"), kube::stringAt(*toleration, "operator"),
                kube::stringAt(*toleration, "value"), kube::stringAt(*toleration, "effect")};
            if (parsed.tolerates(taintOf(taint))) {
                used.push_back(kube::integerAt(*toleration, "tolerationSeconds"));
                found = true;
                break;
            }
        }
        if (!found) {
            return std::nullopt;
        }
    }
    if (used.empty()) {
        return std::chrono::seconds(0);
    }
    std::optional<int64_t> shortest;
    for (const std::optional<int64_t>& seconds : used) {
        if (!seconds) {
            continue;
        }
        if (*seconds <= 0) {
            return std::chrono::seconds(0);
        }
        if (!shortest || *seconds < *shortest) {
            shortest = seconds;
        }
    }
    return shortest ? std::chrono::seconds(*shortest) : std::chrono::seconds(-1);
}

/// The reference upstream's taint manager records Events on: no uid.
json::object podReference(std::string_view podKey) {
    auto [ns, name] = kube::splitObjectKey(podKey);
    return json::object{{"apiVersion", "v1"},
                        {"kind", "Pod"},
                        {"metadata", json::object{{"name", name}, {"namespace", ns}}}};
}

} // namespace

TaintEvictionController::TaintEvictionController(kube::ApiClient& client)
    : TaintEvictionController(client, Options{}) {}

TaintEvictionController::TaintEvictionController(kube::ApiClient& client, Options options)
    : QueueController(std::string(Component), options.workers), m_client(client),
      m_options(options), m_clock(options.clock ? *options.clock : m_systemClock),
      // Events carry real time: they are named by their timestamp, and two recorders writing
      // about one pod at the same instant of a manual clock would pick the same name.
      m_events(client, std::string(Component), nullptr) {}

TaintEvictionController::~TaintEvictionController() {
    stop();
}

void TaintEvictionController::stop() {
    QueueController::stop();
    m_events.stop();
}

void TaintEvictionController::setUp(SharedInformers& informers) {
    informers.addIndex(kube::resources::Pods, std::string(NodeNameIndex),
                       kube::fieldIndex("spec.nodeName"));
    m_nodes = &informers.forResource(kube::resources::Nodes);
    m_pods = &informers.forResource(kube::resources::Pods);

    auto nodeKey = [](const kube::ObjectPtr& node) {
        return std::string(NodePrefix) + std::string(kube::name(*node));
    };
    kube::InformerHandlers nodes;
    nodes.onAdd = [this, nodeKey](const kube::ObjectPtr& node) { enqueue(nodeKey(node)); };
    nodes.onUpdate = [this, nodeKey](const kube::ObjectPtr& old, const kube::ObjectPtr& node) {
        std::vector<json::object> before = noExecuteTaints(*old);
        std::vector<json::object> after = noExecuteTaints(*node);
        if (before.size() != after.size() ||
            !std::equal(before.begin(), before.end(), after.begin(),
                        [](const json::object& a, const json::object& b) {
                            return kube::jsonEqual(a, b);
                        })) {
            enqueue(nodeKey(node));
        }
    };
    nodes.onDelete = [this, nodeKey](const kube::ObjectPtr& node) { enqueue(nodeKey(node)); };
    m_nodes->addHandlers(std::move(nodes));

    auto podKey = [](const kube::ObjectPtr& pod) {
        return std::string(PodPrefix) + kube::objectKey(*pod);
    };
    kube::InformerHandlers pods;
    // A pod on no node has nothing to evict (upstream handlePodUpdate returns for it), and its
    // nodeName is never unset once bound: unbound pods, most of every burst of creates, skip
    // the queue.
    pods.onAdd = [this, podKey](const kube::ObjectPtr& pod) {
        if (!nodeNameOf(*pod).empty()) {
            enqueue(podKey(pod));
        }
    };
    pods.onUpdate = [this, podKey](const kube::ObjectPtr& old, const kube::ObjectPtr& pod) {
        if (nodeNameOf(*old) != nodeNameOf(*pod) ||
            !kube::jsonEqual(tolerationsOf(*old), tolerationsOf(*pod))) {
            enqueue(podKey(pod));
        }
    };
    pods.onDelete = [this, podKey](const kube::ObjectPtr& pod) {
        if (!nodeNameOf(*pod).empty()) {
            enqueue(podKey(pod));
        }
    };
    m_pods->addHandlers(std::move(pods));
}

void TaintEvictionController::requeueAt(const std::string& key, TimePoint at) {
    const TimePoint now = m_clock.now();
    if (at <= now) {
        enqueue(key);
        return;
    }
    if (m_options.requeueAt) {
        m_options.requeueAt(key, at);
        return;
    }
    enqueueAfter(key, at - now);
}

void TaintEvictionController::resync() {
    std::vector<std::string> pending;
    {
        std::lock_guard lock(m_mutex);
        for (const auto& [key, work] : m_work) {
            if (!work.done) {
                pending.push_back(key);
            }
        }
    }
    for (const std::string& key : pending) {
        enqueue(std::string(EvictPrefix) + key);
    }
}

Status TaintEvictionController::reconcile(const std::string& key) {
    std::string_view rest = std::string_view(key).substr(2);
    if (key.starts_with(NodePrefix)) {
        handleNodeUpdate(std::string(rest));
        return {};
    }
    if (key.starts_with(PodPrefix)) {
        handlePodUpdate(std::string(rest));
        return {};
    }
    return fire(std::string(rest));
}

void TaintEvictionController::handleNodeUpdate(const std::string& name) {
    kube::ObjectPtr node = m_nodes->cache().get(name);
    std::vector<json::object> taints = node ? noExecuteTaints(*node) : std::vector<json::object>();
    {
        std::lock_guard lock(m_mutex);
        if (taints.empty()) {
            m_taintedNodes.erase(name);
        } else {
            m_taintedNodes[name] = taints;
        }
    }
    if (!node) {
        return;
    }
    // The taints are recorded first: pods that show up later are checked against them.
    std::vector<kube::ObjectPtr> pods = m_pods->cache().byIndex(NodeNameIndex, name);
    const TimePoint now = m_clock.now();
    for (const kube::ObjectPtr& pod : pods) {
        if (taints.empty()) {
            cancelWork(kube::objectKey(*pod));
        } else {
            processPodOnNode(kube::objectKey(*pod), *pod, taints, now);
        }
    }
}

void TaintEvictionController::handlePodUpdate(const std::string& podKey) {
    kube::ObjectPtr pod = m_pods->cache().get(podKey);
    if (!pod) {
        cancelWork(podKey);
        return;
    }
    std::string node = nodeNameOf(*pod);
    if (node.empty()) {
        return;
    }
    std::vector<json::object> taints;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_taintedNodes.find(node);
        if (it == m_taintedNodes.end()) {
            return;
        }
        taints = it->second;
    }
    processPodOnNode(podKey, *pod, taints, m_clock.now());
}

void TaintEvictionController::processPodOnNode(const std::string& podKey, const json::object& pod,
                                               const std::vector<json::object>& taints,
                                               TimePoint now) {
    std::optional<std::chrono::seconds> allowed = tolerationTime(taints, tolerationsOf(pod));
    if (!allowed) {
        log::debug(Component, "not all taints of node {} are tolerated by pod {}", nodeNameOf(pod),
                   podKey);
        cancelWork(podKey);
        addWork(podKey, now, now);
        return;
    }
    if (allowed->count() < 0) {
        cancelWork(podKey); // tolerated forever
        return;
    }
    TimePoint start = now;
    {
        std::lock_guard lock(m_mutex);
        auto scheduled = m_work.find(podKey);
        if (scheduled != m_work.end() && !scheduled->second.done) {
            start = scheduled->second.createdAt;
            if (start + *allowed < now + *allowed) {
                return; // the deletion already scheduled stands
            }
        }
    }
    cancelWork(podKey);
    addWork(podKey, start, start + *allowed);
}

void TaintEvictionController::addWork(const std::string& podKey, TimePoint createdAt,
                                      TimePoint fireAt) {
    {
        std::lock_guard lock(m_mutex);
        if (!m_work.try_emplace(podKey, Work{createdAt, fireAt, false}).second) {
            return; // scheduled or carried out already
        }
    }
    requeueAt(std::string(EvictPrefix) + podKey, fireAt);
}

void TaintEvictionController::cancelWork(const std::string& podKey) {
    bool pending = false;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_work.find(podKey);
        if (it == m_work.end()) {
            return;
        }
        pending = !it->second.done;
        m_work.erase(it);
    }
    if (pending) {
        m_events.normal(podReference(podKey), "TaintManagerEviction",
                        fmt::format("Cancelling deletion of Pod {}", podKey));
    }
}

Status TaintEvictionController::fire(const std::string& podKey) {
    std::optional<TimePoint> notYet;
    {
        std::lock_guard lock(m_mutex);
        auto it = m_work.find(podKey);
        if (it == m_work.end() || it->second.done) {
            return {};
        }
        if (m_clock.now() < it->second.fireAt) {
            notYet = it->second.fireAt;
        } else {
            it->second.done = true;
        }
    }
    if (notYet) {
        requeueAt(std::string(EvictPrefix) + podKey, *notYet);
        return {};
    }
    Status evicted = evict(podKey);
    if (!evicted) {
        std::lock_guard lock(m_mutex);
        if (auto it = m_work.find(podKey); it != m_work.end()) {
            it->second.done = false; // retried with back-off
        }
    }
    return evicted;
}

Status TaintEvictionController::evict(const std::string& podKey) {
    auto [ns, name] = kube::splitObjectKey(podKey);
    log::info(Component, "deleting pod {}", podKey);
    m_events.normal(podReference(podKey), "TaintManagerEviction",
                    fmt::format("Marking for deletion Pod {}", podKey));
    auto pod = m_client.get(kube::resources::Pods, ns, name);
    if (!pod) {
        return kube::isNotFound(pod.error()) ? Status{} : std::unexpected(pod.error().toError());
    }
    const json::object* existing = conditionOf(*pod, "DisruptionTarget");
    const bool marked = existing && kube::stringAt(*existing, "status") == "True" &&
                        kube::stringAt(*existing, "reason") == "DeletionByTaintManager";
    if (!marked) {
        json::object condition{{"type", "DisruptionTarget"},
                               {"status", "True"},
                               {"lastTransitionTime", formatTime(m_clock.now())},
                               {"reason", "DeletionByTaintManager"},
                               {"message", "Taint manager: deleting due to NoExecute taint"}};
        json::object patch{
            {"status", json::object{{"conditions", json::array{std::move(condition)}}}}};
        kube::PatchOptions options;
        options.subresource = "status";
        auto patched =
            m_client.patch(kube::resources::Pods, ns, name, kube::PatchType::StrategicMerge,
                           json::serialize(patch), options);
        if (!patched) {
            return kube::isNotFound(patched.error()) ? Status{}
                                                     : std::unexpected(patched.error().toError());
        }
    }
    auto removed = m_client.remove(kube::resources::Pods, ns, name);
    if (!removed && !kube::isNotFound(removed.error())) {
        return std::unexpected(removed.error().toError());
    }
    return {};
}

} // namespace pilot::controllers
