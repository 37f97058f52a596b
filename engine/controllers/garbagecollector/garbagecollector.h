#pragma once

#include "engine/controllers/common/eventrecorder.h"
#include "engine/controllers/common/resourcediscovery.h"
#include "engine/controllers/framework/controller.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace pilot::controllers {

/// Upstream's garbage collector (garbage-collector-controller): follows `ownerReferences` across
/// every resource discovery lists with list, watch and delete (Events excepted), through
/// metadata-only informers, one per resource ("monitors"), re-discovered every
/// `rediscoveryInterval` so custom resources are followed too.
///
/// - A dependent all of whose owners are gone (not found, or another uid: a dangling reference)
///   is deleted, with the propagation its own finalizers ask for (orphan, foregroundDeletion,
///   else Background). Owners are looked up live before anything is deleted; the caches only
///   say when to look.
/// - A dependent with a live owner loses its references to owners that are gone or waiting for
///   their dependents' deletion.
/// - An owner with the `orphan` finalizer: its dependents lose their reference to it, then the
///   finalizer is removed.
/// - An owner with the `foregroundDeletion` finalizer: its dependents are deleted (in the
///   foreground themselves when they have dependents); the finalizer is removed once no
///   dependent whose reference sets `blockOwnerDeletion` is left.
/// - A cluster-scoped dependent naming a namespaced owner is left alone (the reference cannot
///   be resolved) and an `OwnerRefInvalidNamespace` Warning is recorded.
class GarbageCollector : public QueueController {
public:
    static constexpr std::string_view Component = "garbage-collector-controller";

    struct Options {
        int workers = 2;
        std::chrono::milliseconds rediscoveryInterval{30000};
    };

    explicit GarbageCollector(kube::ApiClient& client);
    GarbageCollector(kube::ApiClient& client, Options options);
    ~GarbageCollector() override;

    void setUp(SharedInformers& informers) override;
    void start() override;
    void stop() override;

    /// Discovers resources now and starts monitors for new ones (stops those of vanished
    /// ones); the periodic re-discovery calls this. Returns the number of monitored resources.
    size_t resyncMonitors();

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    struct Monitor {
        DiscoveredResource resource;
        kube::Informer* informer = nullptr;
        std::unique_ptr<kube::Informer> owned; ///< Set for monitors started after setUp.
    };
    /// One object the collector looks at: where it lives and which incarnation.
    struct Identity {
        std::string resourceId;
        std::string ns;
        std::string name;
        std::string uid;
    };
    enum class Action { Delete, Orphan, Foreground };

    [[nodiscard]] static std::vector<DiscoveredResource>
    monitorable(const std::vector<DiscoveredResource>& resources);
    void addMonitorHandlers(kube::Informer& informer, const std::string& resourceId);
    void onObject(const std::string& resourceId, const kube::ObjectPtr& previous,
                  const kube::ObjectPtr& object);
    void onDeleted(const std::string& resourceId, const kube::ObjectPtr& object);

    void enqueueAction(Action action, const Identity& identity);
    void enqueueDependents(std::string_view ownerUid);
    /// The cached object an owner reference points at (same uid), or nullptr.
    [[nodiscard]] kube::ObjectPtr cachedOwner(std::string_view dependentNs,
                                              const boost::json::object& ownerRef) const;
    [[nodiscard]] std::optional<Identity> ownerIdentity(std::string_view dependentNs,
                                                        const boost::json::object& ownerRef) const;
    /// The cached objects whose ownerReferences name `ownerUid`, with their resource ids.
    [[nodiscard]] std::vector<std::pair<std::string, kube::ObjectPtr>>
    dependentsOf(std::string_view ownerUid) const;
    [[nodiscard]] const DiscoveredResource* resourceFor(std::string_view apiVersion,
                                                        std::string_view kind) const;
    [[nodiscard]] std::optional<DiscoveredResource> resourceById(const std::string& id) const;

    [[nodiscard]] Status attemptToDelete(const Identity& identity);
    [[nodiscard]] Status attemptToOrphan(const Identity& identity);
    [[nodiscard]] Status processDeletingDependents(const Identity& identity);
    /// Removes the references to `ownerUids` from the object (a merge patch guarded by uid and
    /// resourceVersion). NotFound counts as done.
    [[nodiscard]] Status removeOwnerReferences(const DiscoveredResource& resource,
                                               const boost::json::object& object,
                                               const std::set<std::string>& ownerUids);
    [[nodiscard]] Status removeFinalizer(const DiscoveredResource& resource,
                                         const boost::json::object& object,
                                         std::string_view finalizer);
    /// Merge-patches one metadata field of `object` to what `edit` makes of its current value
    /// (nullopt: nothing to change; null: remove the field), guarded by the object's uid and
    /// resourceVersion; on a conflict reads the object again, at most PatchAttempts times.
    /// Done when the object is gone or replaced (another uid). `current`: `object` is recent
    /// enough for the first attempt, else it is read first.
    [[nodiscard]] Status patchMetadataField(
        const DiscoveredResource& resource, const boost::json::object& object, bool current,
        std::string_view field,
        const std::function<std::optional<boost::json::value>(const boost::json::object&)>& edit);
    [[nodiscard]] bool knownAbsent(const std::string& uid) const;
    void markAbsent(const std::string& uid);

    void rediscoveryLoop();

    kube::ApiClient& m_client;
    Options m_options;
    SharedInformers* m_informers = nullptr;

    mutable std::mutex m_mutex;                                    // guards the members below
    std::map<std::string, Monitor> m_monitors;                     // by resource id
    std::map<std::string, std::string, std::less<>> m_byGroupKind; // "group/Kind" -> id
    std::set<std::string, std::less<>> m_absentOwners;             // uids confirmed gone
    bool m_running = false;
    std::condition_variable m_wake;
    std::thread m_rediscovery;
    EventRecorder m_events;
};

} // namespace pilot::controllers
