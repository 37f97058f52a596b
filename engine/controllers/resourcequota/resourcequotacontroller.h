#pragma once

#include "core/clock.h"
#include "engine/controllers/framework/controller.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace pilot::controllers {

/// Upstream's resourcequota-controller: writes each ResourceQuota's `status.hard` (= spec.hard)
/// and `status.used`, the usage of everything its hard limits name in its namespace, within its
/// scopes: object counts (`pods`, `services`, `configmaps`, ..., `count/<resource>[.<group>]`),
/// `services.nodeports` / `services.loadbalancers`, pod compute (`requests.cpu`, `limits.memory`,
/// `cpu`, ...; terminal pods are free) and claim storage (`requests.storage`,
/// `<class>.storageclass.storage.k8s.io/requests.storage`). Quota admission charges new objects
/// as they are created; this controller recalculates, from a fresh read of the quota and a list
/// of the objects, when a quota's hard limits change, when tracked objects go away or stop being
/// charged (pods that finish, services that change type, claims that change size), and for
/// every quota each `resyncPeriod`.
class ResourceQuotaController : public QueueController {
public:
    struct Options {
        std::chrono::milliseconds resyncPeriod{300000}; ///< upstream's default, 5 minutes
        const Clock* clock = nullptr;                   ///< null: the system clock
    };

    explicit ResourceQuotaController(kube::ApiClient& client);
    ResourceQuotaController(kube::ApiClient& client, Options options);
    ~ResourceQuotaController() override;

    void setUp(SharedInformers& informers) override;
    void start() override;

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    [[nodiscard]] Status syncQuota(const boost::json::object& quota);
    /// The objects of `group`/`resource` in `ns`, listed from the API (nullopt when the API
    /// does not serve the resource).
    [[nodiscard]] Result<std::optional<std::vector<kube::ObjectPtr>>>
    objectsIn(const std::string& group, const std::string& resource, const std::string& ns);
    /// Enqueues the namespace's quotas that count `group`/`resource`.
    void replenish(std::string_view ns, const std::string& group, const std::string& resource);

    kube::ApiClient& m_client;
    Options m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;
    kube::Informer* m_quotas = nullptr;
    std::map<std::string, kube::Informer*> m_watched; // by resource; triggers only
    std::mutex m_mutex;
    std::map<std::string, std::string> m_groupVersions; // group -> preferred version
};

} // namespace pilot::controllers
