#include "nodeagent/volume/volumemanager.h"

#include "core/base64.h"
#include "core/log.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"
#include "kube/quantity.h"
#include "nodeagent/runtime/fileutil.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pilot::agent {
namespace json = boost::json;
using kube::objectAt;
using kube::stringAt;

namespace {

constexpr int DefaultMode = 0644;

const json::array& emptyArray() {
    static const json::array empty;
    return empty;
}

int modeOf(const json::object& o, int fallback) {
    if (auto mode = kube::integerAt(o, "mode")) {
        return static_cast<int>(*mode) & 07777;
    }
    return fallback;
}

int defaultModeOf(const json::object& source) {
    if (auto mode = kube::integerAt(source, "defaultMode")) {
        return static_cast<int>(*mode) & 07777;
    }
    return DefaultMode;
}

bool isOptional(const json::object& source) {
    return kube::boolAt(source, "optional").value_or(false);
}

/// The key/value data of a ConfigMap (data + base64 binaryData) or Secret (base64 data +
/// stringData, which the API normally folds into data).
std::map<std::string, std::string> objectData(const json::object& object, bool isSecret) {
    std::map<std::string, std::string> out;
    if (const json::object* data = objectAt(object, "data")) {
        for (const auto& [k, v] : *data) {
            if (!v.is_string()) {
                continue;
            }
            if (isSecret) {
                out[std::string(k)] = base64Decode(std::string(v.as_string())).value_or("");
            } else {
                out[std::string(k)] = std::string(v.as_string());
            }
        }
    }
    if (const json::object* binary = objectAt(object, isSecret ? "stringData" : "binaryData")) {
        for (const auto& [k, v] : *binary) {
            if (v.is_string()) {
                out[std::string(k)] = isSecret
                                          ? std::string(v.as_string())
                                          : base64Decode(std::string(v.as_string())).value_or("");
            }
        }
    }
    return out;
}

/// kubelet's MakePayload for configMap/secret sources (plain or projected).
Result<bool> addKeyedPayload(VolumePayload& payload, const std::map<std::string, std::string>& data,
                             const json::object& source, int defaultMode, std::string_view kind) {
    const json::array* items = kube::arrayAt(source, "items");
    if (!items || items->empty()) {
        for (const auto& [k, v] : data) {
            payload[k] = FileProjection{v, defaultMode};
        }
        return true;
    }
    for (const json::value& item : *items) {
        if (!item.is_object()) {
            continue;
        }
        std::string key = stringAt(item.as_object(), "key");
        auto it = data.find(key);
        if (it == data.end()) {
            if (isOptional(source)) {
                continue;
            }
            return fail(ErrorCode::NotFound,
                        fmt::format("{} references non-existent {} key: {}", kind,
                                    kind == "configmap" ? "config" : "secret", key));
        }
        payload[stringAt(item.as_object(), "path")] =
            FileProjection{it->second, modeOf(item.as_object(), defaultMode)};
    }
    return true;
}

bool isMountPoint(const std::string& path) {
    struct stat self {};
    struct stat parent {};
    if (::stat(path.c_str(), &self) != 0 || ::stat((path + "/..").c_str(), &parent) != 0) {
        return false;
    }
    return self.st_dev != parent.st_dev;
}

Status checkHostPath(const std::string& path, const std::string& type) {
    struct stat st {};
    bool exists = ::stat(path.c_str(), &st) == 0;
    auto mismatch = [&](std::string_view what) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("hostPath type check failed: {} is not {}", path, what));
    };
    if (type.empty()) {
        return {};
    }
    if (type == "DirectoryOrCreate") {
        if (!exists) {
            return makeDirectories(path, 0755);
        }
        return S_ISDIR(st.st_mode) ? Status{} : mismatch("a directory");
    }
    if (type == "Directory") {
        return exists && S_ISDIR(st.st_mode) ? Status{} : mismatch("a directory");
    }
    if (type == "FileOrCreate") {
        if (!exists) {
            size_t slash = path.find_last_of('/');
            if (slash != std::string::npos && slash > 0) {
                (void)makeDirectories(path.substr(0, slash), 0755);
            }
            int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
            if (fd < 0) {
                return fail(ErrorCode::Internal, osError("create", path, errno));
            }
            ::close(fd);
            return {};
        }
        return S_ISREG(st.st_mode) ? Status{} : mismatch("a file");
    }
    if (type == "File") {
        return exists && S_ISREG(st.st_mode) ? Status{} : mismatch("a file");
    }
    if (type == "Socket") {
        return exists && S_ISSOCK(st.st_mode) ? Status{} : mismatch("a socket file");
    }
    if (type == "CharDevice") {
        return exists && S_ISCHR(st.st_mode) ? Status{} : mismatch("a character device");
    }
    if (type == "BlockDevice") {
        return exists && S_ISBLK(st.st_mode) ? Status{} : mismatch("a block device");
    }
    return fail(ErrorCode::InvalidArgument, fmt::format("unknown hostPath type {:?}", type));
}

} // namespace

VolumeManager::VolumeManager(VolumeSources& sources, std::string podsDir, const Clock* clock)
    : m_sources(sources), m_podsDir(std::move(podsDir)), m_clock(clock ? *clock : m_systemClock) {}

std::string VolumeManager::podDir(const std::string& podUid) const {
    return m_podsDir + "/" + podUid;
}

Result<PodVolumes> VolumeManager::setUp(const json::object& pod, const PodVolumeContext& context) {
    PodVolumes out;
    const json::object* spec = objectAt(pod, "spec");
    const json::array* volumes = spec ? kube::arrayAt(*spec, "volumes") : nullptr;
    if (!volumes) {
        return out;
    }
    for (const json::value& v : *volumes) {
        if (!v.is_object()) {
            continue;
        }
        const json::object& volume = v.as_object();
        std::string name = stringAt(volume, "name");
        auto path = setUpVolume(pod, volume, context);
        if (!path) {
            return fail(path.error().code,
                        fmt::format("MountVolume.SetUp failed for volume {:?} : {}", name,
                                    path.error().message));
        }
        out.paths[name] = *path;
    }
    return out;
}

Result<std::string> VolumeManager::setUpVolume(const json::object& pod, const json::object& volume,
                                               const PodVolumeContext& context) {
    std::string uid(kube::uid(pod));
    std::string ns(kube::namespaceOf(pod));
    std::string name = stringAt(volume, "name");
    std::string base = podDir(uid) + "/volumes/";
    if (const json::object* emptyDir = objectAt(volume, "emptyDir")) {
        std::string dir = base + "kubernetes.io~empty-dir/" + name;
        if (auto made = makeDirectories(dir, 0750); !made) {
            return std::unexpected(made.error());
        }
        ::chmod(dir.c_str(), 0777);
        if (stringAt(*emptyDir, "medium") == "Memory" && ::geteuid() == 0 && !isMountPoint(dir)) {
            std::string options = "mode=0777";
            if (const json::value* limit = emptyDir->if_contains("sizeLimit")) {
                if (auto q = kube::Quantity::fromJson(*limit); q && !q->isZero()) {
                    options += fmt::format(",size={}", q->value());
                }
            }
            if (::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) !=
                0) {
                log::warn("volume", "tmpfs for emptyDir {}/{}: {}; using a directory", uid, name,
                          std::strerror(errno));
            }
        }
        return dir;
    }
    if (const json::object* hostPath = objectAt(volume, "hostPath")) {
        std::string path = stringAt(*hostPath, "path");
        if (auto checked = checkHostPath(path, stringAt(*hostPath, "type")); !checked) {
            return std::unexpected(checked.error());
        }
        return path;
    }
    if (const json::object* configMap = objectAt(volume, "configMap")) {
        std::string dir = base + "kubernetes.io~configmap/" + name;
        VolumePayload payload;
        auto object = m_sources.configMap(ns, stringAt(*configMap, "name"));
        if (!object && !(object.error().code == ErrorCode::NotFound && isOptional(*configMap))) {
            return std::unexpected(object.error());
        }
        if (object) {
            auto added = addKeyedPayload(payload, objectData(*object, false), *configMap,
                                         defaultModeOf(*configMap), "configmap");
            if (!added) {
                return std::unexpected(added.error());
            }
        }
        if (auto written = AtomicWriter(dir).write(payload); !written) {
            return std::unexpected(written.error());
        }
        return dir;
    }
    if (const json::object* secret = objectAt(volume, "secret")) {
        std::string dir = base + "kubernetes.io~secret/" + name;
        VolumePayload payload;
        auto object = m_sources.secret(ns, stringAt(*secret, "secretName"));
        if (!object && !(object.error().code == ErrorCode::NotFound && isOptional(*secret))) {
            return std::unexpected(object.error());
        }
        if (object) {
            auto added = addKeyedPayload(payload, objectData(*object, true), *secret,
                                         defaultModeOf(*secret), "secret");
            if (!added) {
                return std::unexpected(added.error());
            }
        }
        if (auto written = AtomicWriter(dir).write(payload); !written) {
            return std::unexpected(written.error());
        }
        return dir;
    }
    if (const json::object* downward = objectAt(volume, "downwardAPI")) {
        std::string dir = base + "kubernetes.io~downward-api/" + name;
        json::object asProjected{
            {"defaultMode", defaultModeOf(*downward)},
            {"sources", json::array{json::object{{"downwardAPI", *downward}}}}};
        auto payload = projectedPayload(pod, name, asProjected, context);
        if (!payload) {
            return std::unexpected(payload.error());
        }
        if (auto written = AtomicWriter(dir).write(*payload); !written) {
            return std::unexpected(written.error());
        }
        return dir;
    }
    if (const json::object* projected = objectAt(volume, "projected")) {
        std::string dir = base + "kubernetes.io~projected/" + name;
        auto payload = projectedPayload(pod, name, *projected, context);
        if (!payload) {
            return std::unexpected(payload.error());
        }
        if (auto written = AtomicWriter(dir).write(*payload); !written) {
            return std::unexpected(written.error());
        }
        return dir;
    }
    std::string claimName;
    if (const json::object* claim = objectAt(volume, "persistentVolumeClaim")) {
        claimName = stringAt(*claim, "claimName");
    } else if (objectAt(volume, "ephemeral")) {
        claimName = std::string(kube::name(pod)) + "-" + name;
    }
    if (!claimName.empty()) {
        auto pvc = m_sources.persistentVolumeClaim(ns, claimName);
        if (!pvc) {
            return std::unexpected(pvc.error());
        }
        std::string volumeName = stringAt(objectAt(*pvc, "spec"), "volumeName");
        std::string phase = stringAt(objectAt(*pvc, "status"), "phase");
        if (volumeName.empty() || phase != "Bound") {
            return fail(ErrorCode::Unavailable,
                        fmt::format("PVC {}/{} has non-bound phase ({:?}) or empty "
                                    "pvc.Spec.VolumeName ({:?})",
                                    ns, claimName, phase, volumeName));
        }
        auto pv = m_sources.persistentVolume(volumeName);
        if (!pv) {
            return std::unexpected(pv.error());
        }
        const json::object* spec = objectAt(*pv, "spec");
        std::string path = stringAt(objectAt(spec, "hostPath"), "path");
        if (path.empty()) {
            path = stringAt(objectAt(spec, "local"), "path");
        }
        if (path.empty()) {
            return fail(
                ErrorCode::InvalidArgument,
                fmt::format("persistentvolume {:?} is neither hostPath nor local; the agent "
                            "mounts only local volumes",
                            volumeName));
        }
        if (objectAt(spec, "hostPath")) {
            (void)makeDirectories(path, 0777);
        }
        return path;
    }
    return fail(ErrorCode::InvalidArgument, "unsupported volume type");
}

Result<IssuedToken> VolumeManager::token(const json::object& pod, const std::string& key,
                                         const json::object& source) {
    int64_t expiration = kube::integerAt(source, "expirationSeconds").value_or(3600);
    TimePoint now = m_clock.now();
    {
        std::lock_guard lock(m_mutex);
        auto it = m_tokens.find(key);
        if (it != m_tokens.end()) {
            auto lifetime = it->second.token.expiresAt - it->second.issuedAt;
            bool fresh = now < it->second.issuedAt + lifetime * 8 / 10 &&
                         now < it->second.issuedAt + std::chrono::hours(24);
            if (fresh) {
                return it->second.token;
            }
        }
    }
    std::vector<std::string> audiences;
    if (std::string audience = stringAt(source, "audience"); !audience.empty()) {
        audiences.push_back(audience);
    }
    std::string account = stringAt(objectAt(pod, "spec"), "serviceAccountName");
    if (account.empty()) {
        account = "default";
    }
    auto issued =
        m_sources.requestToken(std::string(kube::namespaceOf(pod)), account, audiences, expiration,
                               std::string(kube::name(pod)), std::string(kube::uid(pod)));
    if (!issued) {
        return issued;
    }
    std::lock_guard lock(m_mutex);
    m_tokens[key] = CachedToken{*issued, now};
    return issued;
}

Result<VolumePayload> VolumeManager::projectedPayload(const json::object& pod,
                                                      const std::string& volumeName,
                                                      const json::object& projected,
                                                      const PodVolumeContext& context) {
    VolumePayload payload;
    int defaultMode = defaultModeOf(projected);
    std::string ns(kube::namespaceOf(pod));
    const json::array* sources = kube::arrayAt(projected, "sources");
    if (!sources) {
        return payload;
    }
    int index = 0;
    for (const json::value& s : *sources) {
        ++index;
        if (!s.is_object()) {
            continue;
        }
        const json::object& source = s.as_object();
        if (const json::object* configMap = objectAt(source, "configMap")) {
            auto object = m_sources.configMap(ns, stringAt(*configMap, "name"));
            if (!object) {
                if (object.error().code == ErrorCode::NotFound && isOptional(*configMap)) {
                    continue;
                }
                return std::unexpected(object.error());
            }
            auto added = addKeyedPayload(payload, objectData(*object, false), *configMap,
                                         defaultMode, "configmap");
            if (!added) {
                return std::unexpected(added.error());
            }
        } else if (const json::object* secret = objectAt(source, "secret")) {
            auto object = m_sources.secret(ns, stringAt(*secret, "name"));
            if (!object) {
                if (object.error().code == ErrorCode::NotFound && isOptional(*secret)) {
                    continue;
                }
                return std::unexpected(object.error());
            }
            auto added =
                addKeyedPayload(payload, objectData(*object, true), *secret, defaultMode, "secret");
            if (!added) {
                return std::unexpected(added.error());
            }
        } else if (const json::object* downward = objectAt(source, "downwardAPI")) {
            const json::array* items = kube::arrayAt(*downward, "items");
            for (const json::value& i : items ? *items : emptyArray()) {
                if (!i.is_object()) {
                    continue;
                }
                const json::object& item = i.as_object();
                std::string value;
                if (const json::object* field = objectAt(item, "fieldRef")) {
                    auto v = podFieldValue(pod, stringAt(*field, "fieldPath"), context.network);
                    if (!v) {
                        return std::unexpected(v.error());
                    }
                    value = *v;
                } else if (const json::object* res = objectAt(item, "resourceFieldRef")) {
                    std::string containerName = stringAt(*res, "containerName");
                    const json::object* container = nullptr;
                    for (const char* list : {"containers", "initContainers"}) {
                        const json::object* podSpec = objectAt(pod, "spec");
                        const json::array* cs = podSpec ? kube::arrayAt(*podSpec, list) : nullptr;
                        for (const json::value& c : cs ? *cs : emptyArray()) {
                            if (c.is_object() && stringAt(c.as_object(), "name") == containerName) {
                                container = &c.as_object();
                            }
                        }
                    }
                    if (!container) {
                        return fail(ErrorCode::InvalidArgument,
                                    fmt::format("container {:?} not found", containerName));
                    }
                    std::string divisor;
                    if (const json::value* d = res->if_contains("divisor")) {
                        divisor = kube::scalarString(*d);
                    }
                    auto v = resourceFieldValue(*container, stringAt(*res, "resource"), divisor,
                                                context.nodeAllocatable);
                    if (!v) {
                        return std::unexpected(v.error());
                    }
                    value = *v;
                }
                payload[stringAt(item, "path")] = FileProjection{value, modeOf(item, defaultMode)};
            }
        } else if (const json::object* sat = objectAt(source, "serviceAccountToken")) {
            std::string key = fmt::format("{}/{}/{}", kube::uid(pod), volumeName, index);
            auto issued = token(pod, key, *sat);
            if (!issued) {
                return std::unexpected(issued.error());
            }
            payload[stringAt(*sat, "path")] = FileProjection{issued->token, defaultMode};
        }
    }
    return payload;
}

Status VolumeManager::tearDown(const std::string& podUid) {
    std::string dir = podDir(podUid);
    std::string emptyDirs = dir + "/volumes/kubernetes.io~empty-dir";
    if (DIR* d = ::opendir(emptyDirs.c_str())) {
        while (dirent* entry = ::readdir(d)) {
            std::string name = entry->d_name;
            if (name == "." || name == "..") {
                continue;
            }
            std::string path = emptyDirs + "/" + name;
            if (isMountPoint(path)) {
                ::umount2(path.c_str(), MNT_DETACH);
            }
        }
        ::closedir(d);
    }
    {
        std::lock_guard lock(m_mutex);
        std::string prefix = podUid + "/";
        for (auto it = m_tokens.lower_bound(prefix);
             it != m_tokens.end() && it->first.starts_with(prefix);) {
            it = m_tokens.erase(it);
        }
    }
    return removeTree(dir);
}

} // namespace pilot::agent
