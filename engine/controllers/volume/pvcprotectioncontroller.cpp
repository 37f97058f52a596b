#include "engine/controllers/volume/pvcprotectioncontroller.h"

#include "engine/controllers/volume/storagehelpers.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>

namespace pilot::controllers {
namespace json = boost::json;
using storage::PvcProtectionFinalizer;

namespace {

constexpr std::string_view NamespaceIndex = "namespace";

/// Deleted with grace 0 (the node agent is done with it) or force-deleted.
bool podIsShutDown(const json::object& pod) {
    const json::object* meta = kube::metadataOf(pod);
    std::optional<int64_t> grace =
        meta ? kube::integerAt(*meta, "deletionGracePeriodSeconds") : std::nullopt;
    return kube::hasDeletionTimestamp(pod) && grace && *grace == 0;
}

/// The names of the claims a pod's volumes refer to: `persistentVolumeClaim` volumes and the
/// `<pod>-<volume>` claims of ephemeral volumes.
std::vector<std::pair<std::string, bool>> claimsOf(const json::object& pod) {
    std::vector<std::pair<std::string, bool>> out; // name, ephemeral
    const json::object* spec = kube::objectAt(pod, "spec");
    const json::array* volumes = spec ? kube::arrayAt(*spec, "volumes") : nullptr;
    if (volumes == nullptr) {
        return out;
    }
    for (const json::value& v : *volumes) {
        const json::object* volume = v.if_object();
        if (const json::object* source = kube::objectAt(volume, "persistentVolumeClaim")) {
            out.emplace_back(kube::stringAt(*source, "claimName"), false);
        } else if (kube::objectAt(volume, "ephemeral") != nullptr) {
            out.emplace_back(std::string(kube::name(pod)) + "-" + kube::stringAt(volume, "name"),
                             true);
        }
    }
    return out;
}

bool podUsesClaim(const json::object& pod, const json::object& claim) {
    // Only scheduled pods: the node agent refuses to start a pod whose claim is being deleted.
    if (kube::stringAt(kube::objectAt(pod, "spec"), "nodeName").empty()) {
        return false;
    }
    for (const auto& [name, ephemeral] : claimsOf(pod)) {
        if (name != kube::name(claim)) {
            continue;
        }
        if (!ephemeral) {
            return true;
        }
        const json::object* owner = kube::controllerRef(claim);
        if (!podIsShutDown(pod) && owner && kube::stringAt(*owner, "uid") == kube::uid(pod)) {
            return true;
        }
    }
    return false;
}

} // namespace

PvcProtectionController::PvcProtectionController(kube::ApiClient& client)
    : QueueController("pvc-protection-controller", 1), m_client(client) {}

PvcProtectionController::~PvcProtectionController() {
    stop();
}

void PvcProtectionController::setUp(SharedInformers& informers) {
    informers.addIndex(kube::resources::Pods, std::string(NamespaceIndex), kube::namespaceIndex());
    m_claims = &informers.forResource(kube::resources::PersistentVolumeClaims);
    m_pods = &informers.forResource(kube::resources::Pods);

    auto needsWork = [](const json::object& claim) {
        bool protectedClaim = kube::hasFinalizer(claim, PvcProtectionFinalizer);
        return kube::hasDeletionTimestamp(claim) ? protectedClaim : !protectedClaim;
    };
    kube::InformerHandlers claims;
    claims.onAdd = [this, needsWork](const kube::ObjectPtr& claim) {
        if (needsWork(*claim)) {
            enqueue(kube::objectKey(*claim));
        }
    };
    claims.onUpdate = [this, needsWork](const kube::ObjectPtr&, const kube::ObjectPtr& claim) {
        if (needsWork(*claim)) {
            enqueue(kube::objectKey(*claim));
        }
    };
    m_claims->addHandlers(std::move(claims));

    kube::InformerHandlers pods;
    pods.onAdd = [this](const kube::ObjectPtr& pod) { enqueueClaimsOf(*pod); };
    pods.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr& pod) {
        enqueueClaimsOf(*pod);
    };
    pods.onDelete = [this](const kube::ObjectPtr& pod) { enqueueClaimsOf(*pod); };
    m_pods->addHandlers(std::move(pods));
}

void PvcProtectionController::enqueueClaimsOf(const json::object& pod) {
    for (const auto& [name, ephemeral] : claimsOf(pod)) {
        std::string key = kube::objectKey(kube::namespaceOf(pod), name);
        kube::ObjectPtr claim = m_claims->cache().get(key);
        if (claim && kube::hasDeletionTimestamp(*claim)) {
            enqueue(key);
        }
    }
}

Result<bool> PvcProtectionController::isBeingUsed(const json::object& claim) const {
    for (const kube::ObjectPtr& pod :
         m_pods->cache().byIndex(NamespaceIndex, kube::namespaceOf(claim))) {
        if (podUsesClaim(*pod, claim)) {
            return true;
        }
    }
    // The cache may not have seen a pod created just now: ask the API before letting go.
    auto pods = m_client.listAll(kube::resources::Pods, kube::namespaceOf(claim));
    if (!pods) {
        return std::unexpected(pods.error().toError());
    }
    for (const json::object& pod : pods->items) {
        if (podUsesClaim(pod, claim)) {
            return true;
        }
    }
    return false;
}

Status PvcProtectionController::reconcile(const std::string& key) {
    kube::ObjectPtr claim = m_claims->cache().get(key);
    if (!claim) {
        return {};
    }
    bool protectedClaim = kube::hasFinalizer(*claim, PvcProtectionFinalizer);
    if (kube::hasDeletionTimestamp(*claim)) {
        if (!protectedClaim) {
            return {};
        }
        auto used = isBeingUsed(*claim);
        if (!used) {
            return std::unexpected(used.error());
        }
        if (*used) {
            return {}; // a pod event brings it back
        }
    } else if (protectedClaim) {
        return {};
    }
    auto updated = m_client.update(kube::resources::PersistentVolumeClaims,
                                   storage::withFinalizer(*claim, PvcProtectionFinalizer,
                                                          !kube::hasDeletionTimestamp(*claim)));
    if (!updated && !kube::isNotFound(updated.error())) {
        return std::unexpected(updated.error().toError());
    }
    return {};
}

} // namespace pilot::controllers
