#pragma once

// The API of apitestutil.h with the admission hooks of Engine II registered in the engine's
// order (LimitRanger, DefaultStorageClass, StorageObjectInUseProtection, ResourceQuota), plus a
// client and helpers for quotas.

#include "apitestutil.h"
#include "engine/apiserver/inprocessclient.h"
#include "engine/apiserver/limitrangeadmission.h"
#include "engine/apiserver/quotaadmission.h"
#include "engine/apiserver/storageclassadmission.h"
#include "engine/apiserver/storageprotectionadmission.h"
#include "kube/client/apiclient.h"
#include "kube/client/apierror.h"
#include "kube/jsonutil.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

namespace pilot::apiserver::test {

inline const kube::ApiResource ResourceQuotas{"", "v1", "resourcequotas", true};
inline const kube::ApiResource LimitRanges{"", "v1", "limitranges", true};
inline const kube::ApiResource StorageClasses{"storage.k8s.io", "v1", "storageclasses", false};

/// Registers the hooks on `env`'s service (before any request).
inline void addStorageAndQuotaHooks(ApiEnv& env) {
    ResourceService& service = *env.service;
    service.addHook(
        std::make_shared<LimitRangeAdmission>(service.cacheFor(*env.type("", "limitranges"))));
    service.addHook(std::make_shared<StorageClassAdmission>(
        service.cacheFor(*env.type("storage.k8s.io", "storageclasses"))));
    service.addHook(std::make_shared<StorageProtectionAdmission>());
    service.addHook(std::make_shared<QuotaAdmission>(service));
}

/// A ResourceQuota in `default` with these hard limits (a JSON object text).
inline json::object resourceQuota(const std::string& name, std::string_view hard) {
    return json::object{{"apiVersion", "v1"},
                        {"kind", "ResourceQuota"},
                        {"metadata", json::object{{"name", name}}},
                        {"spec", json::object{{"hard", json::parse(hard)}}}};
}

/// A pod whose one container `main` has these resources (a JSON object text, may be empty).
inline json::object podWithResources(const std::string& name, std::string_view resources = {}) {
    json::object p = pod(name);
    if (!resources.empty()) {
        p["spec"].as_object()["containers"].as_array()[0].as_object()["resources"] =
            json::parse(resources);
    }
    return p;
}

inline json::object claim(const std::string& name, const std::string& size,
                          std::optional<std::string> storageClass = std::nullopt) {
    json::object spec{{"accessModes", json::array{"ReadWriteOnce"}},
                      {"resources", json::object{{"requests", json::object{{"storage", size}}}}}};
    if (storageClass) {
        spec["storageClassName"] = *storageClass;
    }
    return json::object{{"apiVersion", "v1"},
                        {"kind", "PersistentVolumeClaim"},
                        {"metadata", json::object{{"name", name}}},
                        {"spec", std::move(spec)}};
}

/// What the ResourceQuota controller writes first: `status.hard` = spec.hard, `used` zero.
inline void initQuotaStatus(kube::ApiClient& client, const std::string& name) {
    auto q = client.get(ResourceQuotas, "default", name);
    ASSERT_TRUE(q) << q.error().message;
    json::object hard = *kube::objectAt(kube::objectAt(*q, "spec"), "hard");
    json::object used;
    for (const auto& entry : hard) {
        used[entry.key()] = "0";
    }
    (*q)["status"] = json::object{{"hard", hard}, {"used", used}};
    auto written = client.updateStatus(ResourceQuotas, *q);
    ASSERT_TRUE(written) << written.error().message;
}

/// `status.used` of a quota, by resource name (empty when unset).
inline std::map<std::string, std::string> quotaUsed(kube::ApiClient& client,
                                                    const std::string& name) {
    auto q = client.get(ResourceQuotas, "default", name);
    const json::object* used = q ? kube::objectAt(kube::objectAt(*q, "status"), "used") : nullptr;
    std::map<std::string, std::string> out;
    if (used != nullptr) {
        for (const auto& entry : *used) {
            out[std::string(entry.key())] =
                entry.value().is_string() ? std::string(entry.value().get_string()) : "?";
        }
    }
    return out;
}

} // namespace pilot::apiserver::test
