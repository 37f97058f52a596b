#include "engine/server/controllerset.h"

#include "engine/auth/atomicfile.h"
#include "engine/controllers/cronjob/cronjobcontroller.h"
#include "engine/controllers/daemonset/daemonsetcontroller.h"
#include "engine/controllers/deployment/deploymentcontroller.h"
#include "engine/controllers/disruption/disruptioncontroller.h"
#include "engine/controllers/endpoints/endpointscontroller.h"
#include "engine/controllers/endpointslice/endpointslicecontroller.h"
#include "engine/controllers/endpointslice/mirroringcontroller.h"
#include "engine/controllers/garbagecollector/garbagecollector.h"
#include "engine/controllers/hpa/hpacontroller.h"
#include "engine/controllers/job/jobcontroller.h"
#include "engine/controllers/namespace/namespacecontroller.h"
#include "engine/controllers/nodelifecycle/nodelifecyclecontroller.h"
#include "engine/controllers/nodelifecycle/tainteviction.h"
#include "engine/controllers/podgc/podgccontroller.h"
#include "engine/controllers/replicaset/replicasetcontroller.h"
#include "engine/controllers/replicaset/replicationmanager.h"
#include "engine/controllers/resourcequota/resourcequotacontroller.h"
#include "engine/controllers/serviceaccount/rootcapublisher.h"
#include "engine/controllers/serviceaccount/serviceaccountcontroller.h"
#include "engine/controllers/statefulset/statefulsetcontroller.h"
#include "engine/controllers/ttlafterfinished/ttlafterfinishedcontroller.h"
#include "engine/controllers/volume/localpathprovisioner.h"
#include "engine/controllers/volume/persistentvolumecontroller.h"
#include "engine/controllers/volume/pvcprotectioncontroller.h"
#include "engine/controllers/volume/pvprotectioncontroller.h"
#include "engine/scheduler/scheduler.h"

namespace pilot::server {

namespace {

/// Testing only: a clock running `scale` times faster than the system clock from the moment it
/// is made, so that CronJob schedules fire every few seconds in tests. Thread-safe (immutable).
class ScaledClock final : public Clock {
public:
    explicit ScaledClock(double scale)
        : m_start(std::chrono::system_clock::now()), m_scale(scale) {}
    [[nodiscard]] TimePoint now() const override {
        auto elapsed = std::chrono::duration<double>(std::chrono::system_clock::now() - m_start);
        return m_start + std::chrono::duration_cast<TimePoint::duration>(elapsed * m_scale);
    }
    /// The wall-clock wait until `at` on this clock.
    [[nodiscard]] std::chrono::nanoseconds until(TimePoint at) const {
        auto left = std::chrono::duration<double>(std::max(at - now(), TimePoint::duration(0)));
        return std::chrono::duration_cast<std::chrono::nanoseconds>(left / m_scale);
    }

private:
    TimePoint m_start;
    double m_scale;
};

std::unique_ptr<controllers::CronJobController> makeCronJobController(kube::ApiClient& client,
                                                                      double timeScale) {
    if (timeScale == 1.0) {
        return std::make_unique<controllers::CronJobController>(client);
    }
    // The clock and the controller pointer live as long as the controller's options.
    auto clock = std::make_shared<ScaledClock>(timeScale);
    auto self = std::make_shared<controllers::CronJobController*>(nullptr);
    controllers::CronJobController::Options options;
    options.clock = clock.get();
    options.requeueAt = [clock, self](const std::string& key, TimePoint at) {
        (*self)->enqueueAfter(key, clock->until(at));
    };
    auto controller = std::make_unique<controllers::CronJobController>(client, std::move(options));
    *self = controller.get();
    return controller;
}

} // namespace

controllers::ControllerManager::Populate builtinControllers(ControllerSetOptions options) {
    return [options = std::move(options)](controllers::ControllerManager& manager,
                                          kube::ApiClient& client) {
        manager.add(std::make_unique<controllers::NamespaceController>(client));
        manager.add(std::make_unique<controllers::ReplicaSetController>(client));
        manager.add(std::make_unique<controllers::ReplicationManager>(client));
        manager.add(std::make_unique<controllers::DeploymentController>(client));
        manager.add(std::make_unique<controllers::StatefulSetController>(client));
        manager.add(std::make_unique<controllers::DaemonSetController>(client));
        manager.add(std::make_unique<controllers::JobController>(client));
        manager.add(makeCronJobController(client, options.cronJobTimeScale));
        manager.add(std::make_unique<controllers::TtlAfterFinishedController>(client));
        manager.add(std::make_unique<controllers::DisruptionController>(client));
        manager.add(std::make_unique<controllers::HpaController>(client));
        manager.add(std::make_unique<controllers::EndpointsController>(client));
        manager.add(std::make_unique<controllers::EndpointSliceController>(client));
        manager.add(std::make_unique<controllers::EndpointSliceMirroringController>(client));
        manager.add(std::make_unique<controllers::NodeLifecycleController>(client));
        manager.add(std::make_unique<controllers::TaintEvictionController>(client));
        manager.add(std::make_unique<controllers::PodGCController>(client));
        manager.add(std::make_unique<controllers::PersistentVolumeController>(client));
        if (!options.volumeDir.empty()) {
            controllers::LocalPathProvisioner::Options provisioner;
            provisioner.dataPath = options.volumeDir;
            manager.add(std::make_unique<controllers::LocalPathProvisioner>(client, provisioner));
        }
        manager.add(std::make_unique<controllers::PvcProtectionController>(client));
        manager.add(std::make_unique<controllers::PvProtectionController>(client));
        manager.add(std::make_unique<controllers::ResourceQuotaController>(client));
        manager.add(std::make_unique<controllers::ServiceAccountController>(client));
        if (auto ca = !options.caPem.empty()   ? Result<std::string>(options.caPem)
                      : options.caFile.empty() ? Result<std::string>(std::string())
                                               : auth::readWholeFile(options.caFile);
            ca && !ca->empty()) {
            manager.add(std::make_unique<controllers::RootCaPublisher>(
                client, controllers::RootCaPublisher::Options{std::move(*ca)}));
        }
        manager.add(std::make_unique<scheduler::Scheduler>(client, scheduler::SchedulerOptions{}));
        // Last: its metadata monitors share the full informers the controllers above created.
        manager.add(std::make_unique<controllers::GarbageCollector>(client));
    };
}

controllers::ControllerManagerOptions controllerManagerOptions() {
    controllers::ControllerManagerOptions options;
    options.leaderElection = controllers::LeaderElectionOptions{};
    return options;
}

} // namespace pilot::server
