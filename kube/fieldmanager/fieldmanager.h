#pragma once

// Server-side apply field management (structured-merge-diff semantics): who owns which field
// of an object, recorded in `metadata.managedFields`. The one header callers include.

#include "core/clock.h"
#include "core/error.h"
#include "kube/fieldmanager/fieldset.h"
#include "kube/fieldmanager/fieldsv1.h"
#include "kube/fieldmanager/managedfields.h"
#include "kube/fieldmanager/objectfields.h"
#include "kube/schema.h"

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace pilot::kube::fieldmanager {

/// Who writes, through which endpoint, and what the object looks like.
struct WriteContext {
    std::string manager;     // the fieldManager
    std::string apiVersion;  // the request's group/version ("apps/v1")
    std::string subresource; // "" for the main resource, "status", "scale", ...
    TimePoint now;
    /// Root schema of the kind; null: schema-less (objects are maps, lists atomic).
    const schema::Type* type = nullptr;
    /// Whether the kind has a status subresource. Then, as upstream's reset fields, writes to
    /// the main resource own nothing under `status`, and writes to `status` nothing under
    /// `spec`.
    bool statusSubresource = false;
};

/// A field another manager owns that an apply would change.
struct Conflict {
    std::string manager;
    std::string operation; // "Apply" or "Update"
    std::string apiVersion;
    std::string subresource;
    Path path;

    /// The StatusCause field: `.spec.replicas`.
    [[nodiscard]] std::string field() const { return pathString(path); }
    /// The StatusCause message (reason FieldManagerConflict):
    /// `conflict with "kubectl-client-side-apply" using apps/v1`.
    [[nodiscard]] std::string message() const;
};

/// The Status message for an apply that conflicts, exactly as upstream:
/// `Apply failed with 1 conflict: conflict with "x" using apps/v1: .spec.replicas`, or for more
/// `Apply failed with 2 conflicts: conflicts with "x" using apps/v1:\n- .spec.replicas\n- ...`
/// (managers sorted by their identifier).
[[nodiscard]] std::string conflictsMessage(const std::vector<Conflict>& conflicts);

struct ApplyResult {
    /// The object to store, with `metadata.managedFields`; null when there are conflicts.
    boost::json::value object;
    /// Sorted by manager, then field; empty on success.
    std::vector<Conflict> conflicts;
    /// Whether anything besides managedFields differs from the live object. The managedFields
    /// may change on their own (a new co-owner), so store whenever `object` differs from live.
    bool changed = false;
};

/// Server-side apply of `applied` (an apply-patch body) to `live` (null: the object does not
/// exist yet and is created). Merges the configuration into the live object, removes fields
/// this manager applied before, no longer applies and nobody else owns, and records the
/// manager's Apply entry (its fields: exactly the applied configuration's). Fields whose values
/// the apply changes and which another manager owns are conflicts; with `force` they move to
/// this manager instead. As upstream, the "kubectl" manager may take fields over from
/// client-side apply without conflict where the live value still matches the object's
/// last-applied-configuration annotation, an apply by "kubectl" rewrites that annotation (when
/// the object has one) to the applied configuration, and an object that has no managedFields is
/// first attributed to "before-first-apply".
///
/// Live managedFields that cannot be read are dropped (upstream fails the request instead).
///
/// Errors (InvalidArgument, to be answered 400): the body is not an object, sets
/// `metadata.managedFields`, names another apiVersion, or has a keyed-list item without its
/// keys or duplicate keys. Server-managed metadata (uid, creationTimestamp, ...) is merged like
/// any member; the caller restores it as for any patch.
[[nodiscard]] Result<ApplyResult> apply(const boost::json::value* live,
                                        const boost::json::value& applied,
                                        const WriteContext& context, bool force);

/// Records an ordinary write (create, update, non-apply patch) of `newObj` over `oldObj` (null
/// for a create) in newObj's managedFields and returns the object to store. Fields the write
/// adds or changes go to the manager's entry for `operation` and apiVersion and leave every
/// other entry; removed fields leave every entry; entries left empty disappear; at most ten
/// Update entries are kept (the oldest merge into "ancient-changes"). As upstream, a request
/// may set managedFields itself (`[]` or `[{}]` resets them); otherwise, and always for
/// subresources, the old object's entries are the starting point. Never fails: unreadable
/// managedFields are dropped.
[[nodiscard]] boost::json::value update(const boost::json::value* oldObj,
                                        const boost::json::value& newObj,
                                        const WriteContext& context,
                                        std::string_view operation = OperationUpdate);

/// As above, taking `newObj` over: the stored object is `newObj` itself, changed in place, with
/// no copy. A create that starts from no entries (no old object, no managedFields requested)
/// is recorded in a single walk over the object; the result is byte for byte the same.
[[nodiscard]] boost::json::value update(const boost::json::value* oldObj,
                                        boost::json::value&& newObj, const WriteContext& context,
                                        std::string_view operation = OperationUpdate);

namespace detail {

/// `update` without the create shortcut: the general algorithm (copy, compare, field-set
/// algebra, encode). For tests that check both give the same bytes.
[[nodiscard]] boost::json::value updateGeneral(const boost::json::value* oldObj,
                                               const boost::json::value& newObj,
                                               const WriteContext& context,
                                               std::string_view operation = OperationUpdate);

} // namespace detail

} // namespace pilot::kube::fieldmanager
