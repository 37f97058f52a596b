#include "engine/controllers/volume/localpathprovisioner.h"

#include "core/log.h"
#include "engine/controllers/volume/storagehelpers.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include <filesystem>

namespace pilot::controllers {
namespace json = boost::json;
namespace fs = std::filesystem;
using namespace storage;

namespace {

constexpr std::string_view ClaimPrefix = "claim:";
constexpr std::string_view VolumePrefix = "volume:";
constexpr std::string_view DefaultClassKey = "defaultclass";

/// The volume's directory: `spec.hostPath.path` or `spec.local.path`.
std::string volumePath(const json::object& volume) {
    const json::object* spec = kube::objectAt(volume, "spec");
    std::string path = kube::stringAt(kube::objectAt(spec, "hostPath"), "path");
    return path.empty() ? kube::stringAt(kube::objectAt(spec, "local"), "path") : path;
}

} // namespace

LocalPathProvisioner::LocalPathProvisioner(kube::ApiClient& client, Options options)
    : QueueController(options.provisionerName, 1), m_client(client), m_options(std::move(options)),
      m_clock(m_options.clock ? *m_options.clock : m_systemClock),
      m_events(client, m_options.provisionerName, &m_clock) {}

LocalPathProvisioner::~LocalPathProvisioner() {
    stop();
}

void LocalPathProvisioner::setUp(SharedInformers& informers) {
    m_claims = &informers.forResource(kube::resources::PersistentVolumeClaims);
    m_volumes = &informers.forResource(kube::resources::PersistentVolumes);
    m_classes = &informers.forResource(StorageClasses);

    kube::InformerHandlers claims;
    claims.onAdd = [this](const kube::ObjectPtr& claim) {
        enqueue(fmt::format("{}{}", ClaimPrefix, kube::objectKey(*claim)));
    };
    claims.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr& claim) {
        enqueue(fmt::format("{}{}", ClaimPrefix, kube::objectKey(*claim)));
    };
    m_claims->addHandlers(std::move(claims));

    kube::InformerHandlers volumes;
    volumes.onAdd = [this](const kube::ObjectPtr& volume) {
        enqueue(fmt::format("{}{}", VolumePrefix, kube::name(*volume)));
    };
    volumes.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr& volume) {
        enqueue(fmt::format("{}{}", VolumePrefix, kube::name(*volume)));
    };
    m_volumes->addHandlers(std::move(volumes));
}

void LocalPathProvisioner::start() {
    QueueController::start();
    if (!m_options.defaultClassName.empty()) {
        enqueue(std::string(DefaultClassKey));
    }
}

void LocalPathProvisioner::stop() {
    QueueController::stop();
    m_events.stop();
}

Status LocalPathProvisioner::reconcile(const std::string& key) {
    if (key == DefaultClassKey) {
        return ensureDefaultClass();
    }
    if (key.starts_with(ClaimPrefix)) {
        kube::ObjectPtr claim = m_claims->cache().get(key.substr(ClaimPrefix.size()));
        return claim ? syncClaim(*claim) : Status{};
    }
    if (key.starts_with(VolumePrefix)) {
        kube::ObjectPtr volume = m_volumes->cache().get(key.substr(VolumePrefix.size()));
        return volume ? syncVolume(*volume) : Status{};
    }
    return {};
}

Status LocalPathProvisioner::ensureDefaultClass() {
    if (defaultClass(m_classes->cache().list())) {
        return {};
    }
    json::object sc{
        {"apiVersion", "storage.k8s.io/v1"},
        {"kind", "StorageClass"},
        {"metadata", json::object{{"name", m_options.defaultClassName},
                                  {"annotations", json::object{{AnnDefaultClass, "true"}}}}},
        {"provisioner", m_options.provisionerName},
        {"reclaimPolicy", "Delete"},
        {"volumeBindingMode", m_options.defaultBindingMode}};
    auto created = m_client.create(StorageClasses, "", sc);
    if (!created && !kube::isAlreadyExists(created.error())) {
        return std::unexpected(created.error().toError());
    }
    if (created) {
        log::info(name(), "created the default StorageClass {}", m_options.defaultClassName);
    }
    return {};
}

Status LocalPathProvisioner::syncClaim(const json::object& claim) {
    const json::object* spec = kube::objectAt(claim, "spec");
    if (spec == nullptr || !kube::stringAt(*spec, "volumeName").empty() ||
        kube::hasDeletionTimestamp(claim)) {
        return {};
    }
    if (kube::annotation(claim, AnnStorageProvisioner) != m_options.provisionerName &&
        kube::annotation(claim, AnnBetaStorageProvisioner) != m_options.provisionerName) {
        return {};
    }
    kube::ObjectPtr sc = m_classes->cache().get(claimClass(claim));
    if (!sc || kube::stringAt(*sc, "provisioner") != m_options.provisionerName) {
        return {};
    }
    if (kube::stringAt(*sc, "volumeBindingMode") == "WaitForFirstConsumer" &&
        !kube::annotation(claim, AnnSelectedNode)) {
        return {};
    }
    std::string volumeName = fmt::format("pvc-{}", kube::uid(claim));
    if (m_volumes->cache().get(volumeName)) {
        return {}; // provisioned already
    }
    m_events.normal(claim, "Provisioning",
                    fmt::format("External provisioner is provisioning volume for claim \"{}\"",
                                kube::objectKey(claim)));
    auto volume = provision(claim, *sc);
    if (volume) {
        auto created = m_client.create(kube::resources::PersistentVolumes, "", *volume);
        if (created || kube::isAlreadyExists(created.error())) {
            m_events.normal(claim, "ProvisioningSucceeded",
                            fmt::format("Successfully provisioned volume {}", volumeName));
            return {};
        }
        volume = std::unexpected(created.error().toError());
    }
    m_events.warning(claim, "ProvisioningFailed",
                     fmt::format("failed to provision volume with StorageClass \"{}\": {}",
                                 kube::name(*sc), volume.error().message));
    return std::unexpected(volume.error());
}

Result<json::object> LocalPathProvisioner::provision(const json::object& claim,
                                                     const json::object& storageClass) {
    const json::object& spec = *kube::objectAt(claim, "spec");
    if (m_options.dataPath.empty()) {
        return fail(ErrorCode::Unavailable, "the provisioner has no data path");
    }
    if (kube::has(spec, "selector")) {
        return fail(ErrorCode::InvalidArgument, "claim.Spec.Selector is not supported");
    }
    json::value storage = requestedStorage(claim);
    if (storage.is_null()) {
        return fail(ErrorCode::InvalidArgument, "claim.Spec.Resources.Requests.storage is unset");
    }
    std::string volumeName = fmt::format("pvc-{}", kube::uid(claim));
    std::string node(kube::annotation(claim, AnnSelectedNode).value_or(""));
    fs::path dir = fs::path(m_options.dataPath) /
                   fmt::format("{}_{}_{}", volumeName, kube::namespaceOf(claim), kube::name(claim));
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (!ec) {
        // Any container user may write, as local-path-provisioner's `mkdir -m 0777`.
        fs::permissions(dir, fs::perms::all, fs::perm_options::replace, ec);
    }
    if (ec) {
        return fail(ErrorCode::Unavailable,
                    fmt::format("cannot create {}: {}", dir.string(), ec.message()));
    }

    std::string reclaimPolicy = kube::stringAt(storageClass, "reclaimPolicy");
    json::object volumeSpec{
        {"capacity", json::object{{"storage", storage}}},
        {"accessModes", kube::arrayAt(spec, "accessModes")
                            ? json::value(*kube::arrayAt(spec, "accessModes"))
                            : json::value(json::array{"ReadWriteOnce"})},
        {"persistentVolumeReclaimPolicy", reclaimPolicy.empty() ? "Delete" : reclaimPolicy},
        {"storageClassName", kube::name(storageClass)},
        {"volumeMode", kube::stringAt(spec, "volumeMode").empty()
                           ? "Filesystem"
                           : kube::stringAt(spec, "volumeMode")},
        {"claimRef", claimReference(claim)}};
    if (const json::array* mountOptions = kube::arrayAt(storageClass, "mountOptions")) {
        volumeSpec["mountOptions"] = *mountOptions;
    }
    if (node.empty()) {
        volumeSpec["hostPath"] =
            json::object{{"path", dir.string()}, {"type", "DirectoryOrCreate"}};
    } else {
        volumeSpec["local"] = json::object{{"path", dir.string()}};
        volumeSpec["nodeAffinity"] = json::object{
            {"required",
             json::object{{"nodeSelectorTerms",
                           json::array{json::object{
                               {"matchExpressions",
                                json::array{json::object{{"key", "kubernetes.io/hostname"},
                                                         {"operator", "In"},
                                                         {"values", json::array{node}}}}}}}}}}};
    }
    return json::object{
        {"apiVersion", "v1"},
        {"kind", "PersistentVolume"},
        {"metadata", json::object{{"name", volumeName},
                                  {"annotations", json::object{{AnnDynamicallyProvisioned,
                                                                m_options.provisionerName}}}}},
        {"spec", std::move(volumeSpec)}};
}

Status LocalPathProvisioner::syncVolume(const json::object& volume) {
    const json::object* spec = kube::objectAt(volume, "spec");
    if (kube::annotation(volume, AnnDynamicallyProvisioned) != m_options.provisionerName ||
        kube::stringAt(kube::objectAt(volume, "status"), "phase") != "Released" ||
        kube::stringAt(spec, "persistentVolumeReclaimPolicy") != "Delete") {
        return {};
    }
    // Only ever remove a directory this provisioner made: a direct child of the data path.
    fs::path dir = fs::path(volumePath(volume)).lexically_normal();
    fs::path root = fs::path(m_options.dataPath).lexically_normal();
    if (dir.parent_path() != root && dir.parent_path() != root / "") {
        m_events.warning(volume, "VolumeFailedDelete",
                         fmt::format("{} is not a directory of this provisioner ({})", dir.string(),
                                     root.string()));
        return {};
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec) {
        m_events.warning(volume, "VolumeFailedDelete",
                         fmt::format("cannot remove {}: {}", dir.string(), ec.message()));
        return fail(ErrorCode::Unavailable, ec.message());
    }
    auto removed = m_client.remove(kube::resources::PersistentVolumes, "", kube::name(volume));
    if (!removed && !kube::isNotFound(removed.error())) {
        return std::unexpected(removed.error().toError());
    }
    log::info(name(), "deleted volume {} and {}", kube::name(volume), dir.string());
    return {};
}

} // namespace pilot::controllers
