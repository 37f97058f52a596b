#include "engine/server/controllerset.h"

#include "engine/controllers/deployment/deploymentcontroller.h"
#include "engine/controllers/replicaset/replicasetcontroller.h"
#include "engine/controllers/replicaset/replicationmanager.h"
#include "engine/scheduler/scheduler.h"

namespace pilot::server {

void addBuiltinControllers(controllers::ControllerManager& manager, kube::ApiClient& client) {
    manager.add(std::make_unique<controllers::ReplicaSetController>(client));
    manager.add(std::make_unique<controllers::ReplicationManager>(client));
    manager.add(std::make_unique<controllers::DeploymentController>(client));
    manager.add(std::make_unique<scheduler::Scheduler>(client, scheduler::SchedulerOptions{}));
}

controllers::ControllerManagerOptions controllerManagerOptions() {
    controllers::ControllerManagerOptions options;
    options.leaderElection = controllers::LeaderElectionOptions{};
    return options;
}

} // namespace pilot::server
