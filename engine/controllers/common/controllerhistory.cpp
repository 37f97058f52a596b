#include "engine/controllers/common/controllerhistory.h"

#include "engine/controllers/common/podutil.h"
#include "engine/controllers/common/templatehash.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"
#include "kube/strategicmerge.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

namespace pilot::controllers {
namespace json = boost::json;

namespace {

constexpr size_t MaxNamePrefix = 223;
constexpr int MaxConflictRetries = 5;
/// Collisions with foreign revisions are rare; give up well before looping for long.
constexpr int MaxCollisionRetries = 100;

/// FNV-1, 32 bits (Go's hash/fnv New32), continuing from `hash`.
uint32_t fnv32(std::string_view data, uint32_t hash = 2166136261U) {
    for (unsigned char c : data) {
        hash *= 16777619U;
        hash ^= c;
    }
    return hash;
}

const json::value* dataOf(const json::object& revision) {
    return revision.if_contains("data");
}

kube::ObjectPtr share(json::object object) {
    return std::make_shared<const json::object>(std::move(object));
}

} // namespace

int64_t revisionNumber(const json::object& revision) {
    return kube::integerAt(revision, "revision").value_or(0);
}

std::string controllerRevisionName(std::string_view prefix, std::string_view hash) {
    if (prefix.size() > MaxNamePrefix) {
        prefix = prefix.substr(0, MaxNamePrefix);
    }
    return fmt::format("{}-{}", prefix, hash);
}

std::string hashControllerRevision(const json::object& revision, std::optional<int64_t> probe) {
    uint32_t hash = fnv32({});
    if (const json::value* data = dataOf(revision); data && !data->is_null()) {
        hash = fnv32(canonicalJson(*data), hash);
    }
    if (probe) {
        hash = fnv32(std::to_string(*probe), hash);
    }
    return safeEncodeString(std::to_string(hash));
}

json::object newControllerRevision(const json::object& parent, const OwnerKind& kind,
                                   const json::object* templateLabels, json::value data,
                                   int64_t revision, std::optional<int64_t> collisionCount) {
    json::object labels = templateLabels ? *templateLabels : json::object();
    json::object cr{
        {"apiVersion", "apps/v1"},
        {"kind", "ControllerRevision"},
        {"metadata",
         json::object{{"namespace", kube::namespaceOf(parent)},
                      {"ownerReferences", json::array{newControllerRef(parent, kind)}}}},
        {"data", std::move(data)},
        {"revision", revision},
    };
    std::string hash = hashControllerRevision(cr, collisionCount);
    labels[ControllerRevisionHashLabel] = hash;
    json::object& meta = cr["metadata"].as_object();
    meta["name"] = controllerRevisionName(kube::name(parent), hash);
    meta["labels"] = std::move(labels);
    return cr;
}

bool equalRevision(const json::object& a, const json::object& b) {
    const json::value* da = dataOf(a);
    const json::value* db = dataOf(b);
    json::value none;
    return kube::jsonEqual(normalizedJson(da ? *da : none), normalizedJson(db ? *db : none));
}

std::vector<kube::ObjectPtr> findEqualRevisions(const std::vector<kube::ObjectPtr>& revisions,
                                                const json::object& needle) {
    std::vector<kube::ObjectPtr> out;
    for (const kube::ObjectPtr& revision : revisions) {
        if (revision && equalRevision(*revision, needle)) {
            out.push_back(revision);
        }
    }
    return out;
}

void sortControllerRevisions(std::vector<kube::ObjectPtr>& revisions) {
    std::stable_sort(revisions.begin(), revisions.end(),
                     [](const kube::ObjectPtr& a, const kube::ObjectPtr& b) {
                         int64_t ra = revisionNumber(*a);
                         int64_t rb = revisionNumber(*b);
                         if (ra != rb) {
                             return ra < rb;
                         }
                         auto ta = creationTime(*a);
                         auto tb = creationTime(*b);
                         if (ta != tb) {
                             return ta < tb;
                         }
                         return kube::name(*a) < kube::name(*b);
                     });
}

int64_t nextRevision(const std::vector<kube::ObjectPtr>& sortedRevisions) {
    if (sortedRevisions.empty()) {
        return 1;
    }
    return revisionNumber(*sortedRevisions.back()) + 1;
}

json::object templateRevisionData(const json::object& owner) {
    json::object tmpl;
    if (const json::object* t = kube::objectAt(kube::objectAt(owner, "spec"), "template")) {
        tmpl = *t;
    }
    tmpl["$patch"] = "replace";
    return json::object{{"spec", json::object{{"template", std::move(tmpl)}}}};
}

Result<json::object> applyRevisionData(const json::object& owner, const json::value& data) {
    auto patched = kube::applyStrategicMergePatch(owner, data, nullptr);
    if (!patched) {
        return std::unexpected(patched.error());
    }
    if (!patched->is_object()) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("revision data of {}/{} is not an object", kube::namespaceOf(owner),
                                kube::name(owner)));
    }
    return std::move(patched->as_object());
}

Result<std::vector<kube::ObjectPtr>>
ControllerHistory::upToDate(const json::object& parent, std::vector<kube::ObjectPtr> cached) {
    std::optional<Newest> newest;
    {
        std::lock_guard lock(m_mutex);
        if (auto it = m_newest.find(kube::uid(parent)); it != m_newest.end()) {
            newest = it->second;
        }
    }
    auto isNewest = [&](const kube::ObjectPtr& revision) {
        return kube::name(*revision) == newest->name && revisionNumber(*revision) >= newest->number;
    };
    if (!newest || std::any_of(cached.begin(), cached.end(), isNewest)) {
        return cached;
    }
    auto listed = m_client.listAll(ControllerRevisions, kube::namespaceOf(parent));
    if (!listed) {
        return std::unexpected(listed.error().toError());
    }
    std::vector<kube::ObjectPtr> owned;
    for (json::object& revision : listed->items) {
        const json::object* ref = kube::controllerRef(revision);
        if (ref != nullptr && kube::stringAt(*ref, "uid") == kube::uid(parent)) {
            owned.push_back(share(std::move(revision)));
        }
    }
    if (std::none_of(owned.begin(), owned.end(), isNewest)) {
        // Deleted or renumbered by someone else since: the cache has nothing to catch up with.
        std::lock_guard lock(m_mutex);
        m_newest.erase(std::string(kube::uid(parent)));
    }
    return owned;
}

void ControllerHistory::written(const json::object& parent, const json::object& revision) {
    remember(kube::uid(parent), revision);
}

void ControllerHistory::remember(std::string_view parentUid, const json::object& revision) {
    std::lock_guard lock(m_mutex);
    m_newest[std::string(parentUid)] =
        Newest{std::string(kube::name(revision)), revisionNumber(revision)};
}

void ControllerHistory::forget(const json::object& parent) {
    std::lock_guard lock(m_mutex);
    m_newest.erase(std::string(kube::uid(parent)));
}

Result<kube::ObjectPtr> ControllerHistory::create(const json::object& parent,
                                                  const json::object& revision,
                                                  int64_t& collisionCount) {
    json::object clone = revision;
    const std::string ns(kube::namespaceOf(parent));
    for (int attempt = 0; attempt < MaxCollisionRetries; ++attempt) {
        std::string hash = hashControllerRevision(revision, collisionCount);
        kube::ensureMetadata(clone)["name"] = controllerRevisionName(kube::name(parent), hash);
        auto created = m_client.create(ControllerRevisions, ns, clone);
        if (created) {
            written(parent, *created);
            return share(std::move(*created));
        }
        if (!kube::isAlreadyExists(created.error())) {
            return std::unexpected(created.error().toError());
        }
        auto existing = m_client.get(ControllerRevisions, ns, kube::name(clone));
        if (!existing) {
            return std::unexpected(existing.error().toError());
        }
        if (equalRevision(*existing, clone)) {
            return share(std::move(*existing));
        }
        ++collisionCount;
    }
    return fail(
        ErrorCode::Conflict,
        fmt::format("could not find a free name for a revision of {}/{}", ns, kube::name(parent)));
}

Result<kube::ObjectPtr> ControllerHistory::setRevision(const kube::ObjectPtr& revision,
                                                       int64_t number) {
    json::object clone = *revision;
    for (int attempt = 0;; ++attempt) {
        if (revisionNumber(clone) == number) {
            return share(std::move(clone));
        }
        clone["revision"] = number;
        auto updated = m_client.update(ControllerRevisions, clone);
        if (updated) {
            if (const json::object* owner = kube::controllerRef(*updated)) {
                remember(kube::stringAt(*owner, "uid"), *updated);
            }
            return share(std::move(*updated));
        }
        if (!kube::isConflict(updated.error()) || attempt >= MaxConflictRetries) {
            return std::unexpected(updated.error().toError());
        }
        auto fresh = m_client.get(ControllerRevisions, kube::namespaceOf(clone), kube::name(clone));
        if (!fresh) {
            return std::unexpected(fresh.error().toError());
        }
        clone = std::move(*fresh);
    }
}

Status ControllerHistory::remove(const json::object& revision) {
    auto removed =
        m_client.remove(ControllerRevisions, kube::namespaceOf(revision), kube::name(revision));
    if (!removed && !kube::isNotFound(removed.error())) {
        return std::unexpected(removed.error().toError());
    }
    return {};
}

} // namespace pilot::controllers
