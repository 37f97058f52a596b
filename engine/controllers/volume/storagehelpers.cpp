#include "engine/controllers/volume/storagehelpers.h"

#include "kube/jsonutil.h"
#include "kube/labelselector.h"
#include "kube/objectmeta.h"
#include "kube/quantity.h"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace pilot::controllers::storage {
namespace json = boost::json;

namespace {

std::set<std::string> accessModesOf(const json::object& object) {
    const json::object* spec = kube::objectAt(object, "spec");
    std::vector<std::string> modes =
        spec ? kube::stringsAt(*spec, "accessModes") : std::vector<std::string>{};
    return {modes.begin(), modes.end()};
}

kube::Quantity capacityOf(const json::object& volume) {
    const json::object* capacity = kube::objectAt(kube::objectAt(volume, "spec"), "capacity");
    const json::value* storage = capacity ? capacity->if_contains("storage") : nullptr;
    if (storage == nullptr) {
        return {};
    }
    auto q = kube::Quantity::fromJson(*storage);
    return q ? *q : kube::Quantity();
}

kube::Quantity requestOf(const json::object& claim) {
    json::value storage = requestedStorage(claim);
    auto q = kube::Quantity::fromJson(storage);
    return q ? *q : kube::Quantity();
}

std::string volumeModeOf(const json::object& object) {
    std::string mode = kube::stringAt(kube::objectAt(object, "spec"), "volumeMode");
    return mode.empty() ? "Filesystem" : mode;
}

std::string attributesClassOf(const json::object& object) {
    return kube::stringAt(kube::objectAt(object, "spec"), "volumeAttributesClassName");
}

/// FindMatchingVolume for the PV controller (no node).
kube::ObjectPtr findMatching(const json::object& claim, const std::vector<kube::ObjectPtr>& volumes,
                             bool delayBinding) {
    kube::Quantity requested = requestOf(claim);
    std::string requestedClass = claimClass(claim);
    const json::value* selectorJson = kube::objectAt(claim, "spec")
                                          ? kube::objectAt(claim, "spec")->if_contains("selector")
                                          : nullptr;
    std::optional<kube::LabelSelector> selector;
    if (selectorJson != nullptr && !selectorJson->is_null()) {
        auto parsed = kube::LabelSelector::fromJson(selectorJson);
        if (!parsed) {
            return nullptr;
        }
        selector = std::move(*parsed);
    }
    kube::ObjectPtr smallest;
    kube::Quantity smallestQty;
    for (const kube::ObjectPtr& volume : volumes) {
        const json::object* claimRef = kube::objectAt(kube::objectAt(*volume, "spec"), "claimRef");
        bool boundToClaim = isVolumeBoundToClaim(*volume, claim);
        if (claimRef != nullptr && !boundToClaim) {
            continue;
        }
        kube::Quantity capacity = capacityOf(*volume);
        if (capacity.compare(requested) < 0 || volumeModeMismatch(claim, *volume) ||
            !attributesClassOf(*volume).empty() || kube::hasDeletionTimestamp(*volume)) {
            continue;
        }
        if (boundToClaim) {
            return volume;
        }
        if (delayBinding) {
            continue; // the scheduler binds it, once it picked a node
        }
        if (kube::stringAt(kube::objectAt(*volume, "status"), "phase") != "Available") {
            continue;
        }
        if (selector && !selector->matches(kube::labels(*volume))) {
            continue;
        }
        if (volumeClass(*volume) != requestedClass) {
            continue;
        }
        if (!smallest || smallestQty.compare(capacity) > 0) {
            smallest = volume;
            smallestQty = capacity;
        }
    }
    return smallest;
}

} // namespace

std::string claimClass(const json::object& claim) {
    if (auto beta = kube::annotation(claim, AnnBetaStorageClass)) {
        return std::string(*beta);
    }
    return kube::stringAt(kube::objectAt(claim, "spec"), "storageClassName");
}

bool claimHasClass(const json::object& claim) {
    const json::object* spec = kube::objectAt(claim, "spec");
    return kube::annotation(claim, AnnBetaStorageClass).has_value() ||
           (spec && kube::has(*spec, "storageClassName"));
}

std::string volumeClass(const json::object& volume) {
    if (auto beta = kube::annotation(volume, AnnBetaStorageClass)) {
        return std::string(*beta);
    }
    return kube::stringAt(kube::objectAt(volume, "spec"), "storageClassName");
}

bool isDefaultClass(const json::object& storageClass) {
    return kube::annotation(storageClass, AnnDefaultClass) == "true" ||
           kube::annotation(storageClass, AnnBetaDefaultClass) == "true";
}

kube::ObjectPtr defaultClass(const std::vector<kube::ObjectPtr>& classes) {
    kube::ObjectPtr chosen;
    for (const kube::ObjectPtr& sc : classes) {
        if (!isDefaultClass(*sc)) {
            continue;
        }
        if (!chosen) {
            chosen = sc;
            continue;
        }
        // RFC 3339 UTC timestamps compare as text: newest first, then by name.
        auto created = kube::creationTimestamp(*sc);
        auto chosenCreated = kube::creationTimestamp(*chosen);
        if (created > chosenCreated ||
            (created == chosenCreated && kube::name(*sc) < kube::name(*chosen))) {
            chosen = sc;
        }
    }
    return chosen;
}

bool isVolumeBoundToClaim(const json::object& volume, const json::object& claim) {
    const json::object* ref = kube::objectAt(kube::objectAt(volume, "spec"), "claimRef");
    if (ref == nullptr) {
        return false;
    }
    if (kube::stringAt(*ref, "name") != kube::name(claim) ||
        kube::stringAt(*ref, "namespace") != kube::namespaceOf(claim)) {
        return false;
    }
    std::string uid = kube::stringAt(*ref, "uid");
    return uid.empty() || uid == kube::uid(claim);
}

bool volumeModeMismatch(const json::object& claim, const json::object& volume) {
    return volumeModeOf(claim) != volumeModeOf(volume);
}

bool accessModesSatisfied(const json::object& claim, const json::object& volume) {
    std::set<std::string> offered = accessModesOf(volume);
    return std::ranges::all_of(accessModesOf(claim),
                               [&](const std::string& mode) { return offered.contains(mode); });
}

std::string whyVolumeDoesNotSatisfy(const json::object& volume, const json::object& claim) {
    if (kube::hasDeletionTimestamp(volume)) {
        return "the volume is marked for deletion \"" + std::string(kube::name(volume)) + "\"";
    }
    if (capacityOf(volume).value() < requestOf(claim).value()) {
        return "requested PV is too small";
    }
    if (volumeClass(volume) != claimClass(claim)) {
        return "storageClassName does not match";
    }
    if (volumeModeMismatch(claim, volume)) {
        return "incompatible volumeMode";
    }
    if (!accessModesSatisfied(claim, volume)) {
        return "incompatible accessMode";
    }
    return {};
}

kube::ObjectPtr findBestMatch(const json::object& claim,
                              const std::vector<kube::ObjectPtr>& volumes, bool delayBinding) {
    if (!attributesClassOf(claim).empty()) {
        return nullptr; // VolumeAttributesClass is off, as by default in 1.32
    }
    // Volumes are indexed by their set of access modes; sets holding every mode the claim asks
    // for are searched fewest modes first.
    std::set<std::string> wanted = accessModesOf(claim);
    std::map<std::set<std::string>, std::vector<kube::ObjectPtr>> byModes;
    for (const kube::ObjectPtr& volume : volumes) {
        byModes[accessModesOf(*volume)].push_back(volume);
    }
    std::vector<const std::pair<const std::set<std::string>, std::vector<kube::ObjectPtr>>*>
        candidates;
    for (const auto& entry : byModes) {
        if (std::ranges::includes(entry.first, wanted)) {
            candidates.push_back(&entry);
        }
    }
    std::ranges::stable_sort(candidates, {}, [](const auto* e) { return e->first.size(); });
    for (const auto* entry : candidates) {
        std::vector<kube::ObjectPtr> group = entry->second;
        std::ranges::sort(group, {}, [](const kube::ObjectPtr& v) { return kube::name(*v); });
        if (kube::ObjectPtr found = findMatching(claim, group, delayBinding)) {
            return found;
        }
    }
    return nullptr;
}

json::object claimReference(const json::object& claim) {
    return json::object{{"kind", "PersistentVolumeClaim"},
                        {"namespace", kube::namespaceOf(claim)},
                        {"name", kube::name(claim)},
                        {"uid", kube::uid(claim)},
                        {"apiVersion", "v1"},
                        {"resourceVersion", kube::resourceVersion(claim)}};
}

json::object withFinalizer(const json::object& object, std::string_view finalizer, bool present) {
    json::object out = object;
    json::object& meta = kube::ensureMetadata(out);
    json::array finalizers;
    if (const json::array* existing = kube::arrayAt(meta, "finalizers")) {
        for (const json::value& f : *existing) {
            if (!(f.is_string() && f.get_string() == finalizer)) {
                finalizers.push_back(f);
            }
        }
    }
    if (present) {
        finalizers.emplace_back(finalizer);
    }
    if (finalizers.empty()) {
        meta.erase("finalizers");
    } else {
        meta["finalizers"] = std::move(finalizers);
    }
    return out;
}

json::value requestedStorage(const json::object& claim) {
    const json::object* requests =
        kube::objectAt(kube::objectAt(kube::objectAt(claim, "spec"), "resources"), "requests");
    const json::value* storage = requests ? requests->if_contains("storage") : nullptr;
    return storage ? *storage : json::value();
}

} // namespace pilot::controllers::storage
