#include "engine/apiserver/serviceaccountadmission.h"

#include "core/random.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <chrono>
#include <thread>

namespace pilot::apiserver {
namespace json = boost::json;
using kube::stringAt;

namespace {

constexpr int DefaultAccountAttempts = 10;
constexpr auto DefaultAccountRetryInterval = std::chrono::milliseconds(150);

constexpr std::string_view MirrorPodAnnotation = "kubernetes.io/config.mirror";

/// Upstream's TokenVolumeSource(): the defaults written out, as upstream does (#104464).
json::object tokenVolumeSource() {
    return json::object{
        {"defaultMode", 420},
        {"sources",
         json::array{
             json::object{{"serviceAccountToken",
                           json::object{{"expirationSeconds", 3607}, {"path", "token"}}}},
             json::object{
                 {"configMap", json::object{{"items", json::array{json::object{
                                                          {"key", "ca.crt"}, {"path", "ca.crt"}}}},
                                            {"name", "kube-root-ca.crt"}}}},
             json::object{
                 {"downwardAPI",
                  json::object{
                      {"items", json::array{json::object{
                                    {"fieldRef", json::object{{"apiVersion", "v1"},
                                                              {"fieldPath", "metadata.namespace"}}},
                                    {"path", "namespace"}}}}}}}}}};
}

std::optional<bool> boolOf(const json::object* o, std::string_view key) {
    return o == nullptr ? std::nullopt : kube::boolAt(*o, key);
}

/// Adds the mount to every container of `member` lacking one at the token path; whether any did.
bool mountInto(json::object& spec, std::string_view member, const std::string& volumeName) {
    json::array* containers = kube::mutableArray(spec, member);
    if (containers == nullptr) {
        return false;
    }
    bool added = false;
    for (json::value& c : *containers) {
        json::object* container = c.if_object();
        if (container == nullptr) {
            continue;
        }
        json::value& mountsValue = (*container)["volumeMounts"];
        if (!mountsValue.is_array()) {
            mountsValue = json::array();
        }
        json::array& mounts = mountsValue.as_array();
        bool mounted = false;
        for (const json::value& m : mounts) {
            if (m.is_object() &&
                stringAt(m.as_object(), "mountPath") == ServiceAccountAdmission::MountPath) {
                mounted = true;
                break;
            }
        }
        if (!mounted) {
            mounts.push_back(json::object{{"mountPath", ServiceAccountAdmission::MountPath},
                                          {"name", volumeName},
                                          {"readOnly", true}});
            added = true;
        }
    }
    return added;
}

} // namespace

ServiceAccountAdmission::ServiceAccountAdmission(ResourceService& service,
                                                 std::function<std::string()> suffix,
                                                 std::function<void()> pause)
    : m_service(service), m_suffix(std::move(suffix)), m_pause(std::move(pause)) {
    if (!m_pause) {
        m_pause = [] { std::this_thread::sleep_for(DefaultAccountRetryInterval); };
    }
    if (!m_suffix) {
        m_suffix = [] { return randomNameSuffix(5); };
    }
}

bool ServiceAccountAdmission::appliesTo(const kube::ResourceType& type) const {
    return type.gvk.kind == "Pod" && type.gvk.group.empty();
}

ApiResult<void> ServiceAccountAdmission::admit(const kube::ResourceType& type, json::object& object,
                                               const json::object* old) {
    (void)type;
    if (old != nullptr || kube::annotation(object, MirrorPodAnnotation)) {
        return {};
    }
    json::object* spec = kube::mutableObject(object, "spec");
    if (spec == nullptr) {
        return {};
    }
    std::string accountName = stringAt(*spec, "serviceAccountName");
    if (accountName.empty()) {
        accountName = "default";
        (*spec)["serviceAccountName"] = accountName;
        (*spec)["serviceAccount"] = accountName;
    }
    std::string ns(kube::namespaceOf(object));
    kube::ResourceTypePtr accounts = m_service.types().byResource("", "v1", "serviceaccounts");
    if (!accounts) {
        return {};
    }
    auto account = m_service.get(*accounts, ns, accountName);
    // As upstream's admission: the `default` ServiceAccount of a namespace created a moment
    // ago may not exist yet (its controller makes it), so look again for up to ~1.5 s first.
    for (int attempt = 1; !account && account.error().code == 404 && accountName == "default" &&
                          attempt < DefaultAccountAttempts;
         ++attempt) {
        m_pause();
        account = m_service.get(*accounts, ns, accountName);
    }
    if (!account) {
        if (account.error().code != 404) {
            return apiFail(account.error());
        }
        std::string name(kube::name(object));
        ApiError e = forbidden(fmt::format("pods \"{}\" is forbidden: error looking up service "
                                           "account {}/{}: serviceaccount \"{}\" not found",
                                           name, ns, accountName, accountName));
        e.name = name;
        e.kind = "pods";
        return apiFail(e);
    }
    // The pod's own setting wins over the ServiceAccount's; both default to mounting.
    std::optional<bool> automount = kube::boolAt(*spec, "automountServiceAccountToken");
    if (!automount) {
        json::value parsed = kube::parseJsonText((*account)->json.str());
        automount = parsed.is_object() ? boolOf(&parsed.as_object(), "automountServiceAccountToken")
                                       : std::nullopt;
    }
    if (!automount.value_or(true)) {
        return {};
    }

    json::value& volumesValue = (*spec)["volumes"];
    if (!volumesValue.is_array()) {
        volumesValue = json::array();
    }
    std::string volumeName;
    for (const json::value& v : volumesValue.as_array()) {
        if (v.is_object() && stringAt(v.as_object(), "name").starts_with(VolumePrefix)) {
            volumeName = stringAt(v.as_object(), "name");
            break;
        }
    }
    bool hasVolume = !volumeName.empty();
    if (!hasVolume) {
        volumeName = std::string(VolumePrefix) + m_suffix();
    }
    bool needsVolume = mountInto(*spec, "initContainers", volumeName);
    needsVolume = mountInto(*spec, "containers", volumeName) || needsVolume;
    if (!hasVolume && needsVolume) {
        volumesValue.as_array().push_back(
            json::object{{"name", volumeName}, {"projected", tokenVolumeSource()}});
    }
    if (volumesValue.as_array().empty()) {
        spec->erase("volumes");
    }
    return {};
}

} // namespace pilot::apiserver
