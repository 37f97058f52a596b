#pragma once

// Helpers of the volume and quota controller tests: the in-process API with the storage,
// LimitRange and quota admission hooks, a client for the test and one for the controllers, a
// view of the cluster that waits on its own informers (never sleeps) and a temporary directory.

#include "engine/apiserver/inprocessclient.h"
#include "engine/controllers/framework/controllermanager.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"
#include "tests/unit/apiserver/admissionenv.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace pilot::controllers::test {

namespace json = boost::json;
using apiserver::test::ApiEnv;

/// A fresh directory under the system's temporary directory, removed with its contents.
class TempDir {
public:
    TempDir() {
        std::random_device random;
        path = std::filesystem::temp_directory_path() /
               fmt::format("pilot-volumes-{:x}{:x}", random(), random());
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::filesystem::path path;
};

/// The cluster as the test sees it: informers on the given resources, and waits that re-check
/// a predicate after every change, with a deadline.
class ClusterView {
public:
    ClusterView(kube::ApiClient& client, const std::vector<kube::ApiResource>& resources) {
        for (const kube::ApiResource& resource : resources) {
            kube::InformerOptions options;
            options.resource = resource;
            auto informer = std::make_unique<kube::Informer>(client, std::move(options));
            kube::InformerHandlers handlers;
            handlers.onAdd = [this](const kube::ObjectPtr&) { changed(); };
            handlers.onUpdate = [this](const kube::ObjectPtr&, const kube::ObjectPtr&) {
                changed();
            };
            handlers.onDelete = [this](const kube::ObjectPtr&) { changed(); };
            informer->addHandlers(std::move(handlers));
            m_informers[resource.resource] = std::move(informer);
        }
    }
    ~ClusterView() { stop(); }

    void start() {
        for (auto& [plural, informer] : m_informers) {
            informer->start();
        }
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        for (auto& [plural, informer] : m_informers) {
            EXPECT_TRUE(informer->waitForSync(deadline)) << plural;
        }
    }
    void stop() {
        for (auto& [plural, informer] : m_informers) {
            informer->stop();
        }
    }

    /// Waits until `pred` holds (re-checked after every change), at most `limit`.
    bool waitUntil(const std::function<bool()>& pred,
                   std::chrono::seconds limit = std::chrono::seconds(20)) {
        auto deadline = std::chrono::steady_clock::now() + limit;
        std::unique_lock lock(m_mutex);
        while (!pred()) {
            if (m_cv.wait_until(lock, deadline) == std::cv_status::timeout) {
                return pred();
            }
        }
        return true;
    }

    /// The object `name` (`ns/name` for namespaced kinds in `default`), or an empty object.
    [[nodiscard]] json::object get(const std::string& plural, const std::string& name,
                                   bool namespaced = true) const {
        kube::ObjectPtr o =
            m_informers.at(plural)->cache().get(namespaced ? "default/" + name : name);
        return o ? *o : json::object();
    }
    [[nodiscard]] bool exists(const std::string& plural, const std::string& name,
                              bool namespaced = true) const {
        return !get(plural, name, namespaced).empty();
    }
    [[nodiscard]] std::vector<json::object> list(const std::string& plural) const {
        std::vector<json::object> out;
        for (const kube::ObjectPtr& o : m_informers.at(plural)->cache().list()) {
            out.push_back(*o);
        }
        return out;
    }
    /// `reason: message` of the Events about `name`, oldest first.
    [[nodiscard]] std::vector<std::string> events(const std::string& name) const {
        std::vector<std::pair<std::string, std::string>> found;
        for (const json::object& e : list("events")) {
            if (kube::stringAt(kube::objectAt(e, "involvedObject"), "name") == name) {
                found.emplace_back(kube::stringAt(e, "firstTimestamp") + std::string(kube::name(e)),
                                   kube::stringAt(e, "reason") + ": " +
                                       kube::stringAt(e, "message"));
            }
        }
        std::sort(found.begin(), found.end());
        std::vector<std::string> out;
        for (auto& [key, text] : found) {
            out.push_back(std::move(text));
        }
        return out;
    }
    /// Whether an Event `reason: message` about `name` was recorded.
    [[nodiscard]] bool hasEvent(const std::string& name, const std::string& text) const {
        auto all = events(name);
        return std::find(all.begin(), all.end(), text) != all.end();
    }

private:
    void changed() {
        std::lock_guard lock(m_mutex);
        m_cv.notify_all();
    }

    std::map<std::string, std::unique_ptr<kube::Informer>> m_informers;
    std::mutex m_mutex;
    std::condition_variable m_cv;
};

inline std::string phaseOf(const json::object& object) {
    return kube::stringAt(kube::objectAt(object, "status"), "phase");
}

/// A string at a dotted path ("spec.volumeName"), or "".
inline std::string field(const json::object& object, std::string_view dotted) {
    json::value root(object);
    const json::value* v = kube::at(root, dotted);
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

/// The in-process cluster of these tests: the API with the admission hooks, a client for the
/// test and one for the controllers, a view of the storage and quota kinds and a
/// ControllerManager (destroyed first, so controllers stop before the API goes).
class StorageCluster {
public:
    StorageCluster()
        : view(client, {kube::resources::Pods, kube::resources::PersistentVolumeClaims,
                        kube::resources::PersistentVolumes, apiserver::test::StorageClasses,
                        apiserver::test::ResourceQuotas, kube::resources::Events}) {
        apiserver::test::addStorageAndQuotaHooks(env);
        env.createNamespace("default");
        view.start();
    }
    ~StorageCluster() {
        manager.reset();
        view.stop();
    }

    void start(std::vector<std::unique_ptr<Controller>> controllers) {
        manager = std::make_unique<ControllerManager>(controllerClient);
        for (auto& controller : controllers) {
            manager->add(std::move(controller));
        }
        auto started = manager->start();
        ASSERT_TRUE(started) << started.error().message;
    }

    json::object create(const kube::ApiResource& resource, const json::object& object) {
        auto created = client.create(resource, resource.namespaced ? "default" : "", object);
        EXPECT_TRUE(created) << created.error().message;
        return created ? *created : json::object();
    }

    json::object patch(const kube::ApiResource& resource, const std::string& name,
                       const json::value& body, const std::string& subresource = {}) {
        kube::PatchOptions options;
        options.subresource = subresource;
        auto patched = client.patch(resource, resource.namespaced ? "default" : "", name,
                                    kube::PatchType::Merge, json::serialize(body), options);
        EXPECT_TRUE(patched) << patched.error().message;
        return patched ? *patched : json::object();
    }

    void remove(const kube::ApiResource& resource, const std::string& name,
                std::optional<int64_t> grace = std::nullopt) {
        kube::DeleteOptions options;
        options.gracePeriodSeconds = grace;
        auto removed = client.remove(resource, resource.namespaced ? "default" : "", name, options);
        EXPECT_TRUE(removed) << removed.error().message;
    }

    ApiEnv env;
    apiserver::InProcessApiClient client{*env.handler, "tester"};
    apiserver::InProcessApiClient controllerClient{*env.handler, "pilothouse-controllers"};
    ClusterView view;
    std::unique_ptr<ControllerManager> manager;
};

} // namespace pilot::controllers::test
