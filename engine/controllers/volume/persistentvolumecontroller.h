#pragma once

#include "core/clock.h"
#include "engine/controllers/common/eventrecorder.h"
#include "engine/controllers/framework/controller.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

#include <boost/json/object.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace pilot::controllers {

/// The PersistentVolume controller's binder, as upstream's persistentvolume-controller: binds
/// each Pending claim to the volume findBestMatch picks (pre-bound either way, else the smallest
/// fitting Available one of its class) by writing the volume's `spec.claimRef` and phase Bound,
/// then the claim's `spec.volumeName`, `status` (Bound, capacity, accessModes) and the
/// `pv.kubernetes.io/bind-completed` / `bound-by-controller` annotations. A claim nothing fits
/// is handed to its class's provisioner (`volume.kubernetes.io/storage-provisioner` annotations
/// and an ExternalProvisioning event), or waits for the scheduler's
/// `volume.kubernetes.io/selected-node` under WaitForFirstConsumer; a claim without a class
/// gets the default class once there is one. When a bound claim is deleted its volume goes
/// Released and the reclaim policy applies: Retain keeps it, Delete leaves it to the external
/// provisioner named in `pv.kubernetes.io/provisioned-by` (other volumes go Failed). Volumes and
/// claims are synced again every `resyncPeriod`. Events as upstream.
class PersistentVolumeController : public QueueController {
public:
    struct Options {
        std::chrono::milliseconds resyncPeriod{15000};
        const Clock* clock = nullptr; ///< null: the system clock.
    };

    explicit PersistentVolumeController(kube::ApiClient& client);
    PersistentVolumeController(kube::ApiClient& client, Options options);
    ~PersistentVolumeController() override;

    void setUp(SharedInformers& informers) override;
    void start() override;
    void stop() override;

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    [[nodiscard]] Status syncClaim(const boost::json::object& claim);
    [[nodiscard]] Status syncUnboundClaim(const boost::json::object& claim);
    [[nodiscard]] Status syncBoundClaim(const boost::json::object& claim);
    [[nodiscard]] Status syncVolume(const boost::json::object& volume);
    [[nodiscard]] Status bind(boost::json::object volume, boost::json::object claim);
    [[nodiscard]] Status unbindVolume(const boost::json::object& volume);
    [[nodiscard]] Status reclaimVolume(const boost::json::object& volume);
    [[nodiscard]] Status deleteVolume(const boost::json::object& volume);
    [[nodiscard]] Status provisionClaim(const boost::json::object& claim);
    [[nodiscard]] Status assignDefaultClass(const boost::json::object& claim, bool& assigned);
    void waitForFirstConsumer(const boost::json::object& claim);
    [[nodiscard]] bool delayBinding(const boost::json::object& claim) const;

    /// Sets the volume's phase (and message), with an event when `reason` is given and the
    /// phase changed.
    [[nodiscard]] Result<boost::json::object> updateVolumePhase(const boost::json::object& volume,
                                                                std::string_view phase,
                                                                std::string_view message = {},
                                                                std::string_view eventType = {},
                                                                std::string_view reason = {});
    /// Sets the claim's phase; Bound copies the volume's access modes and capacity, other
    /// phases clear them. With `reason`, an event when the phase changed.
    [[nodiscard]] Result<boost::json::object>
    updateClaimStatus(const boost::json::object& claim, std::string_view phase,
                      const boost::json::object* volume, std::string_view eventType = {},
                      std::string_view reason = {}, std::string_view message = {});

    /// Updates (or updates the status of) an object and remembers the result until the informer
    /// has it too, so the next sync does not act on the older copy (upstream's
    /// storeObjectUpdate).
    [[nodiscard]] kube::ApiResult<boost::json::object>
    write(const kube::ApiResource& resource, bool status, const boost::json::object& object);
    [[nodiscard]] kube::ObjectPtr newest(const std::string& key, kube::ObjectPtr cached);
    [[nodiscard]] kube::ObjectPtr claimNamed(const std::string& key);
    [[nodiscard]] kube::ObjectPtr volumeNamed(const std::string& name);
    [[nodiscard]] std::vector<kube::ObjectPtr> volumes();

    kube::ApiClient& m_client;
    Options m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;
    EventRecorder m_events;
    kube::Informer* m_claims = nullptr;
    kube::Informer* m_volumes = nullptr;
    kube::Informer* m_classes = nullptr;
    kube::Informer* m_pods = nullptr;
    std::mutex m_writtenMutex;
    std::map<std::string, kube::ObjectPtr> m_written; // by queue key
};

} // namespace pilot::controllers
