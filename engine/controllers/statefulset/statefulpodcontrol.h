#pragma once

#include "core/error.h"
#include "engine/controllers/common/eventrecorder.h"
#include "kube/client/apiclient.h"
#include "kube/client/indexedcache.h"

#include <boost/json/object.hpp>

#include <string_view>

namespace pilot::controllers::statefulset {

/// Creates, updates and deletes a StatefulSet's pods and their PersistentVolumeClaims, with
/// upstream's Events (StatefulPodControl): claims are created before their pod ("create Claim
/// www-web-0 Pod web-0 in StatefulSet web success"), pod writes are recorded as "create Pod
/// web-0 in StatefulSet web successful" (SuccessfulCreate/Update/Delete, or Failed* with the
/// error), and claim owner references follow the retention policy. Claims are read from the
/// informer cache `claims`. Thread-safe as long as the client and recorder are.
class StatefulPodControl {
public:
    StatefulPodControl(kube::ApiClient& client, EventRecorder& events,
                       const kube::IndexedCache& claims)
        : m_client(client), m_events(events), m_claims(claims) {}

    /// Creates the pod's missing claims, then the pod, then sets the claims' owners. A pod
    /// that already exists is an AlreadyExists error (the cache is behind), without an Event.
    [[nodiscard]] Status createStatefulPod(const boost::json::object& set,
                                           const boost::json::object& pod);
    /// Restores the pod's identity, storage and claim ownership when they drifted; updates the
    /// pod only if something changed, retrying conflicts on a fresh copy.
    [[nodiscard]] Status updateStatefulPod(const boost::json::object& set, boost::json::object pod);
    /// Deletes the pod; one that is already gone counts as deleted (without an Event).
    [[nodiscard]] Status deleteStatefulPod(const boost::json::object& set,
                                           const boost::json::object& pod);
    /// Whether every existing claim of the pod has the owners the retention policy wants.
    [[nodiscard]] Result<bool> claimsMatchRetentionPolicy(const boost::json::object& set,
                                                          const boost::json::object& pod);
    /// Rewrites the owner references of the pod's claims that do not match the policy.
    [[nodiscard]] Status updatePodClaimForRetentionPolicy(const boost::json::object& set,
                                                          const boost::json::object& pod);
    /// With whenScaled Delete, a claim still owned by an earlier pod of the same name blocks
    /// the new pod until the garbage collector removed it.
    [[nodiscard]] bool podClaimIsStale(const boost::json::object& set,
                                       const boost::json::object& pod) const;
    /// Creates missing claims of a pending pod and sets their owners.
    [[nodiscard]] Status createMissingPersistentVolumeClaims(const boost::json::object& set,
                                                             const boost::json::object& pod);

private:
    [[nodiscard]] Status createPersistentVolumeClaims(const boost::json::object& set,
                                                      const boost::json::object& pod);
    [[nodiscard]] kube::ObjectPtr claim(std::string_view ns, std::string_view name) const;
    /// The claim `name` of `set` to apply its retention policy to: the cached one or, when the
    /// policy sets owners and the cache does not have it (yet), the API's; null if none.
    [[nodiscard]] Result<kube::ObjectPtr> claimForPolicy(const boost::json::object& set,
                                                         std::string_view name);
    void recordPodEvent(std::string_view verb, const boost::json::object& set,
                        const boost::json::object& pod, const Error* error);
    void recordClaimEvent(std::string_view verb, const boost::json::object& set,
                          const boost::json::object& pod, const boost::json::object& claim,
                          const Error* error);

    kube::ApiClient& m_client;
    EventRecorder& m_events;
    const kube::IndexedCache& m_claims;
};

} // namespace pilot::controllers::statefulset
