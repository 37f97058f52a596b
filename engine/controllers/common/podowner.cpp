#include "engine/controllers/common/podowner.h"

#include "engine/controllers/common/controllerref.h"
#include "engine/controllers/common/podutil.h"
#include "kube/objectmeta.h"

namespace pilot::controllers {

void routePodUpdate(const PodOwnerLookup& owners, QueueController& queue,
                    const boost::json::object& old, const boost::json::object& pod) {
    const OwnedUpdate routed = routeOwnedUpdate(
        old, pod,
        [&owners](std::string_view ns, const boost::json::object* ref) {
            return owners.resolveControllerRef(ns, ref);
        },
        [&owners](const boost::json::object& owned) { return owners.setsSelecting(owned); },
        [&queue](const kube::ObjectPtr& owner) { queue.enqueue(kube::objectKey(*owner)); });
    if (routed.owner) {
        if (auto after = availabilityRecheck(*routed.owner, old, pod)) {
            queue.enqueueAfter(kube::objectKey(*routed.owner), *after);
        }
    }
}

} // namespace pilot::controllers
