#pragma once

#include "engine/controllers/framework/controller.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

#include <boost/json/object.hpp>

namespace pilot::controllers {

/// Upstream's pvc-protection-controller: a PersistentVolumeClaim being deleted keeps its
/// `kubernetes.io/pvc-protection` finalizer while a pod scheduled to a node uses it (a
/// `persistentVolumeClaim` volume, or an ephemeral volume of a pod not shut down yet); once none
/// does, the finalizer goes and the claim with it. Claims not being deleted that lack the
/// finalizer get it.
class PvcProtectionController : public QueueController {
public:
    explicit PvcProtectionController(kube::ApiClient& client);
    ~PvcProtectionController() override;

    void setUp(SharedInformers& informers) override;

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    [[nodiscard]] Result<bool> isBeingUsed(const boost::json::object& claim) const;
    void enqueueClaimsOf(const boost::json::object& pod);

    kube::ApiClient& m_client;
    kube::Informer* m_claims = nullptr;
    kube::Informer* m_pods = nullptr;
};

} // namespace pilot::controllers
