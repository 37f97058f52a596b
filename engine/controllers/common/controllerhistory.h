#pragma once

#include "core/error.h"
#include "engine/controllers/common/controllerref.h"
#include "kube/client/apiclient.h"
#include "kube/client/indexedcache.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// ControllerRevision history as upstream's pkg/controller/history keeps it for StatefulSets and
/// DaemonSets: revisions named `<owner>-<hash>`, hashed from their data, numbered, compared,
/// created with name-collision handling, renumbered on rollback and deleted.
namespace pilot::controllers {

/// apps/v1 ControllerRevisions.
inline const kube::ApiResource ControllerRevisions{"apps", "v1", "controllerrevisions", true};
/// The label a StatefulSet's revisions carry with their hash.
inline constexpr std::string_view ControllerRevisionHashLabel = "controller.kubernetes.io/hash";

/// `revision` of a ControllerRevision (0 when absent).
[[nodiscard]] int64_t revisionNumber(const boost::json::object& revision);
/// `<prefix>-<hash>`, the prefix cut to 223 characters so the name stays valid.
[[nodiscard]] std::string controllerRevisionName(std::string_view prefix, std::string_view hash);
/// FNV-32 (not 32a, as upstream's HashControllerRevision) of the revision's data in canonical
/// JSON, then the decimal `probe` when set, rendered through safeEncodeString.
[[nodiscard]] std::string hashControllerRevision(const boost::json::object& revision,
                                                 std::optional<int64_t> probe);
/// A revision of `parent` (not yet created): the template labels plus the hash label, a
/// controller reference to the parent, `data` and `revision`; named from the hash.
[[nodiscard]] boost::json::object newControllerRevision(const boost::json::object& parent,
                                                        const OwnerKind& kind,
                                                        const boost::json::object* templateLabels,
                                                        boost::json::value data, int64_t revision,
                                                        std::optional<int64_t> collisionCount);

/// Whether two revisions hold the same data (semantically: member order and empty or null
/// members do not matter).
[[nodiscard]] bool equalRevision(const boost::json::object& a, const boost::json::object& b);
/// The revisions in `revisions` equal to `needle`, in their order.
[[nodiscard]] std::vector<kube::ObjectPtr>
findEqualRevisions(const std::vector<kube::ObjectPtr>& revisions,
                   const boost::json::object& needle);
/// Orders by revision number, then creation time, then name (history.SortControllerRevisions).
void sortControllerRevisions(std::vector<kube::ObjectPtr>& revisions);
/// One more than the last (sorted) revision's number; 1 for an empty history.
[[nodiscard]] int64_t nextRevision(const std::vector<kube::ObjectPtr>& sortedRevisions);

/// The data of a revision that snapshots `owner.spec.template`:
/// `{"spec":{"template":{..., "$patch":"replace"}}}`, the strategic-merge patch that restores
/// the template (what `kubectl rollout undo` sends back for StatefulSets and DaemonSets).
[[nodiscard]] boost::json::object templateRevisionData(const boost::json::object& owner);
/// `owner` with a revision's data applied as a strategic-merge patch (ApplyRevision).
[[nodiscard]] Result<boost::json::object> applyRevisionData(const boost::json::object& owner,
                                                            const boost::json::value& data);

/// Writes ControllerRevisions through the API, and remembers the newest one it wrote for each
/// parent so decisions never rest on an informer that has not delivered it yet. Thread-safe.
class ControllerHistory {
public:
    explicit ControllerHistory(kube::ApiClient& client) : m_client(client) {}

    /// The revisions of `parent` to decide on: `cached` (from its informer, claimed), unless
    /// that lacks the newest revision written for `parent` here (or shows it with an older
    /// number); then the revisions `parent` controls as the API lists them. Numbering a new
    /// revision after a cache that is behind would repeat a number, and a rollback would not
    /// be renumbered.
    [[nodiscard]] Result<std::vector<kube::ObjectPtr>>
    upToDate(const boost::json::object& parent, std::vector<kube::ObjectPtr> cached);
    /// Remembers `revision` as the newest written for `parent` (create and setRevision do so;
    /// for revisions created by other means).
    void written(const boost::json::object& parent, const boost::json::object& revision);
    /// Forgets what was written for `parent` (deleted).
    void forget(const boost::json::object& parent);

    /// Creates `revision` (from newControllerRevision) for `parent`. On a name taken by a
    /// revision with the same data, returns that one; on a collision with different data,
    /// increments `collisionCount` and tries the next name, as upstream.
    [[nodiscard]] Result<kube::ObjectPtr> create(const boost::json::object& parent,
                                                 const boost::json::object& revision,
                                                 int64_t& collisionCount);
    /// Sets the revision number (a rollback to an earlier revision), retrying on conflicts.
    [[nodiscard]] Result<kube::ObjectPtr> setRevision(const kube::ObjectPtr& revision,
                                                      int64_t number);
    /// Deletes a revision; one that is already gone counts as deleted.
    [[nodiscard]] Status remove(const boost::json::object& revision);

private:
    struct Newest {
        std::string name;
        int64_t number = 0;
    };

    void remember(std::string_view parentUid, const boost::json::object& revision);

    kube::ApiClient& m_client;
    std::mutex m_mutex;
    std::map<std::string, Newest, std::less<>> m_newest; // by parent uid
};

} // namespace pilot::controllers
