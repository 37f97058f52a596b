#pragma once

// Helpers of the workload controller tests: an in-process API server with a client whose pod
// creates can be made to fail and whose pod watch events can be held back, an observer that
// waits on its own informers (never sleeps), a stand-in for the node agent that marks pods
// Running and Ready, and kubectl's `rollout status` message logic.

#include "core/clock.h"
#include "engine/apiserver/inprocessclient.h"
#include "engine/apiserver/serviceallocator.h"
#include "engine/controllers/framework/controllermanager.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"
#include "kube/jsonutil.h"
#include "kube/labelselector.h"
#include "kube/objectmeta.h"
#include "tests/unit/apiserver/apitestutil.h"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace pilot::controllers::test {

namespace json = boost::json;
using apiserver::test::ApiEnv;

inline const kube::ApiResource ReplicationControllers{"", "v1", "replicationcontrollers", true};

inline json::object obj(std::string_view text) {
    return json::parse(text).as_object();
}

/// The client the controllers use: forwards to the in-process client, and lets a test fail
/// pod creates (as a quota would) and hold back watch events of a resource (a slow informer).
class TestClient final : public kube::ApiClient {
public:
    explicit TestClient(kube::ApiClient& inner)
        : ApiClient("pilothouse-controllers"), m_inner(inner) {}

    Result<kube::ApiResponse> send(const kube::ApiRequest& request) override {
        if (request.method == "POST" && request.path.ends_with("/pods")) {
            m_podCreates.fetch_add(1);
            std::lock_guard lock(m_mutex);
            if (!m_createFailure.empty()) {
                json::object status{{"kind", "Status"},
                                    {"apiVersion", "v1"},
                                    {"metadata", json::object()},
                                    {"status", "Failure"},
                                    {"message", m_createFailure},
                                    {"reason", "Forbidden"},
                                    {"details", json::object{{"kind", "pods"}}},
                                    {"code", 403}};
                return kube::ApiResponse{403, json::serialize(status), "application/json", {}};
            }
        }
        return m_inner.send(request);
    }

    Result<std::unique_ptr<kube::EventStream>> openWatch(const kube::ApiRequest& request) override {
        auto stream = m_inner.openWatch(request);
        if (!stream) {
            return stream;
        }
        std::string plural = request.path.substr(request.path.rfind('/') + 1);
        return std::unique_ptr<kube::EventStream>(
            std::make_unique<HeldStream>(*this, std::move(plural), std::move(*stream)));
    }

    /// Pod creates fail with 403 and this message until called with "".
    void failPodCreates(std::string message) {
        std::lock_guard lock(m_mutex);
        m_createFailure = std::move(message);
    }
    /// While held, watch events of `plural` are not delivered (they queue up in the stream).
    void holdEvents(const std::string& plural, bool hold) {
        {
            std::lock_guard lock(m_mutex);
            if (hold) {
                m_held.insert(plural);
            } else {
                m_held.erase(plural);
            }
        }
        m_changed.notify_all();
    }
    void holdPodEvents(bool hold) { holdEvents("pods", hold); }
    [[nodiscard]] int podCreates() const { return m_podCreates.load(); }

private:
    class HeldStream final : public kube::EventStream {
    public:
        HeldStream(TestClient& owner, std::string plural, std::unique_ptr<kube::EventStream> inner)
            : m_owner(owner), m_plural(std::move(plural)), m_inner(std::move(inner)) {}
        /// An event is held after it was read, so one read while the consumer already waited
        /// on the stream when the hold began is held too.
        kube::StreamRead next(std::chrono::milliseconds timeout) override {
            if (!m_pending) {
                kube::StreamRead read = m_inner->next(timeout);
                if (read.status != kube::StreamRead::Status::Event) {
                    return read;
                }
                m_pending = std::move(read);
            }
            std::unique_lock lock(m_owner.m_mutex);
            if (!m_owner.m_changed.wait_for(lock, timeout, [this] {
                    return m_closed || !m_owner.m_held.contains(m_plural);
                })) {
                return kube::StreamRead{kube::StreamRead::Status::Timeout, {}, {}};
            }
            kube::StreamRead read = std::move(*m_pending);
            m_pending.reset();
            return read;
        }
        void close() override {
            m_inner->close();
            {
                std::lock_guard lock(m_owner.m_mutex);
                m_closed = true;
            }
            m_owner.m_changed.notify_all();
        }

    private:
        TestClient& m_owner;
        std::string m_plural;
        std::unique_ptr<kube::EventStream> m_inner;
        std::optional<kube::StreamRead> m_pending; // consumer thread only
        bool m_closed = false;                     // under the owner's mutex
    };

    kube::ApiClient& m_inner;
    std::atomic<int> m_podCreates{0};
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::string m_createFailure;
    std::set<std::string> m_held; // resource plurals
};

/// The test's own view of the cluster: informers on the workload resources and Events, and
/// waits that re-check a predicate after every change, with a deadline.
class Observer {
public:
    explicit Observer(kube::ApiClient& client) {
        for (const kube::ApiResource* resource :
             {&kube::resources::Pods, &kube::resources::ReplicaSets, &kube::resources::Deployments,
              &kube::resources::Events, &ReplicationControllers}) {
            kube::InformerOptions options;
            options.resource = *resource;
            auto informer = std::make_unique<kube::Informer>(client, std::move(options));
            kube::InformerHandlers handlers;
            std::string plural = resource->resource;
            handlers.onAdd = [this, plural](const kube::ObjectPtr& o) { changed(plural, o); };
            handlers.onUpdate = [this, plural](const kube::ObjectPtr&, const kube::ObjectPtr& o) {
                changed(plural, o);
            };
            handlers.onDelete = [this, plural](const kube::ObjectPtr& o) { changed(plural, o); };
            informer->addHandlers(std::move(handlers));
            m_informers[plural] = std::move(informer);
        }
    }
    /// An observer of the given resources; list(), get() and clusterGet() take their plurals.
    Observer(kube::ApiClient& client, const std::vector<const kube::ApiResource*>& resources) {
        for (const kube::ApiResource* resource : resources) {
            watch(client, *resource);
        }
    }
    ~Observer() { stop(); }

    using Listener = std::function<void(const std::string& plural, const kube::ObjectPtr&)>;

    /// Removes its listener when destroyed: declare it after whatever the listener uses.
    class Subscription {
    public:
        Subscription(Observer& observer, size_t id) : m_observer(observer), m_id(id) {}
        ~Subscription() {
            std::lock_guard lock(m_observer.m_mutex);
            m_observer.m_listeners.erase(m_id);
        }
        Subscription(const Subscription&) = delete;
        Subscription& operator=(const Subscription&) = delete;

    private:
        Observer& m_observer;
        size_t m_id;
    };

    /// `fn` is called (on an informer thread, under the observer's lock) after every change,
    /// before waiters re-check, until the subscription is destroyed.
    [[nodiscard]] std::unique_ptr<Subscription> onChange(Listener fn) {
        std::lock_guard lock(m_mutex);
        size_t id = m_nextListener++;
        m_listeners.emplace(id, std::move(fn));
        return std::make_unique<Subscription>(*this, id);
    }

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

    /// Makes every waiter re-check its predicate now.
    void wake() {
        std::lock_guard lock(m_mutex);
        m_cv.notify_all();
    }

    [[nodiscard]] std::vector<json::object> list(const std::string& plural) const {
        std::vector<json::object> out;
        for (const kube::ObjectPtr& o : m_informers.at(plural)->cache().list()) {
            out.push_back(*o);
        }
        return out;
    }
    [[nodiscard]] std::optional<json::object> get(const std::string& plural,
                                                  const std::string& name,
                                                  const std::string& ns = "default") const {
        kube::ObjectPtr o = m_informers.at(plural)->cache().get(ns + "/" + name);
        return o ? std::optional<json::object>(*o) : std::nullopt;
    }
    /// A cluster-scoped object (a Node), if the observer has seen it.
    [[nodiscard]] std::optional<json::object> clusterGet(const std::string& plural,
                                                         const std::string& name) const {
        kube::ObjectPtr o = m_informers.at(plural)->cache().get(name);
        return o ? std::optional<json::object>(*o) : std::nullopt;
    }
    /// The object, or an empty one when the observer has not seen it (yet).
    [[nodiscard]] json::object object(const std::string& plural, const std::string& name) const {
        return get(plural, name).value_or(json::object());
    }
    /// Pods that are not terminating.
    [[nodiscard]] std::vector<json::object> activePods() const {
        std::vector<json::object> out;
        for (json::object& pod : list("pods")) {
            if (!kube::hasDeletionTimestamp(pod)) {
                out.push_back(std::move(pod));
            }
        }
        return out;
    }
    /// `reason: message` of the Events about `name`, oldest first.
    [[nodiscard]] std::vector<std::string> events(const std::string& name) const {
        std::vector<std::pair<std::string, std::string>> found;
        for (const json::object& e : list("events")) {
            if (kube::stringAt(kube::objectAt(e, "involvedObject"), "name") == name) {
                found.emplace_back(std::string(kube::name(e)), kube::stringAt(e, "reason") + ": " +
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

private:
    void watch(kube::ApiClient& client, const kube::ApiResource& resource) {
        kube::InformerOptions options;
        options.resource = resource;
        auto informer = std::make_unique<kube::Informer>(client, std::move(options));
        kube::InformerHandlers handlers;
        std::string plural = resource.resource;
        handlers.onAdd = [this, plural](const kube::ObjectPtr& o) { changed(plural, o); };
        handlers.onUpdate = [this, plural](const kube::ObjectPtr&, const kube::ObjectPtr& o) {
            changed(plural, o);
        };
        handlers.onDelete = [this, plural](const kube::ObjectPtr& o) { changed(plural, o); };
        informer->addHandlers(std::move(handlers));
        m_informers[plural] = std::move(informer);
    }

    void changed(const std::string& plural, const kube::ObjectPtr& object) {
        std::lock_guard lock(m_mutex);
        for (const auto& [id, listener] : m_listeners) {
            listener(plural, object);
        }
        m_cv.notify_all();
    }

    std::map<std::string, std::unique_ptr<kube::Informer>> m_informers;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::map<size_t, Listener> m_listeners;
    size_t m_nextListener = 0;
};

/// What the node agent would report for a started pod: Running, Ready (since `at`).
inline void markReady(kube::ApiClient& client, const json::object& pod,
                      TimePoint at = std::chrono::system_clock::now()) {
    std::string since = formatTime(at);
    json::object patch{
        {"status",
         json::object{{"phase", "Running"},
                      {"conditions", json::array{json::object{{"type", "Ready"},
                                                              {"status", "True"},
                                                              {"lastTransitionTime", since}},
                                                 json::object{{"type", "ContainersReady"},
                                                              {"status", "True"},
                                                              {"lastTransitionTime", since}}}}}}};
    kube::PatchOptions options;
    options.subresource = "status";
    auto patched = client.patch(kube::resources::Pods, kube::namespaceOf(pod), kube::name(pod),
                                kube::PatchType::Merge, json::serialize(patch), options);
    // The controllers may have deleted the pod meanwhile.
    EXPECT_TRUE(patched || kube::isNotFound(patched.error())) << patched.error().message;
}

/// A stand-in node agent: marks every pod Running and Ready as soon as it appears.
class AutoReady {
public:
    AutoReady(kube::ApiClient& client, Observer& observer)
        : m_client(client), m_observer(observer) {
        m_thread = std::thread([this] { run(); });
    }
    ~AutoReady() {
        m_stop = true;
        m_observer.wake();
        m_thread.join();
    }

private:
    void run() {
        while (!m_stop) {
            json::object target;
            bool found = false;
            m_observer.waitUntil(
                [&] {
                    if (m_stop) {
                        return true;
                    }
                    for (json::object& pod : m_observer.activePods()) {
                        if (kube::stringAt(kube::objectAt(pod, "status"), "phase") != "Running") {
                            target = std::move(pod);
                            found = true;
                            return true;
                        }
                    }
                    return false;
                },
                std::chrono::seconds(5));
            if (found && !m_stop) {
                markReady(m_client, target);
            }
        }
    }

    kube::ApiClient& m_client;
    Observer& m_observer;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

/// kubectl's `rollout status` for a Deployment, message for message (without the newline).
inline std::string rolloutStatus(const json::object& d) {
    if (kube::objectAt(d, "spec") == nullptr) {
        return "not found";
    }
    std::string name(kube::name(d));
    const json::object* status = kube::objectAt(d, "status");
    auto count = [&](std::string_view field) {
        return status ? kube::integerAt(*status, field).value_or(0) : 0;
    };
    if (kube::generation(d) > count("observedGeneration")) {
        return "Waiting for deployment spec update to be observed...";
    }
    if (const json::array* conditions = status ? kube::arrayAt(*status, "conditions") : nullptr) {
        for (const json::value& c : *conditions) {
            if (kube::stringAt(c.as_object(), "type") == "Progressing" &&
                kube::stringAt(c.as_object(), "reason") == "ProgressDeadlineExceeded") {
                return fmt::format("error: deployment \"{}\" exceeded its progress deadline", name);
            }
        }
    }
    int64_t wanted = kube::integerAt(*kube::objectAt(d, "spec"), "replicas").value_or(1);
    if (count("updatedReplicas") < wanted) {
        return fmt::format("Waiting for deployment \"{}\" rollout to finish: {} out of {} new "
                           "replicas have been updated...",
                           name, count("updatedReplicas"), wanted);
    }
    if (count("replicas") > count("updatedReplicas")) {
        return fmt::format("Waiting for deployment \"{}\" rollout to finish: {} old replicas are "
                           "pending termination...",
                           name, count("replicas") - count("updatedReplicas"));
    }
    if (count("availableReplicas") < count("updatedReplicas")) {
        return fmt::format("Waiting for deployment \"{}\" rollout to finish: {} of {} updated "
                           "replicas are available...",
                           name, count("availableReplicas"), count("updatedReplicas"));
    }
    return fmt::format("deployment \"{}\" successfully rolled out", name);
}

/// A condition of `object`'s status by type, or an empty object.
inline json::object condition(const json::object& object, std::string_view type) {
    const json::object* status = kube::objectAt(object, "status");
    if (const json::array* conditions = status ? kube::arrayAt(*status, "conditions") : nullptr) {
        for (const json::value& c : *conditions) {
            if (kube::stringAt(c.as_object(), "type") == type) {
                return c.as_object();
            }
        }
    }
    return {};
}

inline int64_t statusOf(const json::object& object, std::string_view field) {
    const json::object* status = kube::objectAt(object, "status");
    return status ? kube::integerAt(*status, field).value_or(0) : 0;
}

inline int64_t specReplicasOf(const json::object& object) {
    const json::object* spec = kube::objectAt(object, "spec");
    return spec ? kube::integerAt(*spec, "replicas").value_or(1) : 0;
}

/// The controller owner reference's uid of `object`, or "".
inline std::string ownerUid(const json::object& object) {
    const json::object* ref = kube::controllerRef(object);
    return ref ? kube::stringAt(*ref, "uid") : "";
}

/// The in-process cluster the tests drive: the API, the controllers' client, an observer and
/// a ControllerManager (destroyed first, so controllers stop before the API goes).
class WorkloadCluster {
public:
    WorkloadCluster() {
        env.createNamespace("default");
        observer.start();
    }
    ~WorkloadCluster() {
        manager.reset();
        observer.stop();
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
        auto created = client.create(resource, "default", object);
        EXPECT_TRUE(created) << created.error().message;
        return created ? *created : json::object();
    }

    json::object patch(const kube::ApiResource& resource, const std::string& name,
                       const json::value& body,
                       kube::PatchType type = kube::PatchType::StrategicMerge) {
        auto patched = client.patch(resource, "default", name, type, json::serialize(body));
        EXPECT_TRUE(patched) << patched.error().message;
        return patched ? *patched : json::object();
    }

    /// Pods of the set `name` (by controller reference) that are not terminating.
    std::vector<json::object> podsOf(const json::object& owner) {
        std::vector<json::object> out;
        for (json::object& pod : observer.activePods()) {
            if (ownerUid(pod) == kube::uid(owner)) {
                out.push_back(std::move(pod));
            }
        }
        return out;
    }

    ApiEnv env;
    apiserver::InProcessApiClient client{*env.handler, "tester"};
    apiserver::InProcessApiClient controllerInner{*env.handler, "pilothouse-controllers"};
    TestClient controllerClient{controllerInner};
    Observer observer{client};
    std::unique_ptr<ControllerManager> manager;
};

/// An in-process cluster for controllers of other kinds than workloads (Services, Nodes): the
/// API with the engine's Service IP allocation, a client for the test and one for the
/// controllers, an Observer of the chosen resources and a ControllerManager (destroyed first).
class ObservedCluster {
public:
    explicit ObservedCluster(const std::vector<const kube::ApiResource*>& resources)
        : observer(client, resources) {
        env.createNamespace("default");
        if (kube::ResourceTypePtr services = env.types->byResource("", "v1", "services")) {
            env.service->addHook(std::make_shared<apiserver::ServiceAllocator>(
                env.service->cacheFor(*services), apiserver::ServiceNetwork{}));
        }
        observer.start();
    }
    ~ObservedCluster() {
        manager.reset();
        observer.stop();
    }

    void start(std::vector<std::unique_ptr<Controller>> controllers) {
        manager = std::make_unique<ControllerManager>(controllerClient);
        for (auto& controller : controllers) {
            manager->add(std::move(controller));
        }
        auto started = manager->start();
        ASSERT_TRUE(started) << started.error().message;
    }

    json::object create(const kube::ApiResource& resource, const json::object& object,
                        const std::string& ns = "default") {
        auto created = client.create(resource, resource.namespaced ? ns : "", object);
        EXPECT_TRUE(created) << created.error().message;
        return created ? *created : json::object();
    }

    /// A merge patch (of `subresource` when given); `ns` is ignored for cluster-scoped kinds.
    json::object patch(const kube::ApiResource& resource, const std::string& name,
                       const json::value& body, const std::string& subresource = {},
                       const std::string& ns = "default") {
        kube::PatchOptions options;
        options.subresource = subresource;
        auto patched = client.patch(resource, resource.namespaced ? ns : "", name,
                                    kube::PatchType::Merge, json::serialize(body), options);
        EXPECT_TRUE(patched) << patched.error().message;
        return patched ? *patched : json::object();
    }

    void remove(const kube::ApiResource& resource, const std::string& name,
                const std::string& ns = "default") {
        auto removed = client.remove(resource, resource.namespaced ? ns : "", name);
        EXPECT_TRUE(removed) << removed.error().message;
    }

    /// A pod bound to `node` (container `main` with `containerPorts`); with an `ip`, the status
    /// a node agent reports for it: Running, podIP/podIPs and Ready as given.
    json::object runPod(const std::string& name, json::object labels, const std::string& node,
                        const std::string& ip, bool ready, json::array containerPorts = {}) {
        json::object container{{"name", "main"}, {"image", "nginx:1.25"}};
        if (!containerPorts.empty()) {
            container["ports"] = std::move(containerPorts);
        }
        json::object pod{
            {"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", json::object{{"name", name}, {"labels", std::move(labels)}}},
            {"spec", json::object{{"nodeName", node}, {"containers", json::array{container}}}}};
        json::object created = create(kube::resources::Pods, pod);
        if (ip.empty()) {
            return created;
        }
        return setPodStatus(name, ip, ready);
    }

    json::object setPodStatus(const std::string& name, const std::string& ip, bool ready) {
        json::object readyCondition{
            {"type", "Ready"},
            {"status", ready ? "True" : "False"},
            {"lastTransitionTime", formatTime(std::chrono::system_clock::now())}};
        json::object status{{"phase", "Running"},
                            {"podIP", ip},
                            {"podIPs", json::array{json::object{{"ip", ip}}}},
                            {"conditions", json::array{std::move(readyCondition)}}};
        return patch(kube::resources::Pods, name, json::object{{"status", std::move(status)}},
                     "status");
    }

    ApiEnv env;
    apiserver::InProcessApiClient client{*env.handler, "tester"};
    apiserver::InProcessApiClient controllerInner{*env.handler, "pilothouse-controllers"};
    TestClient controllerClient{controllerInner};
    Observer observer;
    std::unique_ptr<ControllerManager> manager;
};

} // namespace pilot::controllers::test

namespace pilot::controllers::test {

/// What the node agent reports when a pod's containers exit: phase Succeeded or Failed (exit
/// code 0 or 1), Ready False and each container terminated at `at`.
inline void markFinished(kube::ApiClient& client, const json::object& pod, bool succeeded,
                         TimePoint at = std::chrono::system_clock::now()) {
    std::string when = formatTime(at);
    json::array containers;
    if (const json::array* specContainers =
            kube::arrayAt(*kube::objectAt(pod, "spec"), "containers")) {
        for (const json::value& c : *specContainers) {
            containers.push_back(json::object{
                {"name", kube::stringAt(c.as_object(), "name")},
                {"ready", false},
                {"restartCount", 0},
                {"state", json::object{{"terminated",
                                        json::object{{"exitCode", succeeded ? 0 : 1},
                                                     {"reason", succeeded ? "Completed" : "Error"},
                                                     {"finishedAt", when}}}}}});
        }
    }
    json::object patch{
        {"status",
         json::object{{"phase", succeeded ? "Succeeded" : "Failed"},
                      {"conditions", json::array{json::object{{"type", "Ready"},
                                                              {"status", "False"},
                                                              {"reason", "PodCompleted"},
                                                              {"lastTransitionTime", when}}}},
                      {"containerStatuses", std::move(containers)}}}};
    kube::PatchOptions options;
    options.subresource = "status";
    auto patched = client.patch(kube::resources::Pods, kube::namespaceOf(pod), kube::name(pod),
                                kube::PatchType::Merge, json::serialize(patch), options);
    EXPECT_TRUE(patched || kube::isNotFound(patched.error())) << patched.error().message;
}

inline void markSucceeded(kube::ApiClient& client, const json::object& pod,
                          TimePoint at = std::chrono::system_clock::now()) {
    markFinished(client, pod, true, at);
}

inline void markFailed(kube::ApiClient& client, const json::object& pod,
                       TimePoint at = std::chrono::system_clock::now()) {
    markFinished(client, pod, false, at);
}

/// `kubectl rollout undo` for a StatefulSet or DaemonSet (`resource`), as kubectl's
/// rollbackers do it: the ControllerRevisions the object controls (listed by its selector),
/// the one with `toRevision` (0: the second newest), and the revision's `data` sent back as a
/// strategic-merge patch. Returns kubectl's message ("rolled back", "skipped rollback (current
/// template already matches revision N)") or an "error: ..." line.
inline std::string kubectlRolloutUndo(kube::ApiClient& client, const kube::ApiResource& resource,
                                      const std::string& name, int64_t toRevision = 0) {
    static const kube::ApiResource revisions{"apps", "v1", "controllerrevisions", true};
    auto object = client.get(resource, "default", name);
    if (!object) {
        return "error: " + object.error().message;
    }
    const json::object* spec = kube::objectAt(*object, "spec");
    auto selector = kube::LabelSelector::fromJson(spec ? spec->if_contains("selector") : nullptr);
    if (!selector) {
        return "error: " + selector.error().message;
    }
    kube::ListOptions options;
    options.labelSelector = selector->toString();
    auto listed = client.list(revisions, "default", options);
    if (!listed) {
        return "error: " + listed.error().message;
    }
    std::vector<json::object> history;
    for (json::object& revision : listed->items) {
        const json::object* ref = kube::controllerRef(revision);
        if (ref && kube::stringAt(*ref, "uid") == kube::uid(*object)) {
            history.push_back(std::move(revision));
        }
    }
    if (toRevision == 0 && history.size() <= 1) {
        return "error: no last revision to roll back to";
    }
    auto number = [](const json::object& r) { return kube::integerAt(r, "revision").value_or(0); };
    std::sort(history.begin(), history.end(),
              [&](const json::object& a, const json::object& b) { return number(a) < number(b); });
    const json::object* target = nullptr;
    if (toRevision == 0) {
        target = &history[history.size() - 2];
    } else {
        for (const json::object& r : history) {
            if (number(r) == toRevision) {
                target = &r;
            }
        }
    }
    if (target == nullptr) {
        return fmt::format("error: unable to find specified revision {} in history", toRevision);
    }
    const json::value* data = target->if_contains("data");
    const json::object* dataObject = data ? data->if_object() : nullptr;
    const json::object* saved = kube::objectAt(kube::objectAt(dataObject, "spec"), "template");
    json::object wanted = saved ? *saved : json::object();
    wanted.erase("$patch");
    const json::object* current = kube::objectAt(spec, "template");
    if (current && kube::jsonEqual(wanted, *current)) {
        return fmt::format("skipped rollback (current template already matches revision {})",
                           number(*target));
    }
    auto patched = client.patch(resource, "default", name, kube::PatchType::StrategicMerge,
                                json::serialize(data ? *data : json::value()));
    if (!patched) {
        return "error: " + patched.error().message;
    }
    return "rolled back";
}

} // namespace pilot::controllers::test
