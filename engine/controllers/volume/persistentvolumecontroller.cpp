#include "engine/controllers/volume/persistentvolumecontroller.h"

#include "core/log.h"
#include "engine/controllers/volume/storagehelpers.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <boost/json.hpp>

namespace pilot::controllers {
namespace json = boost::json;
using namespace storage;

namespace {

constexpr std::string_view Component = "persistentvolume-controller";
constexpr std::string_view ClaimPrefix = "claim:";
constexpr std::string_view VolumePrefix = "volume:";
constexpr std::string_view ResyncKey = "resync";
constexpr std::string_view NamespaceIndex = "namespace";

Status failed(const kube::ApiError& error) {
    return std::unexpected(error.toError());
}

std::string phaseOf(const json::object& object) {
    return kube::stringAt(kube::objectAt(object, "status"), "phase");
}

const json::object* claimRefOf(const json::object& volume) {
    return kube::objectAt(kube::objectAt(volume, "spec"), "claimRef");
}

std::string volumeNameOf(const json::object& claim) {
    return kube::stringAt(kube::objectAt(claim, "spec"), "volumeName");
}

std::string reclaimPolicyOf(const json::object& volume) {
    return kube::stringAt(kube::objectAt(volume, "spec"), "persistentVolumeReclaimPolicy");
}

/// Whether `a` has an older resourceVersion than `b` (both decimal, as this server's are).
bool olderThan(const json::object& a, const json::object& b) {
    std::string_view x = kube::resourceVersion(a);
    std::string_view y = kube::resourceVersion(b);
    return x.size() != y.size() ? x.size() < y.size() : x < y;
}

bool hasAnnotation(const json::object& object, std::string_view key) {
    return kube::annotation(object, key).has_value();
}

void setAnnotation(json::object& object, std::string_view key, std::string_view value) {
    if (json::object* annotations =
            kube::ensureObject(kube::ensureMetadata(object), "annotations")) {
        (*annotations)[key] = value;
    }
}

json::object& specOf(json::object& object) {
    return *kube::ensureObject(object, "spec");
}

json::object& statusOf(json::object& object) {
    return *kube::ensureObject(object, "status");
}

} // namespace

PersistentVolumeController::PersistentVolumeController(kube::ApiClient& client)
    : PersistentVolumeController(client, Options{}) {}

PersistentVolumeController::PersistentVolumeController(kube::ApiClient& client, Options options)
    : QueueController(std::string(Component), 1), m_client(client), m_options(options),
      m_clock(options.clock ? *options.clock : m_systemClock),
      m_events(client, std::string(Component), &m_clock) {}

PersistentVolumeController::~PersistentVolumeController() {
    stop();
}

kube::ApiResult<json::object> PersistentVolumeController::write(const kube::ApiResource& resource,
                                                                bool status,
                                                                const json::object& object) {
    auto written =
        status ? m_client.updateStatus(resource, object) : m_client.update(resource, object);
    if (written) {
        bool claim = resource.resource == kube::resources::PersistentVolumeClaims.resource;
        std::lock_guard lock(m_writtenMutex);
        m_written[fmt::format("{}{}", claim ? ClaimPrefix : VolumePrefix,
                              kube::objectKey(*written))] =
            std::make_shared<const json::object>(*written);
    }
    return written;
}

kube::ObjectPtr PersistentVolumeController::newest(const std::string& key, kube::ObjectPtr cached) {
    std::lock_guard lock(m_writtenMutex);
    auto it = m_written.find(key);
    if (it == m_written.end()) {
        return cached;
    }
    if (!cached || kube::uid(*cached) != kube::uid(*it->second)) {
        m_written.erase(it); // gone, or replaced by another object of that name
        return cached;
    }
    if (!olderThan(*cached, *it->second)) {
        m_written.erase(it); // the informer caught up
        return cached;
    }
    return it->second;
}

kube::ObjectPtr PersistentVolumeController::claimNamed(const std::string& key) {
    return newest(fmt::format("{}{}", ClaimPrefix, key), m_claims->cache().get(key));
}

kube::ObjectPtr PersistentVolumeController::volumeNamed(const std::string& name) {
    return newest(fmt::format("{}{}", VolumePrefix, name), m_volumes->cache().get(name));
}

std::vector<kube::ObjectPtr> PersistentVolumeController::volumes() {
    std::vector<kube::ObjectPtr> out;
    for (const kube::ObjectPtr& volume : m_volumes->cache().list()) {
        out.push_back(newest(fmt::format("{}{}", VolumePrefix, kube::name(*volume)), volume));
    }
    return out;
}

void PersistentVolumeController::setUp(SharedInformers& informers) {
    informers.addIndex(kube::resources::Pods, std::string(NamespaceIndex), kube::namespaceIndex());
    m_claims = &informers.forResource(kube::resources::PersistentVolumeClaims);
    m_volumes = &informers.forResource(kube::resources::PersistentVolumes);
    m_classes = &informers.forResource(StorageClasses);
    m_pods = &informers.forResource(kube::resources::Pods);

    auto enqueueClaim = [this](const json::object& claim) {
        enqueue(fmt::format("{}{}", ClaimPrefix, kube::objectKey(claim)));
    };
    auto enqueueVolume = [this](std::string_view name) {
        if (!name.empty()) {
            enqueue(fmt::format("{}{}", VolumePrefix, name));
        }
    };
    kube::InformerHandlers claims;
    claims.onAdd = [=](const kube::ObjectPtr& claim) { enqueueClaim(*claim); };
    claims.onUpdate = [=](const kube::ObjectPtr&, const kube::ObjectPtr& claim) {
        enqueueClaim(*claim);
    };
    // A deleted claim releases its volume.
    claims.onDelete = [=](const kube::ObjectPtr& claim) { enqueueVolume(volumeNameOf(*claim)); };
    m_claims->addHandlers(std::move(claims));

    kube::InformerHandlers volumes;
    volumes.onAdd = [=](const kube::ObjectPtr& volume) { enqueueVolume(kube::name(*volume)); };
    volumes.onUpdate = [=](const kube::ObjectPtr&, const kube::ObjectPtr& volume) {
        enqueueVolume(kube::name(*volume));
    };
    // A deleted volume loses its claim.
    volumes.onDelete = [this](const kube::ObjectPtr& volume) {
        if (const json::object* ref = claimRefOf(*volume)) {
            enqueue(fmt::format(
                "{}{}", ClaimPrefix,
                kube::objectKey(kube::stringAt(*ref, "namespace"), kube::stringAt(*ref, "name"))));
        }
    };
    m_volumes->addHandlers(std::move(volumes));
}

void PersistentVolumeController::start() {
    QueueController::start();
    enqueueAfter(std::string(ResyncKey), m_options.resyncPeriod);
}

void PersistentVolumeController::stop() {
    QueueController::stop();
    m_events.stop();
}

Status PersistentVolumeController::reconcile(const std::string& key) {
    if (key == ResyncKey) {
        for (const kube::ObjectPtr& claim : m_claims->cache().list()) {
            enqueue(fmt::format("{}{}", ClaimPrefix, kube::objectKey(*claim)));
        }
        for (const kube::ObjectPtr& volume : m_volumes->cache().list()) {
            enqueue(fmt::format("{}{}", VolumePrefix, kube::name(*volume)));
        }
        enqueueAfter(key, m_options.resyncPeriod);
        return {};
    }
    if (key.starts_with(ClaimPrefix)) {
        kube::ObjectPtr claim = claimNamed(key.substr(ClaimPrefix.size()));
        return claim ? syncClaim(*claim) : Status{};
    }
    if (key.starts_with(VolumePrefix)) {
        kube::ObjectPtr volume = volumeNamed(key.substr(VolumePrefix.size()));
        return volume ? syncVolume(*volume) : Status{};
    }
    return {};
}

Status PersistentVolumeController::syncClaim(const json::object& claim) {
    if (!hasAnnotation(claim, AnnBindCompleted)) {
        return syncUnboundClaim(claim);
    }
    return syncBoundClaim(claim);
}

bool PersistentVolumeController::delayBinding(const json::object& claim) const {
    std::string className = claimClass(claim);
    if (className.empty()) {
        return false;
    }
    kube::ObjectPtr sc = m_classes->cache().get(className);
    return sc && kube::stringAt(*sc, "volumeBindingMode") == "WaitForFirstConsumer";
}

Status PersistentVolumeController::syncUnboundClaim(const json::object& claim) {
    std::string volumeName = volumeNameOf(claim);
    if (volumeName.empty()) {
        // The user did not care which volume they get.
        bool delay = delayBinding(claim);
        kube::ObjectPtr volume = findBestMatch(claim, volumes(), delay);
        if (volume) {
            return bind(*volume, claim);
        }
        bool assigned = false;
        if (auto status = assignDefaultClass(claim, assigned); !status || assigned) {
            return status;
        }
        if (delay && !hasAnnotation(claim, AnnSelectedNode)) {
            waitForFirstConsumer(claim);
        } else if (!claimClass(claim).empty()) {
            return provisionClaim(claim);
        } else {
            m_events.normal(claim, "FailedBinding",
                            "no persistent volumes available for this claim and no storage class "
                            "is set");
        }
        auto updated = updateClaimStatus(claim, "Pending", nullptr);
        return updated ? Status{} : std::unexpected(updated.error());
    }
    // The user asked for a specific volume.
    kube::ObjectPtr volume = volumeNamed(volumeName);
    if (!volume) {
        auto updated = updateClaimStatus(claim, "Pending", nullptr);
        return updated ? Status{} : std::unexpected(updated.error());
    }
    if (claimRefOf(*volume) == nullptr) {
        if (std::string why = whyVolumeDoesNotSatisfy(*volume, claim); !why.empty()) {
            m_events.warning(
                claim, "VolumeMismatch",
                fmt::format("Cannot bind to requested volume \"{}\": {}", volumeName, why));
            auto updated = updateClaimStatus(claim, "Pending", nullptr);
            return updated ? Status{} : std::unexpected(updated.error());
        }
        return bind(*volume, claim);
    }
    if (isVolumeBoundToClaim(*volume, claim)) {
        return bind(*volume, claim); // finish the binding (the claim's uid)
    }
    if (!hasAnnotation(claim, AnnBoundByController)) {
        // Claimed by someone else; the user asked for it, so wait.
        auto updated = updateClaimStatus(claim, "Pending", nullptr);
        return updated ? Status{} : std::unexpected(updated.error());
    }
    return fail(ErrorCode::Internal,
                fmt::format("invalid binding of claim \"{}\" to volume \"{}\": claim is already "
                            "bound",
                            kube::objectKey(claim), volumeName));
}

Status PersistentVolumeController::syncBoundClaim(const json::object& claim) {
    std::string volumeName = volumeNameOf(claim);
    auto lost = [&](std::string_view reason, std::string_view message) -> Status {
        auto updated = updateClaimStatus(claim, "Lost", nullptr, "Warning", reason, message);
        return updated ? Status{} : std::unexpected(updated.error());
    };
    if (volumeName.empty()) {
        return lost("ClaimLost",
                    "Bound claim has lost reference to PersistentVolume. Data on the volume is "
                    "lost!");
    }
    kube::ObjectPtr volume = volumeNamed(volumeName);
    if (!volume) {
        return lost("ClaimLost",
                    "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
    }
    const json::object* ref = claimRefOf(*volume);
    if (ref == nullptr || kube::stringAt(*ref, "uid") == kube::uid(claim)) {
        return bind(*volume, claim); // re-bind, or just check everything is set
    }
    return lost("ClaimMisbound",
                "Two claims are bound to the same volume, this one is bound incorrectly");
}

Status PersistentVolumeController::bind(json::object volume, json::object claim) {
    // The volume first: its claimRef is what reserves it.
    bool boundByUs = !isVolumeBoundToClaim(volume, claim);
    const json::object* ref = claimRefOf(volume);
    bool dirty = false;
    if (ref == nullptr || kube::stringAt(*ref, "name") != kube::name(claim) ||
        kube::stringAt(*ref, "namespace") != kube::namespaceOf(claim) ||
        kube::stringAt(*ref, "uid") != kube::uid(claim)) {
        specOf(volume)["claimRef"] = claimReference(claim);
        dirty = true;
    }
    if (boundByUs && !hasAnnotation(volume, AnnBoundByController)) {
        setAnnotation(volume, AnnBoundByController, "yes");
        dirty = true;
    }
    if (dirty) {
        auto updated = write(kube::resources::PersistentVolumes, false, volume);
        if (!updated) {
            return failed(updated.error());
        }
        volume = std::move(*updated);
    }
    auto phased = updateVolumePhase(volume, "Bound");
    if (!phased) {
        return std::unexpected(phased.error());
    }
    volume = std::move(*phased);

    // Then the claim.
    dirty = false;
    bool bindClaim = volumeNameOf(claim) != kube::name(volume);
    if (bindClaim) {
        specOf(claim)["volumeName"] = kube::name(volume);
        dirty = true;
        if (!hasAnnotation(claim, AnnBoundByController)) {
            setAnnotation(claim, AnnBoundByController, "yes");
        }
    }
    if (!hasAnnotation(claim, AnnBindCompleted)) {
        setAnnotation(claim, AnnBindCompleted, "yes");
        dirty = true;
    }
    if (dirty) {
        auto updated = write(kube::resources::PersistentVolumeClaims, false, claim);
        if (!updated) {
            return failed(updated.error());
        }
        claim = std::move(*updated);
        log::info(Component, "bound volume {} to claim {}", kube::name(volume),
                  kube::objectKey(claim));
    }
    auto status = updateClaimStatus(claim, "Bound", &volume);
    if (!status) {
        return std::unexpected(status.error());
    }
    return {};
}

Result<json::object> PersistentVolumeController::updateVolumePhase(const json::object& volume,
                                                                   std::string_view phase,
                                                                   std::string_view message,
                                                                   std::string_view eventType,
                                                                   std::string_view reason) {
    if (phaseOf(volume) == phase) {
        return volume;
    }
    json::object updated = volume;
    json::object& status = statusOf(updated);
    status["phase"] = phase;
    if (message.empty()) {
        status.erase("message");
    } else {
        status["message"] = message;
    }
    status["lastPhaseTransitionTime"] = formatTime(m_clock.now());
    auto written = write(kube::resources::PersistentVolumes, true, updated);
    if (!written) {
        return std::unexpected(written.error().toError());
    }
    if (!reason.empty()) {
        m_events.record(*written, eventType, reason, std::string(message));
    }
    return std::move(*written);
}

Result<json::object> PersistentVolumeController::updateClaimStatus(
    const json::object& claim, std::string_view phase, const json::object* volume,
    std::string_view eventType, std::string_view reason, std::string_view message) {
    json::object updated = claim;
    json::object& status = statusOf(updated);
    bool phaseChanged = kube::stringAt(status, "phase") != phase;
    bool dirty = phaseChanged;
    status["phase"] = phase;
    if (volume == nullptr) {
        dirty = status.erase("accessModes") > 0 || dirty;
        dirty = status.erase("capacity") > 0 || dirty;
    } else {
        const json::object* volumeSpec = kube::objectAt(*volume, "spec");
        json::value modes = json::array();
        if (const json::array* given =
                volumeSpec ? kube::arrayAt(*volumeSpec, "accessModes") : nullptr) {
            modes = *given;
        }
        if (!kube::jsonEqual(status.contains("accessModes") ? status["accessModes"] : json::value(),
                             modes)) {
            status["accessModes"] = modes;
            dirty = true;
        }
        // The capacity only when the claim becomes Bound: a later difference can be on purpose.
        if (phaseChanged) {
            const json::object* capacity = kube::objectAt(volumeSpec, "capacity");
            if (capacity == nullptr || !capacity->contains("storage")) {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("PersistentVolume \"{}\" is without a storage capacity",
                                        kube::name(*volume)));
            }
            status["capacity"] = *capacity;
        }
    }
    if (!dirty) {
        return claim;
    }
    auto written = write(kube::resources::PersistentVolumeClaims, true, updated);
    if (!written) {
        return std::unexpected(written.error().toError());
    }
    if (!reason.empty() && phaseChanged) {
        m_events.record(*written, eventType, reason, std::string(message));
    }
    return std::move(*written);
}

Status PersistentVolumeController::assignDefaultClass(const json::object& claim, bool& assigned) {
    assigned = false;
    if (claimHasClass(claim)) {
        return {};
    }
    kube::ObjectPtr sc = defaultClass(m_classes->cache().list());
    if (!sc) {
        return {};
    }
    json::object updated = claim;
    specOf(updated)["storageClassName"] = kube::name(*sc);
    auto written = write(kube::resources::PersistentVolumeClaims, false, updated);
    if (!written) {
        return failed(written.error());
    }
    assigned = true;
    return {};
}

void PersistentVolumeController::waitForFirstConsumer(const json::object& claim) {
    std::vector<std::string> waiting;
    for (const kube::ObjectPtr& pod :
         m_pods->cache().byIndex(NamespaceIndex, kube::namespaceOf(claim))) {
        const json::object* spec = kube::objectAt(*pod, "spec");
        if (spec == nullptr || !kube::stringAt(*spec, "nodeName").empty()) {
            continue;
        }
        const json::array* volumes = kube::arrayAt(*spec, "volumes");
        if (volumes == nullptr) {
            continue;
        }
        for (const json::value& v : *volumes) {
            const json::object* source = kube::objectAt(v.if_object(), "persistentVolumeClaim");
            if (kube::stringAt(source, "claimName") == kube::name(claim)) {
                waiting.emplace_back(kube::name(*pod));
                break;
            }
        }
    }
    if (waiting.empty()) {
        m_events.normal(claim, "WaitForFirstConsumer",
                        "waiting for first consumer to be created before binding");
    } else if (waiting.size() == 1) {
        m_events.normal(claim, "WaitForPodScheduled",
                        fmt::format("waiting for pod {} to be scheduled", waiting.front()));
    } else {
        m_events.normal(
            claim, "WaitForPodScheduled",
            fmt::format("waiting for pods {} to be scheduled", fmt::join(waiting, ",")));
    }
}

Status PersistentVolumeController::provisionClaim(const json::object& claim) {
    std::string className = claimClass(claim);
    kube::ObjectPtr sc = m_classes->cache().get(className);
    if (!sc) {
        m_events.warning(claim, "ProvisioningFailed",
                         fmt::format("storageclass.storage.k8s.io \"{}\" not found", className));
        return {};
    }
    std::string provisioner = kube::stringAt(*sc, "provisioner");
    if (provisioner.starts_with("kubernetes.io/")) {
        // No in-tree volume plugins here.
        m_events.warning(claim, "ProvisioningFailed",
                         fmt::format("no volume plugin matched name: {}", provisioner));
        return {};
    }
    json::object current = claim;
    if (kube::annotation(claim, AnnStorageProvisioner) != provisioner ||
        kube::annotation(claim, AnnBetaStorageProvisioner) != provisioner) {
        json::object updated = claim;
        setAnnotation(updated, AnnBetaStorageProvisioner, provisioner);
        setAnnotation(updated, AnnStorageProvisioner, provisioner);
        auto written = write(kube::resources::PersistentVolumeClaims, false, updated);
        if (!written) {
            m_events.warning(claim, "ProvisioningFailed",
                             fmt::format("Error saving claim: {}", written.error().message));
            return failed(written.error());
        }
        current = std::move(*written);
    }
    m_events.normal(current, "ExternalProvisioning",
                    fmt::format("Waiting for a volume to be created either by the external "
                                "provisioner '{}' or manually by the system administrator. If "
                                "volume creation is delayed, please verify that the provisioner "
                                "is running and correctly registered.",
                                provisioner));
    return {};
}

Status PersistentVolumeController::syncVolume(const json::object& volume) {
    const json::object* ref = claimRefOf(volume);
    if (ref == nullptr || kube::stringAt(*ref, "uid").empty()) {
        // Unused, or reserved for a claim whose sync will bind it.
        auto updated = updateVolumePhase(volume, "Available");
        return updated ? Status{} : std::unexpected(updated.error());
    }
    std::string refNs = kube::stringAt(*ref, "namespace");
    std::string refName = kube::stringAt(*ref, "name");
    std::string refUid = kube::stringAt(*ref, "uid");
    std::optional<json::object> claim;
    std::string phase = phaseOf(volume);
    if (kube::ObjectPtr cached = claimNamed(kube::objectKey(refNs, refName))) {
        claim = *cached;
    }
    // A claim missing from the cache, or with another uid, may just be newer than the cache:
    // ask the API before releasing anything.
    if ((!claim && phase != "Released" && phase != "Failed") ||
        (claim && kube::uid(*claim) != refUid)) {
        auto live = m_client.get(kube::resources::PersistentVolumeClaims, refNs, refName);
        if (!live && !kube::isNotFound(live.error())) {
            return failed(live.error());
        }
        claim.reset();
        if (live) {
            claim = std::move(*live);
        }
    }
    if (claim && kube::uid(*claim) != refUid) {
        claim.reset(); // the claim was deleted and another one created under its name
    }
    if (!claim) {
        json::object current = volume;
        if (phase != "Released" && phase != "Failed") {
            log::info(Component, "volume {} is released, reclaim policy {}", kube::name(volume),
                      reclaimPolicyOf(volume));
            auto released = updateVolumePhase(volume, "Released");
            if (!released) {
                return std::unexpected(released.error());
            }
            current = std::move(*released);
        }
        return reclaimVolume(current);
    }
    std::string claimVolume = volumeNameOf(*claim);
    if (claimVolume.empty()) {
        if (volumeModeMismatch(*claim, volume)) {
            m_events.warning(volume, "VolumeMismatch",
                             fmt::format("Cannot bind PersistentVolume to requested "
                                         "PersistentVolumeClaim \"{}\" due to incompatible "
                                         "volumeMode.",
                                         kube::name(*claim)));
            m_events.warning(*claim, "VolumeMismatch",
                             fmt::format("Cannot bind PersistentVolume \"{}\" to requested "
                                         "PersistentVolumeClaim due to incompatible volumeMode.",
                                         kube::name(volume)));
            return {};
        }
        // The claim's sync finishes the binding (provisioned volumes arrive this way).
        enqueue(fmt::format("{}{}", ClaimPrefix, kube::objectKey(*claim)));
        return {};
    }
    if (claimVolume == kube::name(volume)) {
        auto updated = updateVolumePhase(volume, "Bound");
        return updated ? Status{} : std::unexpected(updated.error());
    }
    // The claim is bound to another volume.
    if (hasAnnotation(volume, AnnDynamicallyProvisioned) && reclaimPolicyOf(volume) == "Delete") {
        json::object current = volume;
        if (phase != "Released" && phase != "Failed") {
            auto released = updateVolumePhase(volume, "Released");
            if (!released) {
                return std::unexpected(released.error());
            }
            current = std::move(*released);
        }
        return reclaimVolume(current);
    }
    return unbindVolume(volume);
}

Status PersistentVolumeController::unbindVolume(const json::object& volume) {
    json::object updated = volume;
    json::object& spec = specOf(updated);
    if (hasAnnotation(volume, AnnBoundByController)) {
        spec.erase("claimRef");
        json::object& meta = kube::ensureMetadata(updated);
        if (json::object* annotations = kube::mutableObject(meta, "annotations")) {
            annotations->erase(AnnBoundByController);
            if (annotations->empty()) {
                meta.erase("annotations");
            }
        }
    } else if (json::object* ref = kube::mutableObject(spec, "claimRef")) {
        (*ref)["uid"] = ""; // pre-bound by the user: keep the reservation, drop the binding
    }
    auto written = write(kube::resources::PersistentVolumes, false, updated);
    if (!written) {
        return failed(written.error());
    }
    auto phased = updateVolumePhase(*written, "Available");
    return phased ? Status{} : std::unexpected(phased.error());
}

Status PersistentVolumeController::reclaimVolume(const json::object& volume) {
    std::string policy = reclaimPolicyOf(volume);
    if (policy == "Retain") {
        return {};
    }
    if (policy == "Recycle") {
        auto failedPhase =
            updateVolumePhase(volume, "Failed", "No recycler plugin found for the volume!",
                              "Warning", "VolumeFailedRecycle");
        return failedPhase ? Status{} : std::unexpected(failedPhase.error());
    }
    if (policy == "Delete") {
        return deleteVolume(volume);
    }
    auto failedPhase =
        updateVolumePhase(volume, "Failed", "Volume has unrecognized PersistentVolumeReclaimPolicy",
                          "Warning", "VolumeUnknownReclaimPolicy");
    return failedPhase ? Status{} : std::unexpected(failedPhase.error());
}

Status PersistentVolumeController::deleteVolume(const json::object& volume) {
    std::string provisioner(kube::annotation(volume, AnnDynamicallyProvisioned).value_or(""));
    if (!provisioner.empty() && !provisioner.starts_with("kubernetes.io/")) {
        return {}; // the external provisioner deletes it
    }
    auto failedPhase = updateVolumePhase(
        volume, "Failed",
        fmt::format("error getting deleter volume plugin for volume \"{}\": no deletable volume "
                    "plugin matched",
                    kube::name(volume)),
        "Warning", "VolumeFailedDelete");
    return failedPhase ? Status{} : std::unexpected(failedPhase.error());
}

} // namespace pilot::controllers
