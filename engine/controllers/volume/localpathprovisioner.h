#pragma once

#include "core/clock.h"
#include "engine/controllers/common/eventrecorder.h"
#include "engine/controllers/framework/controller.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"

#include <boost/json/object.hpp>

#include <string>

namespace pilot::controllers {

/// A dynamic provisioner for directories on this machine, in the manner of an external
/// provisioner (sig-storage-lib-external-provisioner, Rancher's local-path-provisioner). For a
/// claim the PV controller handed to it (`volume.kubernetes.io/storage-provisioner` is its
/// name, its class's provisioner too, not bound yet, and under WaitForFirstConsumer a
/// `volume.kubernetes.io/selected-node`), it creates `<dataPath>/<pv>_<namespace>_<claim>` and
/// the PersistentVolume `pvc-<claim uid>`: pre-bound to the claim, capacity and access modes as
/// requested, the class's reclaim policy and mount options, `pv.kubernetes.io/provisioned-by`,
/// and a `hostPath` (DirectoryOrCreate), or with a selected node a `local` volume with node
/// affinity to it. Released volumes it provisioned with policy Delete lose their directory and
/// then their PersistentVolume. Events Provisioning / ProvisioningSucceeded /
/// ProvisioningFailed / VolumeFailedDelete as upstream. At start it creates the StorageClass
/// `defaultClassName` (the default class, WaitForFirstConsumer unless told otherwise) when no
/// class is the default.
class LocalPathProvisioner : public QueueController {
public:
    static constexpr std::string_view DefaultName = "pilothouse.io/local-path";

    struct Options {
        /// Where volumes' directories go (created when missing). Required.
        std::string dataPath;
        std::string provisionerName = std::string(DefaultName);
        /// Empty: create no default class.
        std::string defaultClassName = "standard";
        /// The default class's volumeBindingMode. WaitForFirstConsumer, as Rancher's
        /// local-path-provisioner and k3s ship it: a claim stays Pending until a pod using it
        /// is scheduled (the scheduler's VolumeBinding sets
        /// `volume.kubernetes.io/selected-node`), and its volume is pinned to that node.
        std::string defaultBindingMode = "WaitForFirstConsumer";
        const Clock* clock = nullptr; ///< null: the system clock.
    };

    LocalPathProvisioner(kube::ApiClient& client, Options options);
    ~LocalPathProvisioner() override;

    void setUp(SharedInformers& informers) override;
    void start() override;
    void stop() override;

protected:
    [[nodiscard]] Status reconcile(const std::string& key) override;

private:
    [[nodiscard]] Status ensureDefaultClass();
    [[nodiscard]] Status syncClaim(const boost::json::object& claim);
    [[nodiscard]] Status syncVolume(const boost::json::object& volume);
    [[nodiscard]] Result<boost::json::object> provision(const boost::json::object& claim,
                                                        const boost::json::object& storageClass);

    kube::ApiClient& m_client;
    Options m_options;
    SystemClock m_systemClock;
    const Clock& m_clock;
    EventRecorder m_events;
    kube::Informer* m_claims = nullptr;
    kube::Informer* m_volumes = nullptr;
    kube::Informer* m_classes = nullptr;
};

} // namespace pilot::controllers
