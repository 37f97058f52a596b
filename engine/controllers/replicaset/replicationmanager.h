#pragma once

#include "engine/controllers/replicaset/replicasetcontroller.h"

namespace pilot::controllers {

/// The ReplicationController controller (upstream's ReplicationManager): the ReplicaSet engine
/// over `v1` ReplicationControllers, whose selector is a plain label map.
class ReplicationManager final : public ReplicaSetController {
public:
    explicit ReplicationManager(kube::ApiClient& client, Options options = {})
        : ReplicaSetController(client, replicationControllerFlavor(), options) {}
};

} // namespace pilot::controllers
