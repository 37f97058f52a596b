#include "engine/controllers/statefulset/statefulpodcontrol.h"

#include "engine/controllers/statefulset/statefulsetutil.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <vector>

namespace pilot::controllers::statefulset {
namespace json = boost::json;

namespace {

constexpr int MaxUpdateAttempts = 5;

std::string title(std::string_view verb) {
    std::string out(verb);
    if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') {
        out[0] = static_cast<char>(out[0] - 'a' + 'A');
    }
    return out;
}

/// Upstream aggregates errors as `[a, b]` when there are several.
Status aggregate(const std::vector<Error>& errors) {
    if (errors.empty()) {
        return {};
    }
    if (errors.size() == 1) {
        return std::unexpected(errors.front());
    }
    std::string message = "[";
    for (size_t i = 0; i < errors.size(); ++i) {
        message += (i ? ", " : "") + errors[i].message;
    }
    message += "]";
    return std::unexpected(Error{errors.front().code, std::move(message)});
}

} // namespace

kube::ObjectPtr StatefulPodControl::claim(std::string_view ns, std::string_view name) const {
    return m_claims.get(kube::objectKey(ns, name));
}

void StatefulPodControl::recordPodEvent(std::string_view verb, const json::object& set,
                                        const json::object& pod, const Error* error) {
    if (error == nullptr) {
        m_events.normal(set, "Successful" + title(verb),
                        fmt::format("{} Pod {} in StatefulSet {} successful", verb, kube::name(pod),
                                    kube::name(set)));
        return;
    }
    m_events.warning(set, "Failed" + title(verb),
                     fmt::format("{} Pod {} in StatefulSet {} failed error: {}", verb,
                                 kube::name(pod), kube::name(set), error->message));
}

void StatefulPodControl::recordClaimEvent(std::string_view verb, const json::object& set,
                                          const json::object& pod, const json::object& claim,
                                          const Error* error) {
    if (error == nullptr) {
        m_events.normal(set, "Successful" + title(verb),
                        fmt::format("{} Claim {} Pod {} in StatefulSet {} success", verb,
                                    kube::name(claim), kube::name(pod), kube::name(set)));
        return;
    }
    m_events.warning(set, "Failed" + title(verb),
                     fmt::format("{} Claim {} for Pod {} in StatefulSet {} failed error: {}", verb,
                                 kube::name(claim), kube::name(pod), kube::name(set),
                                 error->message));
}

Status StatefulPodControl::createStatefulPod(const json::object& set, const json::object& pod) {
    if (Status claims = createPersistentVolumeClaims(set, pod); !claims) {
        recordPodEvent("create", set, pod, &claims.error());
        return claims;
    }
    auto created = m_client.create(kube::resources::Pods, kube::namespaceOf(set), pod);
    if (!created) {
        Error error = created.error().toError();
        if (kube::isAlreadyExists(created.error())) {
            return std::unexpected(error);
        }
        recordPodEvent("create", set, pod, &error);
        return std::unexpected(error);
    }
    // Set the claims' owners as far as possible now that the pod has a uid.
    if (Status owners = updatePodClaimForRetentionPolicy(set, *created); !owners) {
        recordPodEvent("update", set, pod, &owners.error());
        return owners;
    }
    recordPodEvent("create", set, pod, nullptr);
    return {};
}

Status StatefulPodControl::updateStatefulPod(const json::object& set, json::object pod) {
    bool attempted = false;
    Status result;
    for (int attempt = 0; attempt < MaxUpdateAttempts; ++attempt) {
        bool consistent = true;
        if (!identityMatches(set, pod)) {
            updateIdentity(set, pod);
            consistent = false;
        }
        if (!storageMatches(set, pod)) {
            updateStorage(set, pod);
            consistent = false;
            if (Status claims = createPersistentVolumeClaims(set, pod); !claims) {
                recordPodEvent("update", set, pod, &claims.error());
                return claims;
            }
        }
        auto match = claimsMatchRetentionPolicy(set, pod);
        if (!match) {
            recordPodEvent("update", set, pod, &match.error());
            return std::unexpected(match.error());
        }
        if (!*match) {
            if (Status owners = updatePodClaimForRetentionPolicy(set, pod); !owners) {
                recordPodEvent("update", set, pod, &owners.error());
                return owners;
            }
            consistent = false;
        }
        if (consistent) {
            return {};
        }
        attempted = true;
        auto updated = m_client.update(kube::resources::Pods, pod);
        if (updated) {
            result = {};
            break;
        }
        result = std::unexpected(updated.error().toError());
        if (!kube::isConflict(updated.error())) {
            break;
        }
        auto fresh = m_client.get(kube::resources::Pods, kube::namespaceOf(set), kube::name(pod));
        if (!fresh) {
            result = std::unexpected(fresh.error().toError());
            break;
        }
        pod = std::move(*fresh);
    }
    if (attempted) {
        recordPodEvent("update", set, pod, result ? nullptr : &result.error());
    }
    return result;
}

Status StatefulPodControl::deleteStatefulPod(const json::object& set, const json::object& pod) {
    auto removed = m_client.remove(kube::resources::Pods, kube::namespaceOf(pod), kube::name(pod));
    if (!removed && kube::isNotFound(removed.error())) {
        return {}; // Deleted already; the cache had not caught up.
    }
    if (!removed) {
        Error error = removed.error().toError();
        recordPodEvent("delete", set, pod, &error);
        return std::unexpected(error);
    }
    recordPodEvent("delete", set, pod, nullptr);
    return {};
}

Result<bool> StatefulPodControl::claimsMatchRetentionPolicy(const json::object& set,
                                                            const json::object& pod) {
    for (const json::object& wanted : persistentVolumeClaims(set, ordinalOf(pod))) {
        auto existing = claimForPolicy(set, kube::name(wanted));
        if (!existing) {
            return std::unexpected(existing.error());
        }
        if (*existing && !isClaimOwnerUpToDate(**existing, set, pod)) {
            return false;
        }
    }
    return true;
}

Result<kube::ObjectPtr> StatefulPodControl::claimForPolicy(const json::object& set,
                                                           std::string_view name) {
    kube::ObjectPtr cached = claim(kube::namespaceOf(set), name);
    const RetentionPolicy policy = retentionPolicy(set);
    if (cached || (!policy.deleteWhenDeleted && !policy.deleteWhenScaled)) {
        return cached;
    }
    // Created a moment ago, most likely, and not in the cache yet. No later sync is sure to
    // come (pods settle, a condemned pod goes), so its owners are set now, from the API's copy.
    auto fetched =
        m_client.get(kube::resources::PersistentVolumeClaims, kube::namespaceOf(set), name);
    if (!fetched) {
        if (kube::isNotFound(fetched.error())) {
            return kube::ObjectPtr();
        }
        return std::unexpected(fetched.error().toError());
    }
    return std::make_shared<const json::object>(std::move(*fetched));
}

Status StatefulPodControl::updatePodClaimForRetentionPolicy(const json::object& set,
                                                            const json::object& pod) {
    for (const json::object& wanted : persistentVolumeClaims(set, ordinalOf(pod))) {
        auto existing = claimForPolicy(set, kube::name(wanted));
        if (!existing) {
            return std::unexpected(existing.error());
        }
        if (!*existing || isClaimOwnerUpToDate(**existing, set, pod)) {
            continue;
        }
        json::object copy = **existing;
        for (int attempt = 0;; ++attempt) {
            updateClaimOwnerRefs(copy, set, pod);
            auto updated = m_client.update(kube::resources::PersistentVolumeClaims, copy);
            if (updated) {
                break;
            }
            if (!kube::isConflict(updated.error()) || attempt >= 1) {
                return fail(updated.error().kind,
                            fmt::format("Could not update claim {} for delete policy ownerRefs: {}",
                                        kube::name(wanted), updated.error().message));
            }
            // The cache was behind: look at the newest claim.
            auto fresh = m_client.get(kube::resources::PersistentVolumeClaims,
                                      kube::namespaceOf(set), kube::name(wanted));
            if (!fresh) {
                if (kube::isNotFound(fresh.error())) {
                    break;
                }
                return std::unexpected(fresh.error().toError());
            }
            if (isClaimOwnerUpToDate(*fresh, set, pod)) {
                break;
            }
            copy = std::move(*fresh);
        }
    }
    return {};
}

bool StatefulPodControl::podClaimIsStale(const json::object& set, const json::object& pod) const {
    if (!retentionPolicy(set).deleteWhenScaled) {
        return false; // Claims are meant to be reused.
    }
    for (const json::object& wanted : persistentVolumeClaims(set, ordinalOf(pod))) {
        kube::ObjectPtr existing = claim(kube::namespaceOf(set), kube::name(wanted));
        if (existing && hasStaleOwnerRef(*existing, pod, podKind())) {
            return true;
        }
    }
    return false;
}

Status StatefulPodControl::createMissingPersistentVolumeClaims(const json::object& set,
                                                               const json::object& pod) {
    if (Status created = createPersistentVolumeClaims(set, pod); !created) {
        return created;
    }
    if (Status owners = updatePodClaimForRetentionPolicy(set, pod); !owners) {
        recordPodEvent("update", set, pod, &owners.error());
        return owners;
    }
    return {};
}

Status StatefulPodControl::createPersistentVolumeClaims(const json::object& set,
                                                        const json::object& pod) {
    std::vector<Error> errors;
    for (const json::object& wanted : persistentVolumeClaims(set, ordinalOf(pod))) {
        kube::ObjectPtr existing = claim(kube::namespaceOf(set), kube::name(wanted));
        if (existing) {
            if (kube::hasDeletionTimestamp(*existing)) {
                errors.push_back(Error{ErrorCode::Conflict,
                                       fmt::format("pvc {} is being deleted", kube::name(wanted))});
            }
            continue;
        }
        auto created = m_client.create(kube::resources::PersistentVolumeClaims,
                                       kube::namespaceOf(set), wanted);
        if (created) {
            recordClaimEvent("create", set, pod, wanted, nullptr);
            continue;
        }
        if (kube::isAlreadyExists(created.error())) {
            continue; // The cache is behind; the claim is there, as wanted.
        }
        Error raw = created.error().toError();
        recordClaimEvent("create", set, pod, wanted, &raw);
        errors.push_back(Error{
            raw.code, fmt::format("failed to create PVC {}: {}", kube::name(wanted), raw.message)});
    }
    return aggregate(errors);
}

} // namespace pilot::controllers::statefulset
