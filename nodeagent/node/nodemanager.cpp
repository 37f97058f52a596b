#include "nodeagent/node/nodemanager.h"

#include "core/log.h"
#include "kube/client/apiresource.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>

namespace pilot::agent {
namespace json = boost::json;

namespace {

constexpr const char* Component = "node";
constexpr const char* LeaseNamespace = "kube-node-lease";

Error apiError(std::string_view what, const kube::ApiError& error) {
    return Error{error.kind, std::string(what) + ": " + error.message};
}

} // namespace

NodeManager::NodeManager(kube::ApiClient& client, NodeManagerOptions options, const Clock* clock)
    : m_client(client), m_options(std::move(options)), m_clock(clock ? *clock : m_systemClock) {}

std::string NodeManager::nodeUid() const {
    std::lock_guard lock(m_mutex);
    return m_uid;
}

Status NodeManager::registerNode() {
    const std::string& name = m_options.identity.name;
    SystemInfo info = collectSystemInfo(m_options.dataDir);
    json::object annotations{{"volumes.kubernetes.io/controller-managed-attach-detach", "true"}};
    json::object labels = nodeLabels(m_options.identity, info);
    json::object node{
        {"apiVersion", "v1"},
        {"kind", "Node"},
        {"metadata",
         json::object{{"name", name}, {"labels", labels}, {"annotations", annotations}}},
        {"spec", json::object()}};
    auto created = m_client.create(kube::resources::Nodes, "", node);
    json::object current;
    if (created) {
        current = std::move(*created);
        log::info(Component, "registered node {}", name);
    } else if (kube::isAlreadyExists(created.error())) {
        // A node of this name exists (a restart, or a re-install): adopt it, as kubelet does.
        json::object patch{
            {"metadata", json::object{{"labels", labels}, {"annotations", annotations}}}};
        auto patched = m_client.patch(kube::resources::Nodes, "", name, kube::PatchType::Merge,
                                      json::serialize(patch));
        if (!patched) {
            return std::unexpected(apiError("adopt node " + name, patched.error()));
        }
        current = std::move(*patched);
        log::info(Component, "adopted existing node {}", name);
    } else {
        return std::unexpected(apiError("register node " + name, created.error()));
    }
    {
        std::lock_guard lock(m_mutex);
        m_uid = std::string(kube::uid(current));
    }
    return syncStatusFrom(current, true);
}

Status NodeManager::patchStatus(const json::object& status) {
    kube::PatchOptions options;
    options.subresource = "status";
    auto patched = m_client.patch(kube::resources::Nodes, "", m_options.identity.name,
                                  kube::PatchType::StrategicMerge,
                                  json::serialize(json::object{{"status", status}}), options);
    if (!patched) {
        return std::unexpected(apiError("node status " + m_options.identity.name, patched.error()));
    }
    std::lock_guard lock(m_mutex);
    m_uid = std::string(kube::uid(*patched));
    return {};
}

Status NodeManager::syncStatus(bool force) {
    // Compare with the Node as the server has it, not with what this agent last wrote: the node
    // lifecycle controller (or a user) may have changed it meanwhile, e.g. marked its conditions
    // Unknown while the engine could not hear from the agent.
    const std::string& name = m_options.identity.name;
    auto node = m_client.get(kube::resources::Nodes, "", name);
    if (!node) {
        return std::unexpected(apiError("get node " + name, node.error()));
    }
    return syncStatusFrom(*node, force);
}

Status NodeManager::syncStatusFrom(const json::object& node, bool force) {
    SystemInfo info = collectSystemInfo(m_options.dataDir);
    std::string notReady = m_options.notReadyMessage ? m_options.notReadyMessage() : "";
    std::vector<ImageInfo> images =
        m_options.images ? m_options.images() : std::vector<ImageInfo>{};
    TimePoint now = m_clock.now();
    static const json::object NoStatus;
    const json::object* current = kube::objectAt(node, "status");
    if (!current) {
        current = &NoStatus;
    }
    json::object status = nodeStatus(m_options.identity, info, m_options.eviction,
                                     kube::arrayAt(*current, "conditions"), now, notReady, images);
    bool due = force || nodeStatusChanged(*current, status);
    if (!due) {
        std::lock_guard lock(m_mutex);
        due = now - m_lastReport >= m_options.reportEvery;
    }
    if (!due) {
        return {};
    }
    if (auto patched = patchStatus(status); !patched) {
        return patched;
    }
    std::lock_guard lock(m_mutex);
    m_lastReport = now;
    return {};
}

Status NodeManager::renewLease() {
    const std::string& name = m_options.identity.name;
    std::string renewTime = formatMicroTime(m_clock.now());
    std::lock_guard lock(m_mutex);
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (m_lease.empty()) {
            auto existing = m_client.get(kube::resources::Leases, LeaseNamespace, name);
            if (existing) {
                m_lease = std::move(*existing);
            } else if (!kube::isNotFound(existing.error())) {
                return std::unexpected(apiError("get lease " + name, existing.error()));
            }
        }
        if (m_lease.empty()) {
            json::object lease{
                {"apiVersion", "coordination.k8s.io/v1"},
                {"kind", "Lease"},
                {"metadata", json::object{{"name", name}, {"namespace", LeaseNamespace}}},
                {"spec", json::object{{"holderIdentity", name},
                                      {"leaseDurationSeconds", m_options.leaseDurationSeconds},
                                      {"renewTime", renewTime}}}};
            if (!m_uid.empty()) {
                lease["metadata"].as_object()["ownerReferences"] = json::array{json::object{
                    {"apiVersion", "v1"}, {"kind", "Node"}, {"name", name}, {"uid", m_uid}}};
            }
            auto created = m_client.create(kube::resources::Leases, LeaseNamespace, lease);
            if (created) {
                m_lease = std::move(*created);
                return {};
            }
            if (!kube::isAlreadyExists(created.error())) {
                return std::unexpected(apiError("create lease " + name, created.error()));
            }
            continue; // Someone created it meanwhile: read and renew it.
        }
        json::object lease = m_lease;
        json::object& spec = *kube::ensureObject(lease, "spec");
        spec["holderIdentity"] = name;
        spec["leaseDurationSeconds"] = m_options.leaseDurationSeconds;
        spec["renewTime"] = renewTime;
        if (!m_uid.empty()) {
            json::object& meta = kube::ensureMetadata(lease);
            meta["ownerReferences"] = json::array{json::object{
                {"apiVersion", "v1"}, {"kind", "Node"}, {"name", name}, {"uid", m_uid}}};
        }
        auto updated = m_client.update(kube::resources::Leases, lease);
        if (updated) {
            m_lease = std::move(*updated);
            return {};
        }
        m_lease = json::object();
        if (!kube::isConflict(updated.error()) && !kube::isNotFound(updated.error())) {
            return std::unexpected(apiError("renew lease " + name, updated.error()));
        }
    }
    return fail(ErrorCode::Conflict, "renew lease " + name + ": conflicting writers");
}

} // namespace pilot::agent
