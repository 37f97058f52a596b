// StatefulSetControl: finding the current and update revisions, and trimming the history.

#include "engine/controllers/statefulset/statefulsetcontrol.h"

#include "engine/controllers/statefulset/statefulsetutil.h"
#include "kube/objectmeta.h"

#include <set>

namespace pilot::controllers::statefulset {
namespace json = boost::json;

Result<StatefulSetControl::Revisions>
StatefulSetControl::getStatefulSetRevisions(const json::object& set,
                                            std::vector<kube::ObjectPtr>& revisions) {
    auto known = m_history.upToDate(set, revisions);
    if (!known) {
        return std::unexpected(known.error());
    }
    revisions = std::move(*known);
    sortControllerRevisions(revisions);
    Revisions out;
    out.collisionCount = StatefulSetStatus::of(set).collisionCount.value_or(0);

    json::object candidate = newRevision(set, nextRevision(revisions), out.collisionCount);
    std::vector<kube::ObjectPtr> equal = findEqualRevisions(revisions, candidate);
    if (!equal.empty() && equalRevision(*revisions.back(), *equal.back())) {
        // The newest revision is the template: nothing changed.
        out.update = revisions.back();
    } else if (!equal.empty()) {
        // Back to an earlier template: that revision becomes the newest again.
        auto renumbered = m_history.setRevision(equal.back(), revisionNumber(candidate));
        if (!renumbered) {
            return std::unexpected(renumbered.error());
        }
        out.update = *renumbered;
    } else {
        auto created = m_history.create(set, candidate, out.collisionCount);
        if (!created) {
            return std::unexpected(created.error());
        }
        out.update = *created;
    }

    const std::string currentName = StatefulSetStatus::of(set).currentRevision;
    for (const kube::ObjectPtr& revision : revisions) {
        if (kube::name(*revision) == currentName) {
            out.current = revision;
            break;
        }
    }
    if (!out.current) {
        out.current = out.update; // A new history starts at the update revision.
    }
    return out;
}

Status StatefulSetControl::truncateHistory(const json::object& set,
                                           const std::vector<kube::ObjectPtr>& pods,
                                           const std::vector<kube::ObjectPtr>& revisions,
                                           const Revisions* live) {
    std::set<std::string, std::less<>> liveNames;
    if (live != nullptr) {
        for (const kube::ObjectPtr& revision : {live->current, live->update}) {
            if (revision) {
                liveNames.emplace(kube::name(*revision));
            }
        }
    }
    for (const kube::ObjectPtr& pod : pods) {
        liveNames.insert(podRevision(*pod));
    }
    std::vector<kube::ObjectPtr> history;
    for (const kube::ObjectPtr& revision : revisions) {
        if (!liveNames.contains(kube::name(*revision))) {
            history.push_back(revision);
        }
    }
    const int64_t limit = revisionHistoryLimit(set);
    const auto size = static_cast<int64_t>(history.size());
    if (limit < 0 || size <= limit) {
        return {};
    }
    for (int64_t i = 0; i < size - limit; ++i) {
        if (Status removed = m_history.remove(*history[static_cast<size_t>(i)]); !removed) {
            return removed;
        }
    }
    return {};
}

} // namespace pilot::controllers::statefulset
