#pragma once

#include "kube/client/indexedcache.h"

#include <boost/json/object.hpp>

#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace pilot::controllers {

/// What a controller last wrote to each of its EndpointSlices (upstream's
/// EndpointSliceTracker, by resourceVersion instead of generation): informer events for its
/// own writes do not trigger syncs, changes made by anyone else do, and a sync is refused while
/// the informer still lags behind a write (a created slice missing, a deleted one present, an
/// updated one at the version it replaced). Slices are grouped by their Service key
/// (serviceKeyOfSlice). Thread-safe.
class SliceTracker {
public:
    /// After a create (`previousVersion` empty) or update: the slice as the server returned it.
    void written(const boost::json::object& slice, const std::string& previousVersion);
    /// After a delete request for the slice.
    void expectDeletion(const boost::json::object& slice);

    /// For informer adds and updates: whether the slice is in a state this controller did not
    /// write (so its Service needs a sync).
    [[nodiscard]] bool shouldSync(const boost::json::object& slice) const;
    [[nodiscard]] bool has(const boost::json::object& slice) const;
    /// For informer deletes: true when the deletion was this controller's (no sync needed).
    /// Forgets the slice either way.
    bool handleDeletion(const boost::json::object& slice);

    /// Whether `slices` (the informer's view of the Service's slices) lag behind the writes.
    [[nodiscard]] bool stale(const std::string& serviceKey,
                             const std::vector<kube::ObjectPtr>& slices) const;
    void eraseService(const std::string& serviceKey);

private:
    struct Entry {
        std::string version;
        std::string previousVersion;
        bool deleting = false;
    };
    [[nodiscard]] const Entry* findLocked(const boost::json::object& slice) const;

    mutable std::mutex m_mutex;
    std::map<std::string, std::map<std::string, Entry>> m_byService; // service key -> uid -> entry
};

} // namespace pilot::controllers
