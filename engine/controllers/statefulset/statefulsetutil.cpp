#include "engine/controllers/statefulset/statefulsetutil.h"

#include "engine/controllers/common/controllerhistory.h"
#include "engine/controllers/common/podutil.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>

#include <charconv>
#include <set>

namespace pilot::controllers::statefulset {
namespace json = boost::json;

namespace {

const json::object* specOf(const json::object& object) {
    return kube::objectAt(object, "spec");
}

/// The ref is to an object of `kind` named like `owner` (whatever its uid).
bool matchesRef(const json::object& ref, const json::object& owner, const OwnerKind& kind) {
    return kube::stringAt(ref, "apiVersion") == kind.apiVersion &&
           kube::stringAt(ref, "kind") == kind.kind &&
           kube::stringAt(ref, "name") == kube::name(owner);
}

bool isController(const json::object& ref) {
    return kube::boolAt(ref, "controller").value_or(false);
}

/// The claim has an owner reference to `owner`'s uid (controller or not).
bool hasOwnerRef(const json::object& claim, const json::object& owner) {
    const json::array* refs = kube::ownerReferences(claim);
    if (refs == nullptr || kube::uid(owner).empty()) {
        return false;
    }
    for (const json::value& r : *refs) {
        if (r.is_object() && kube::stringAt(r.as_object(), "uid") == kube::uid(owner)) {
            return true;
        }
    }
    return false;
}

/// With a Delete policy, a controller other than the set or pod (or a ref to a set or pod of
/// the same name but another uid) means the claim is someone else's to manage.
bool hasUnexpectedController(const json::object& claim, const json::object& set,
                             const json::object& pod) {
    RetentionPolicy policy = retentionPolicy(set);
    if (!policy.deleteWhenDeleted && !policy.deleteWhenScaled) {
        return false;
    }
    const json::array* refs = kube::ownerReferences(claim);
    if (refs == nullptr) {
        return false;
    }
    for (const json::value& r : *refs) {
        const json::object* ref = r.if_object();
        if (ref == nullptr) {
            continue;
        }
        if (matchesRef(*ref, set, statefulSetKind())) {
            if (kube::stringAt(*ref, "uid") != kube::uid(set)) {
                return true;
            }
            continue;
        }
        if (matchesRef(*ref, pod, podKind())) {
            if (kube::stringAt(*ref, "uid") != kube::uid(pod)) {
                return true;
            }
            continue;
        }
        if (isController(*ref)) {
            return true;
        }
    }
    return false;
}

bool hasNonControllerOwner(const json::object& claim, const json::object& set,
                           const json::object& pod) {
    const json::array* refs = kube::ownerReferences(claim);
    if (refs == nullptr) {
        return false;
    }
    for (const json::value& r : *refs) {
        const json::object* ref = r.if_object();
        if (ref == nullptr) {
            continue;
        }
        std::string uid = kube::stringAt(*ref, "uid");
        if ((uid == kube::uid(set) || uid == kube::uid(pod)) && !isController(*ref)) {
            return true;
        }
    }
    return false;
}

void addControllerRef(json::array& refs, const json::object& owner, const OwnerKind& kind) {
    for (const json::value& r : refs) {
        if (r.is_object() && kube::stringAt(r.as_object(), "uid") == kube::uid(owner)) {
            return;
        }
    }
    refs.push_back(newControllerRef(owner, kind));
}

void setLabel(json::object& object, std::string_view key, std::string value) {
    json::object& meta = kube::ensureMetadata(object);
    if (json::object* labels = kube::ensureObject(meta, "labels")) {
        (*labels)[key] = std::move(value);
    }
}

} // namespace

const OwnerKind& statefulSetKind() {
    static const OwnerKind kind{"apps/v1", "StatefulSet"};
    return kind;
}

const OwnerKind& podKind() {
    static const OwnerKind kind{"v1", "Pod"};
    return kind;
}

int64_t replicas(const json::object& set) {
    const json::object* spec = specOf(set);
    return spec ? kube::integerAt(*spec, "replicas").value_or(1) : 1;
}

int64_t startOrdinal(const json::object& set) {
    const json::object* ordinals = kube::objectAt(specOf(set), "ordinals");
    return ordinals ? kube::integerAt(*ordinals, "start").value_or(0) : 0;
}

int64_t endOrdinal(const json::object& set) {
    return startOrdinal(set) + replicas(set) - 1;
}

int64_t minReadySeconds(const json::object& set) {
    const json::object* spec = specOf(set);
    return spec ? kube::integerAt(*spec, "minReadySeconds").value_or(0) : 0;
}

int64_t revisionHistoryLimit(const json::object& set) {
    const json::object* spec = specOf(set);
    return spec ? kube::integerAt(*spec, "revisionHistoryLimit").value_or(10) : 10;
}

bool allowsBurst(const json::object& set) {
    return kube::stringAt(specOf(set), "podManagementPolicy") == "Parallel";
}

std::string updateStrategyType(const json::object& set) {
    std::string type = kube::stringAt(kube::objectAt(specOf(set), "updateStrategy"), "type");
    return type.empty() ? "RollingUpdate" : type;
}

std::optional<int64_t> partition(const json::object& set) {
    const json::object* strategy = kube::objectAt(specOf(set), "updateStrategy");
    const json::object* rolling = kube::objectAt(strategy, "rollingUpdate");
    if (rolling == nullptr) {
        return std::nullopt;
    }
    return kube::integerAt(*rolling, "partition").value_or(0);
}

std::string serviceName(const json::object& set) {
    return kube::stringAt(specOf(set), "serviceName");
}

const json::array* volumeClaimTemplates(const json::object& set) {
    const json::object* spec = specOf(set);
    return spec ? kube::arrayAt(*spec, "volumeClaimTemplates") : nullptr;
}

RetentionPolicy retentionPolicy(const json::object& set) {
    const json::object* policy =
        kube::objectAt(specOf(set), "persistentVolumeClaimRetentionPolicy");
    return RetentionPolicy{kube::stringAt(policy, "whenDeleted") == "Delete",
                           kube::stringAt(policy, "whenScaled") == "Delete"};
}

std::pair<std::string, int64_t> parentNameAndOrdinal(std::string_view podName) {
    // "(.*)-([0-9]+)$", the ordinal a 32-bit integer.
    size_t dash = podName.rfind('-');
    if (dash == std::string_view::npos || dash + 1 >= podName.size()) {
        return {"", -1};
    }
    std::string_view digits = podName.substr(dash + 1);
    for (char c : digits) {
        if (c < '0' || c > '9') {
            return {"", -1};
        }
    }
    std::string parent(podName.substr(0, dash));
    int64_t ordinal = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), ordinal);
    if (ec != std::errc() || ordinal > INT32_MAX) {
        return {parent, -1};
    }
    return {parent, ordinal};
}

int64_t ordinalOf(const json::object& pod) {
    return parentNameAndOrdinal(kube::name(pod)).second;
}

bool isMemberOf(const json::object& set, const json::object& pod) {
    return parentNameAndOrdinal(kube::name(pod)).first == kube::name(set);
}

bool podInOrdinalRange(const json::object& pod, const json::object& set) {
    int64_t ordinal = ordinalOf(pod);
    return ordinal >= startOrdinal(set) && ordinal <= endOrdinal(set);
}

std::string podName(const json::object& set, int64_t ordinal) {
    return fmt::format("{}-{}", kube::name(set), ordinal);
}

std::string claimName(const json::object& set, std::string_view claim, int64_t ordinal) {
    return fmt::format("{}-{}-{}", claim, kube::name(set), ordinal);
}

bool identityMatches(const json::object& set, const json::object& pod) {
    auto [parent, ordinal] = parentNameAndOrdinal(kube::name(pod));
    auto label = kube::label(pod, PodNameLabel);
    return ordinal >= 0 && parent == kube::name(set) && kube::name(pod) == podName(set, ordinal) &&
           kube::namespaceOf(pod) == kube::namespaceOf(set) && label && *label == kube::name(pod);
}

bool storageMatches(const json::object& set, const json::object& pod) {
    int64_t ordinal = ordinalOf(pod);
    if (ordinal < 0) {
        return false;
    }
    const json::array* templates = volumeClaimTemplates(set);
    if (templates == nullptr) {
        return true;
    }
    const json::object* podSpec = kube::objectAt(pod, "spec");
    const json::array* volumes = podSpec ? kube::arrayAt(*podSpec, "volumes") : nullptr;
    for (const json::value& t : *templates) {
        std::string claim(kube::name(t.as_object()));
        bool found = false;
        if (volumes != nullptr) {
            for (const json::value& v : *volumes) {
                const json::object* volume = v.if_object();
                if (volume == nullptr || kube::stringAt(*volume, "name") != claim) {
                    continue;
                }
                const json::object* source = kube::objectAt(*volume, "persistentVolumeClaim");
                found = source != nullptr &&
                        kube::stringAt(*source, "claimName") == claimName(set, claim, ordinal);
                break;
            }
        }
        if (!found) {
            return false;
        }
    }
    return true;
}

std::vector<json::object> persistentVolumeClaims(const json::object& set, int64_t ordinal) {
    std::vector<json::object> claims;
    const json::array* templates = volumeClaimTemplates(set);
    if (templates == nullptr) {
        return claims;
    }
    const json::object* selector = kube::objectAt(specOf(set), "selector");
    const json::object* matchLabels = kube::objectAt(selector, "matchLabels");
    for (const json::value& t : *templates) {
        if (!t.is_object()) {
            continue;
        }
        json::object claim = t.as_object();
        std::string templateName(kube::name(claim));
        claim["apiVersion"] = "v1";
        claim["kind"] = "PersistentVolumeClaim";
        json::object& meta = kube::ensureMetadata(claim);
        meta["name"] = claimName(set, templateName, ordinal);
        meta["namespace"] = kube::namespaceOf(set);
        if (matchLabels != nullptr && !matchLabels->empty()) {
            if (json::object* labels = kube::ensureObject(meta, "labels")) {
                for (const auto& [key, value] : *matchLabels) {
                    (*labels)[key] = value;
                }
            }
        }
        claim.erase("status");
        claims.push_back(std::move(claim));
    }
    return claims;
}

void updateIdentity(const json::object& set, json::object& pod) {
    int64_t ordinal = ordinalOf(pod);
    json::object& meta = kube::ensureMetadata(pod);
    std::string name = podName(set, ordinal);
    meta["name"] = name;
    meta["namespace"] = kube::namespaceOf(set);
    setLabel(pod, PodNameLabel, name);
    setLabel(pod, PodIndexLabel, std::to_string(ordinal));
}

void updateStorage(const json::object& set, json::object& pod) {
    int64_t ordinal = ordinalOf(pod);
    json::object* spec = kube::ensureObject(pod, "spec");
    if (spec == nullptr) {
        return;
    }
    json::array volumes;
    std::set<std::string, std::less<>> claimed;
    if (const json::array* templates = volumeClaimTemplates(set)) {
        for (const json::value& t : *templates) {
            if (!t.is_object()) {
                continue;
            }
            std::string claim(kube::name(t.as_object()));
            claimed.insert(claim);
            volumes.push_back(
                json::object{{"name", claim},
                             {"persistentVolumeClaim",
                              json::object{{"claimName", claimName(set, claim, ordinal)}}}});
        }
    }
    if (const json::array* current = kube::arrayAt(*spec, "volumes")) {
        for (const json::value& v : *current) {
            if (v.is_object() && !claimed.contains(kube::stringAt(v.as_object(), "name"))) {
                volumes.push_back(v);
            }
        }
    }
    if (volumes.empty()) {
        spec->erase("volumes");
        return;
    }
    (*spec)["volumes"] = std::move(volumes);
}

json::object newStatefulSetPod(const json::object& set, int64_t ordinal) {
    const json::object* tmpl = kube::objectAt(specOf(set), "template");
    const json::object* tmplMeta = kube::objectAt(tmpl, "metadata");
    json::object meta{{"generateName", fmt::format("{}-", kube::name(set))}};
    for (std::string_view field : {"labels", "annotations", "finalizers"}) {
        if (tmplMeta != nullptr) {
            if (const json::value* v = tmplMeta->if_contains(field); v && !v->is_null()) {
                meta[field] = *v;
            }
        }
    }
    meta["ownerReferences"] = json::array{newControllerRef(set, statefulSetKind())};
    meta["name"] = podName(set, ordinal);
    json::object pod{{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", std::move(meta)}};
    const json::object* tmplSpec = kube::objectAt(tmpl, "spec");
    pod["spec"] = tmplSpec ? *tmplSpec : json::object();
    updateIdentity(set, pod);
    json::object& spec = pod["spec"].as_object();
    spec["hostname"] = kube::name(pod);
    if (std::string service = serviceName(set); !service.empty()) {
        spec["subdomain"] = service;
    }
    updateStorage(set, pod);
    return pod;
}

json::object newVersionedStatefulSetPod(const json::object& currentSet,
                                        const json::object& updateSet,
                                        const std::string& currentRevision,
                                        const std::string& updateRevision, int64_t ordinal) {
    // As upstream, including its operator precedence: (RollingUpdate && no rollingUpdate &&
    // below current replicas) || (rollingUpdate && below the partition).
    std::optional<int64_t> part = partition(currentSet);
    const json::object* status = kube::objectAt(currentSet, "status");
    int64_t currentReplicas = status ? kube::integerAt(*status, "currentReplicas").value_or(0) : 0;
    bool useCurrent = (updateStrategyType(currentSet) == "RollingUpdate" && !part &&
                       ordinal < startOrdinal(currentSet) + currentReplicas) ||
                      (part && ordinal < startOrdinal(currentSet) + *part);
    json::object pod = newStatefulSetPod(useCurrent ? currentSet : updateSet, ordinal);
    setLabel(pod, RevisionLabel, useCurrent ? currentRevision : updateRevision);
    return pod;
}

std::string podRevision(const json::object& pod) {
    auto revision = kube::label(pod, RevisionLabel);
    return revision ? std::string(*revision) : std::string();
}

std::string phase(const json::object& pod) {
    return kube::stringAt(kube::objectAt(pod, "status"), "phase");
}

bool isCreated(const json::object& pod) {
    return !phase(pod).empty();
}

bool isTerminating(const json::object& pod) {
    return kube::hasDeletionTimestamp(pod);
}

bool isRunningAndReady(const json::object& pod) {
    return phase(pod) == "Running" && isPodReady(pod);
}

bool isRunningAndAvailable(const json::object& pod, int64_t minReadySeconds, TimePoint now) {
    return isPodAvailable(pod, minReadySeconds, now);
}

bool isUnavailable(const json::object& pod, int64_t minReadySeconds, TimePoint now) {
    return !isRunningAndAvailable(pod, minReadySeconds, now) || isTerminating(pod);
}

bool hasStaleOwnerRef(const json::object& claim, const json::object& owner, const OwnerKind& kind) {
    const json::array* refs = kube::ownerReferences(claim);
    if (refs == nullptr) {
        return false;
    }
    for (const json::value& r : *refs) {
        if (r.is_object() && matchesRef(r.as_object(), owner, kind)) {
            return kube::stringAt(r.as_object(), "uid") != kube::uid(owner);
        }
    }
    return false;
}

bool isClaimOwnerUpToDate(const json::object& claim, const json::object& set,
                          const json::object& pod) {
    if (hasStaleOwnerRef(claim, set, statefulSetKind()) ||
        hasStaleOwnerRef(claim, pod, podKind())) {
        return true; // Managed by an earlier set or pod of the same name: leave it alone.
    }
    if (hasUnexpectedController(claim, set, pod)) {
        return !(hasOwnerRef(claim, set) || hasOwnerRef(claim, pod));
    }
    if (hasNonControllerOwner(claim, set, pod)) {
        return false;
    }
    RetentionPolicy policy = retentionPolicy(set);
    const bool scaledDown = !podInOrdinalRange(pod, set);
    if (!policy.deleteWhenScaled && !policy.deleteWhenDeleted) {
        return !hasOwnerRef(claim, set) && !hasOwnerRef(claim, pod);
    }
    if (!policy.deleteWhenScaled) {
        return hasOwnerRef(claim, set) && !hasOwnerRef(claim, pod);
    }
    if (!policy.deleteWhenDeleted) {
        return !hasOwnerRef(claim, set) && scaledDown == hasOwnerRef(claim, pod);
    }
    return scaledDown != hasOwnerRef(claim, set) && scaledDown == hasOwnerRef(claim, pod);
}

void updateClaimOwnerRefs(json::object& claim, const json::object& set, const json::object& pod) {
    const bool unexpected = hasUnexpectedController(claim, set, pod);
    json::array refs;
    if (const json::array* current = kube::ownerReferences(claim)) {
        for (const json::value& r : *current) {
            const json::object* ref = r.if_object();
            if (ref &&
                (matchesRef(*ref, set, statefulSetKind()) || matchesRef(*ref, pod, podKind()))) {
                continue; // Ours: rebuilt below.
            }
            refs.push_back(r);
        }
    }
    if (!unexpected) {
        RetentionPolicy policy = retentionPolicy(set);
        const bool scaledDown = !podInOrdinalRange(pod, set);
        if (policy.deleteWhenScaled && scaledDown) {
            addControllerRef(refs, pod, podKind());
        }
        if (policy.deleteWhenDeleted && !(policy.deleteWhenScaled && scaledDown)) {
            addControllerRef(refs, set, statefulSetKind());
        }
    }
    json::object& meta = kube::ensureMetadata(claim);
    if (refs.empty()) {
        meta.erase("ownerReferences");
        return;
    }
    meta["ownerReferences"] = std::move(refs);
}

json::object newRevision(const json::object& set, int64_t number, int64_t collisionCount) {
    const json::object* tmplMeta =
        kube::objectAt(kube::objectAt(specOf(set), "template"), "metadata");
    json::object revision =
        newControllerRevision(set, statefulSetKind(), kube::objectAt(tmplMeta, "labels"),
                              templateRevisionData(set), number, collisionCount);
    if (const json::object* annotations = kube::annotations(set);
        annotations && !annotations->empty()) {
        kube::ensureMetadata(revision)["annotations"] = *annotations;
    }
    return revision;
}

Result<json::object> applyRevision(const json::object& set, const json::object& revision) {
    const json::value* data = revision.if_contains("data");
    if (data == nullptr) {
        return set;
    }
    return applyRevisionData(set, *data);
}

} // namespace pilot::controllers::statefulset
