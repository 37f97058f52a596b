#include "engine/controllers/endpointslice/slicewriter.h"

#include "engine/controllers/endpoints/serviceutil.h"
#include "engine/controllers/endpointslice/sliceutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>

namespace pilot::controllers {
namespace json = boost::json;

Status writeSlices(kube::ApiClient& client, SliceTracker& tracker, std::string_view ns,
                   SlicePlan plan, bool skipCreates, std::string_view owner,
                   const std::optional<std::string>& triggerTime) {
    if (!skipCreates) {
        for (json::object& slice : plan.create) {
            if (triggerTime) {
                setTriggerTime(slice, *triggerTime);
            }
            auto created = client.create(kube::resources::EndpointSlices, ns, slice);
            if (!created) {
                if (namespaceTerminating(created.error())) {
                    return {};
                }
                return fail(created.error().kind,
                            fmt::format("failed to create EndpointSlice for {}: {}", owner,
                                        created.error().message));
            }
            tracker.written(*created, "");
        }
    }
    for (json::object& slice : plan.update) {
        std::string previous(kube::resourceVersion(slice));
        if (triggerTime) {
            setTriggerTime(slice, *triggerTime);
        }
        auto updated = client.update(kube::resources::EndpointSlices, slice);
        if (!updated) {
            return fail(updated.error().kind,
                        fmt::format("failed to update {} EndpointSlice for {}: {}",
                                    kube::name(slice), owner, updated.error().message));
        }
        tracker.written(*updated, previous);
    }
    for (const json::object& slice : plan.remove) {
        auto removed = client.remove(kube::resources::EndpointSlices, ns, kube::name(slice));
        if (!removed && !kube::isNotFound(removed.error())) {
            return fail(removed.error().kind,
                        fmt::format("failed to delete {} EndpointSlice for {}: {}",
                                    kube::name(slice), owner, removed.error().message));
        }
        if (removed) {
            tracker.expectDeletion(slice);
        }
    }
    return {};
}

} // namespace pilot::controllers
