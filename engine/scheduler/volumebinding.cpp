#include "engine/scheduler/volumebinding.h"

#include "core/threadname.h"
#include "engine/controllers/volume/storagehelpers.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace pilot::scheduler {
namespace json = boost::json;
namespace storage = controllers::storage;

namespace {

constexpr std::string_view NoProvisioner = "kubernetes.io/no-provisioner";
constexpr std::string_view ReasonNodeConflict = "node(s) had volume node affinity conflict";
constexpr std::string_view ReasonBindConflict =
    "node(s) didn't find available persistent volumes to bind";

/// `spec.nodeAffinity.required` of a PersistentVolume, when it has one.
std::optional<NodeSelector> volumeAffinity(const json::object& volume) {
    const json::object* affinity = kube::objectAt(kube::objectAt(volume, "spec"), "nodeAffinity");
    const json::object* required = kube::objectAt(affinity, "required");
    if (required == nullptr) {
        return std::nullopt;
    }
    return nodeSelectorOf(*required);
}

/// A StorageClass's `allowedTopologies` as a node selector (terms ORed, expressions ANDed).
std::optional<NodeSelector> allowedTopologies(const json::object& storageClass) {
    const json::array* topologies = kube::arrayAt(storageClass, "allowedTopologies");
    if (topologies == nullptr || topologies->empty()) {
        return std::nullopt;
    }
    json::array terms;
    for (const json::value& t : *topologies) {
        json::array expressions;
        if (const json::array* labels =
                t.is_object() ? kube::arrayAt(t.get_object(), "matchLabelExpressions") : nullptr) {
            for (const json::value& l : *labels) {
                if (!l.is_object()) {
                    continue;
                }
                json::value values = json::array();
                if (const json::value* v = l.get_object().if_contains("values")) {
                    values = *v;
                }
                expressions.emplace_back(
                    json::object{{"key", kube::stringAt(l.get_object(), "key")},
                                 {"operator", "In"},
                                 {"values", values}});
            }
        }
        terms.emplace_back(json::object{{"matchExpressions", std::move(expressions)}});
    }
    return nodeSelectorOf(json::object{{"nodeSelectorTerms", std::move(terms)}});
}

bool isBound(const json::object& claim) {
    return !kube::stringAt(kube::objectAt(claim, "spec"), "volumeName").empty() &&
           kube::stringAt(kube::objectAt(claim, "status"), "phase") == "Bound";
}

} // namespace

void VolumeBinding::setUp(controllers::SharedInformers& informers, std::function<void()> onChange) {
    m_onChange = std::move(onChange);
    m_claims = &informers.forResource(kube::resources::PersistentVolumeClaims);
    m_volumes = &informers.forResource(kube::resources::PersistentVolumes);
    m_classes = &informers.forResource(storage::StorageClasses);
    kube::InformerHandlers handlers;
    handlers.onAdd = [this](const kube::ObjectPtr&) { changed(); };
    handlers.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr&) { changed(); };
    handlers.onDelete = [this](const kube::ObjectPtr&) { changed(); };
    for (kube::Informer* informer : {m_claims, m_volumes, m_classes}) {
        informer->addHandlers(handlers);
    }
}

void VolumeBinding::changed() {
    {
        std::lock_guard lock(m_mutex);
        ++m_generation;
    }
    m_changed.notify_all();
    if (m_onChange) {
        m_onChange();
    }
}

PodVolumes VolumeBinding::preFilter(const PodInfo& pod) const {
    PodVolumes out;
    if (m_claims == nullptr || !pod.object) {
        return out;
    }
    const json::object* spec = kube::objectAt(*pod.object, "spec");
    const json::array* volumes = spec ? kube::arrayAt(*spec, "volumes") : nullptr;
    if (volumes == nullptr) {
        return out;
    }
    bool unboundImmediate = false;
    for (const json::value& v : *volumes) {
        const json::object* source =
            v.is_object() ? kube::objectAt(v.get_object(), "persistentVolumeClaim") : nullptr;
        if (source == nullptr) {
            continue;
        }
        std::string claimName = kube::stringAt(*source, "claimName");
        kube::ObjectPtr claim = m_claims->cache().get(kube::objectKey(pod.ns, claimName));
        if (!claim) {
            out.preFilterError = fmt::format("persistentvolumeclaim \"{}\" not found", claimName);
            return out;
        }
        if (kube::hasDeletionTimestamp(*claim)) {
            out.preFilterError =
                fmt::format("persistentvolumeclaim \"{}\" is being deleted", claimName);
            return out;
        }
        std::string volumeName = kube::stringAt(kube::objectAt(*claim, "spec"), "volumeName");
        if (!volumeName.empty()) {
            kube::ObjectPtr volume = m_volumes->cache().get(volumeName);
            if (!volume) {
                out.preFilterError = fmt::format("pvc {}/{} is bound to nonexistent pv {}", pod.ns,
                                                 claimName, volumeName);
                return out;
            }
            if (auto affinity = volumeAffinity(*volume)) {
                out.boundAffinity.push_back(std::move(*affinity));
            }
            continue;
        }
        std::string className = storage::claimClass(*claim);
        kube::ObjectPtr storageClass =
            className.empty() ? nullptr : m_classes->cache().get(className);
        if (storageClass &&
            kube::stringAt(*storageClass, "volumeBindingMode") == "WaitForFirstConsumer") {
            out.toBind.push_back({claim, storageClass, allowedTopologies(*storageClass)});
        } else {
            unboundImmediate = true;
        }
    }
    if (unboundImmediate) {
        out.preFilterError = "pod has unbound immediate PersistentVolumeClaims";
    }
    return out;
}

kube::ObjectPtr VolumeBinding::staticMatch(const json::object& claim, const NodeSpec& node) const {
    std::vector<kube::ObjectPtr> candidates;
    for (kube::ObjectPtr& volume : m_volumes->cache().list()) {
        std::optional<NodeSelector> affinity = volumeAffinity(*volume);
        if (!affinity || affinity->matches(node.labels, node.name)) {
            candidates.push_back(std::move(volume));
        }
    }
    return storage::findBestMatch(claim, candidates, false);
}

bool VolumeBinding::filter(const PodVolumes& volumes, const NodeSpec& node,
                           std::string& reason) const {
    for (const NodeSelector& affinity : volumes.boundAffinity) {
        if (!affinity.matches(node.labels, node.name)) {
            reason = ReasonNodeConflict;
            return false;
        }
    }
    for (const PodVolumes::Claim& c : volumes.toBind) {
        if (staticMatch(*c.claim, node)) {
            continue;
        }
        bool provisions = kube::stringAt(*c.storageClass, "provisioner") != NoProvisioner;
        if (!provisions ||
            (c.allowedTopologies && !c.allowedTopologies->matches(node.labels, node.name))) {
            reason = ReasonBindConflict;
            return false;
        }
    }
    return true;
}

void VolumeBinding::bindPodVolumes(kube::ApiClient& client, const PodVolumes& volumes,
                                   const NodeSpec& node, std::chrono::milliseconds timeout,
                                   std::function<void(Status)> done) {
    Waiter waiter;
    waiter.deadline = std::chrono::steady_clock::now() + timeout;
    for (const PodVolumes::Claim& c : volumes.toBind) {
        std::string ns(kube::namespaceOf(*c.claim));
        std::string name(kube::name(*c.claim));
        waiter.claims.emplace_back(ns, name);
        kube::ObjectPtr latest = m_claims->cache().get(kube::objectKey(ns, name));
        if (latest && isBound(*latest)) {
            continue;
        }
        const json::object& claim = latest ? *latest : *c.claim;
        kube::ApiResult<json::object> written;
        if (kube::ObjectPtr volume = staticMatch(claim, node)) {
            // A static volume: pre-bind it to the claim; the PV controller finishes binding.
            json::object patch{
                {"metadata", json::object{{"resourceVersion", kube::resourceVersion(*volume)},
                                          {"annotations",
                                           json::object{{storage::AnnBoundByController, "yes"}}}}},
                {"spec", json::object{{"claimRef", storage::claimReference(claim)}}}};
            written = client.patch(kube::resources::PersistentVolumes, "", kube::name(*volume),
                                   kube::PatchType::Merge, json::serialize(patch));
        } else {
            json::object patch{
                {"metadata", json::object{{"annotations",
                                           json::object{{storage::AnnSelectedNode, node.name}}}}}};
            written = client.patch(kube::resources::PersistentVolumeClaims, ns, name,
                                   kube::PatchType::Merge, json::serialize(patch));
        }
        if (!written) {
            done(fail(written.error().kind, written.error().message));
            return;
        }
    }
    {
        std::lock_guard lock(m_mutex);
        m_waiters.push_back(std::move(waiter));
        m_waiters.back().done = std::move(done);
        ++m_generation;
    }
    m_changed.notify_all();
}

bool VolumeBinding::allBound(const Waiter& waiter) const {
    return std::ranges::all_of(waiter.claims, [this](const auto& claim) {
        kube::ObjectPtr latest = m_claims->cache().get(kube::objectKey(claim.first, claim.second));
        return latest && isBound(*latest);
    });
}

void VolumeBinding::start() {
    std::lock_guard lock(m_mutex);
    if (m_running) {
        return;
    }
    m_running = true;
    m_thread = std::thread([this] {
        setThreadName("volume-binder");
        run();
    });
}

void VolumeBinding::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_running = false;
    }
    m_changed.notify_all();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void VolumeBinding::run() {
    std::unique_lock lock(m_mutex);
    while (m_running) {
        auto now = std::chrono::steady_clock::now();
        std::vector<std::pair<std::function<void(Status)>, Status>> finished;
        auto next = now + std::chrono::seconds(1);
        for (auto it = m_waiters.begin(); it != m_waiters.end();) {
            if (allBound(*it)) {
                finished.emplace_back(std::move(it->done), Status{});
            } else if (now >= it->deadline) {
                finished.emplace_back(std::move(it->done),
                                      fail(ErrorCode::Timeout, "binding volumes: context "
                                                               "deadline exceeded"));
            } else {
                next = std::min(next, it->deadline);
                ++it;
                continue;
            }
            it = m_waiters.erase(it);
        }
        if (!finished.empty()) {
            lock.unlock();
            for (auto& [done, status] : finished) {
                done(status);
            }
            lock.lock();
            continue;
        }
        uint64_t seen = m_generation;
        m_changed.wait_until(lock, next, [&] { return !m_running || m_generation != seen; });
    }
}

} // namespace pilot::scheduler
