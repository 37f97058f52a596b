#pragma once

#include "core/clock.h"
#include "engine/controllers/common/resourcediscovery.h"
#include "engine/controllers/framework/controller.h"
#include "engine/controllers/namespace/namespaceconditions.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace pilot::controllers {

/// Upstream's namespace controller (namespaced-resources deleter): a namespace with a
/// deletionTimestamp and the `kubernetes` finalizer in `spec.finalizers` is emptied (every
/// namespaced resource discovery lists with the delete verb: deletecollection when served, else
/// list and delete each, propagation Background), its status carries the deletion conditions
/// (NamespaceDeletionDiscoveryFailure, NamespaceDeletionContentFailure,
/// NamespaceContentRemaining, NamespaceFinalizersRemaining, ...), and once nothing is left it is
/// finalized through `PUT namespaces/<name>/finalize` without the `kubernetes` finalizer, which
/// lets the API server remove it. Keys are namespace names.
///
/// While content remains (pods in their grace period, objects held by finalizers) the namespace
/// is looked at again after a delay that starts at `firstRecheck` and doubles up to upstream's
/// estimate/2+1 seconds (15 s for finalizers, the pods' grace period otherwise).
class NamespaceController : public QueueController {
public:
    static constexpr std::string_view Component = "namespace-controller";
    static constexpr std::string_view FinalizerToken = "kubernetes";

    struct Options {
        int workers = 2;
        std::chrono::milliseconds firstRecheck{250};
        /// nullptr: the system clock (condition timestamps).
        const Clock* clock = nullptr;
    };

    explicit NamespaceController(kube::ApiClient& client);
    NamespaceController(kube::ApiClient& client, Options options);
    ~NamespaceController() override;

    void setUp(SharedInformers& informers) override;

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    /// What deleting one resource's content left behind.
    struct ResourceOutcome {
        int64_t estimateSeconds = 0;
        int64_t remaining = 0;
        std::map<std::string, int64_t> finalizers;
    };

    /// Deletes everything in the namespace; returns the seconds to wait before looking again
    /// (0: nothing left) and fills `report`. Fails when some content could not be deleted.
    [[nodiscard]] Result<int64_t> deleteAllContent(const std::string& ns,
                                                   NamespaceDeletionReport& report);
    [[nodiscard]] kube::ApiResult<ResourceOutcome>
    deleteContentOf(const DiscoveredResource& resource, const std::string& ns);
    [[nodiscard]] kube::ApiResult<bool> deleteCollection(const DiscoveredResource& resource,
                                                         const std::string& ns);
    [[nodiscard]] int64_t estimatePodTermination(const std::string& ns);
    void writeConditions(const std::string& ns, const NamespaceDeletionReport& report);
    [[nodiscard]] Status finalize(const std::string& ns);

    kube::ApiClient& m_client;
    Options m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;
    std::mutex m_mutex;
    std::map<std::string, int> m_rechecks; // namespace -> rechecks so far (guarded by m_mutex)
};

} // namespace pilot::controllers
