#pragma once

#include "engine/controllers/framework/controller.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

namespace pilot::controllers {

/// Upstream's pv-protection-controller: a PersistentVolume being deleted keeps its
/// `kubernetes.io/pv-protection` finalizer while it is Bound to a claim; otherwise the finalizer
/// goes and the volume with it. Volumes not being deleted that lack the finalizer get it.
class PvProtectionController : public QueueController {
public:
    explicit PvProtectionController(kube::ApiClient& client);
    ~PvProtectionController() override;

    void setUp(SharedInformers& informers) override;

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    kube::ApiClient& m_client;
    kube::Informer* m_volumes = nullptr;
};

} // namespace pilot::controllers
