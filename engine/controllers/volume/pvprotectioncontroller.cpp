#include "engine/controllers/volume/pvprotectioncontroller.h"

#include "engine/controllers/volume/storagehelpers.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>

namespace pilot::controllers {
namespace json = boost::json;
using storage::PvProtectionFinalizer;

namespace {

bool needsWork(const json::object& volume) {
    bool protectedVolume = kube::hasFinalizer(volume, PvProtectionFinalizer);
    return kube::hasDeletionTimestamp(volume) ? protectedVolume : !protectedVolume;
}

} // namespace

PvProtectionController::PvProtectionController(kube::ApiClient& client)
    : QueueController("pv-protection-controller", 1), m_client(client) {}

PvProtectionController::~PvProtectionController() {
    stop();
}

void PvProtectionController::setUp(SharedInformers& informers) {
    m_volumes = &informers.forResource(kube::resources::PersistentVolumes);
    kube::InformerHandlers volumes;
    volumes.onAdd = [this](const kube::ObjectPtr& volume) {
        if (needsWork(*volume)) {
            enqueue(std::string(kube::name(*volume)));
        }
    };
    volumes.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr& volume) {
        if (needsWork(*volume)) {
            enqueue(std::string(kube::name(*volume)));
        }
    };
    m_volumes->addHandlers(std::move(volumes));
}

Status PvProtectionController::reconcile(const std::string& key) {
    kube::ObjectPtr volume = m_volumes->cache().get(key);
    if (!volume || !needsWork(*volume)) {
        return {};
    }
    bool deleting = kube::hasDeletionTimestamp(*volume);
    if (deleting && kube::stringAt(kube::objectAt(*volume, "status"), "phase") == "Bound") {
        return {}; // still in use; its next update brings it back
    }
    auto updated =
        m_client.update(kube::resources::PersistentVolumes,
                        storage::withFinalizer(*volume, PvProtectionFinalizer, !deleting));
    if (!updated && !kube::isNotFound(updated.error())) {
        return std::unexpected(updated.error().toError());
    }
    return {};
}

} // namespace pilot::controllers
