#pragma once

// Helpers of the Job, CronJob and TTL-after-finished tests: a thread-safe manual clock, the
// timers the controllers ask for (fired when the test moves the clock past them), an observer
// of pods, Jobs, CronJobs and Events that waits on its informers with deadlines, and the
// in-process cluster those controllers run in.

#include "workloadtestutil.h"

#include "engine/controllers/framework/controller.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <tuple>

namespace pilot::controllers::test {

/// A clock that moves only when told to; safe to read from controller threads.
class SteppingClock final : public Clock {
public:
    explicit SteppingClock(TimePoint start) : m_nanos(start.time_since_epoch().count()) {}
    [[nodiscard]] TimePoint now() const override {
        return TimePoint(TimePoint::duration(m_nanos.load()));
    }
    void set(TimePoint t) { m_nanos.store(t.time_since_epoch().count()); }

private:
    std::atomic<TimePoint::duration::rep> m_nanos;
};

/// The delayed looks controllers request through their `requeueAt` option. Moving the clock
/// with advanceTo() enqueues every key whose time has come on the controller that asked.
class ManualTimers {
public:
    explicit ManualTimers(SteppingClock& clock) : m_clock(clock) {}

    /// The option value for `controller` (set the pointer before the controller starts).
    std::function<void(const std::string&, TimePoint)> hookFor(QueueController** controller) {
        return [this, controller](const std::string& key, TimePoint at) {
            std::function<void()> notify;
            {
                std::lock_guard lock(m_mutex);
                m_pending.emplace(at, key, *controller);
                m_requested.emplace_back(key, at);
                notify = m_onRequest;
            }
            if (notify) {
                notify();
            }
        };
    }

    /// Called after every request (so waits on requests re-check).
    void onRequest(std::function<void()> fn) {
        std::lock_guard lock(m_mutex);
        m_onRequest = std::move(fn);
    }

    /// Moves the clock to `t` and fires what became due.
    void advanceTo(TimePoint t) {
        m_clock.set(t);
        std::vector<std::pair<std::string, QueueController*>> due;
        {
            std::lock_guard lock(m_mutex);
            while (!m_pending.empty() && std::get<0>(*m_pending.begin()) <= t) {
                due.emplace_back(std::get<1>(*m_pending.begin()), std::get<2>(*m_pending.begin()));
                m_pending.erase(m_pending.begin());
            }
        }
        for (auto& [key, controller] : due) {
            controller->enqueue(key);
        }
    }
    void advance(std::chrono::nanoseconds by) { advanceTo(m_clock.now() + by); }

    /// Whether a look at `key` at exactly `at` was asked for.
    [[nodiscard]] bool requested(const std::string& key, TimePoint at) const {
        std::lock_guard lock(m_mutex);
        return std::find(m_requested.begin(), m_requested.end(), std::make_pair(key, at)) !=
               m_requested.end();
    }
    /// The latest time a look at `key` was asked for (pending or fired), if any.
    [[nodiscard]] std::optional<TimePoint> lastRequested(const std::string& key) const {
        std::lock_guard lock(m_mutex);
        std::optional<TimePoint> latest;
        for (const auto& [k, at] : m_requested) {
            if (k == key && (!latest || *latest < at)) {
                latest = at;
            }
        }
        return latest;
    }
    /// The earliest pending look at `key`, if any.
    [[nodiscard]] std::optional<TimePoint> next(const std::string& key) const {
        std::lock_guard lock(m_mutex);
        for (const auto& [at, k, controller] : m_pending) {
            if (k == key) {
                return at;
            }
        }
        return std::nullopt;
    }

private:
    SteppingClock& m_clock;
    mutable std::mutex m_mutex;
    std::set<std::tuple<TimePoint, std::string, QueueController*>> m_pending;
    std::vector<std::pair<std::string, TimePoint>> m_requested;
    std::function<void()> m_onRequest;
};

/// The test's own informers on pods, Jobs, CronJobs and Events, with waits that re-check a
/// predicate after every change, and listeners that see every change.
class BatchObserver {
public:
    using Listener = std::function<void(const std::string& plural, const kube::ObjectPtr&)>;

    explicit BatchObserver(kube::ApiClient& client) {
        for (const kube::ApiResource* resource :
             {&kube::resources::Pods, &kube::resources::Jobs, &kube::resources::CronJobs,
              &kube::resources::Events}) {
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
    ~BatchObserver() { stop(); }

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

    /// `fn` runs (under the observer's lock) after every change until removed.
    size_t listen(Listener fn) {
        std::lock_guard lock(m_mutex);
        m_listeners.emplace(m_next, std::move(fn));
        return m_next++;
    }
    void unlisten(size_t id) {
        std::lock_guard lock(m_mutex);
        m_listeners.erase(id);
    }

    /// Makes every waiter re-check its predicate now.
    void wake() {
        std::lock_guard lock(m_mutex);
        m_cv.notify_all();
    }

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

    [[nodiscard]] std::vector<json::object> list(const std::string& plural) const {
        std::vector<json::object> out;
        for (const kube::ObjectPtr& o : m_informers.at(plural)->cache().list()) {
            out.push_back(*o);
        }
        return out;
    }
    [[nodiscard]] json::object object(const std::string& plural, const std::string& name) const {
        kube::ObjectPtr o = m_informers.at(plural)->cache().get("default/" + name);
        return o ? *o : json::object();
    }
    /// Pods controlled by `ownerUid`, including finished and terminating ones.
    [[nodiscard]] std::vector<json::object> podsOf(std::string_view ownerUid) const {
        std::vector<json::object> out;
        for (json::object& pod : list("pods")) {
            if (!ownerUid.empty() && ownerUid == test::ownerUid(pod)) {
                out.push_back(std::move(pod));
            }
        }
        return out;
    }
    /// Of those, the ones that count as running: not finished, not being deleted.
    [[nodiscard]] std::vector<json::object> activePodsOf(std::string_view ownerUid) const {
        std::vector<json::object> out;
        for (json::object& pod : podsOf(ownerUid)) {
            std::string phase = kube::stringAt(kube::objectAt(pod, "status"), "phase");
            if (!kube::hasDeletionTimestamp(pod) && phase != "Succeeded" && phase != "Failed") {
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
    /// How often `text` happened to `name` (repeats of an Event raise its count).
    [[nodiscard]] int64_t eventCount(const std::string& name, const std::string& text) const {
        int64_t total = 0;
        for (const json::object& e : list("events")) {
            if (kube::stringAt(kube::objectAt(e, "involvedObject"), "name") == name &&
                kube::stringAt(e, "reason") + ": " + kube::stringAt(e, "message") == text) {
                total += kube::integerAt(e, "count").value_or(1);
            }
        }
        return total;
    }
    [[nodiscard]] bool hasEvent(const std::string& name, const std::string& text) const {
        auto all = events(name);
        return std::find(all.begin(), all.end(), text) != all.end();
    }

private:
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
    size_t m_next = 0;
};

/// The in-process API with the batch controllers' client, the observer, a stepping clock that
/// starts at the API's own (fixed) clock and the timers tied to it.
class BatchCluster {
public:
    BatchCluster() {
        env.createNamespace("default");
        timers.onRequest([this] { observer.wake(); });
        observer.start();
    }
    ~BatchCluster() {
        manager.reset();
        timers.onRequest(nullptr);
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

    json::object mergePatch(const kube::ApiResource& resource, const std::string& name,
                            const json::object& body, const std::string& subresource = {}) {
        kube::PatchOptions options;
        options.subresource = subresource;
        auto patched = client.patch(resource, "default", name, kube::PatchType::Merge,
                                    json::serialize(body), options);
        EXPECT_TRUE(patched) << patched.error().message;
        return patched ? *patched : json::object();
    }

    ApiEnv env;
    apiserver::InProcessApiClient client{*env.handler, "tester"};
    apiserver::InProcessApiClient controllerInner{*env.handler, "pilothouse-controllers"};
    TestClient controllerClient{controllerInner};
    SteppingClock clock{apiserver::test::testEpoch()};
    ManualTimers timers{clock};
    BatchObserver observer{client};
    std::unique_ptr<ControllerManager> manager;
};

/// The status condition `type` of a Job (empty when absent).
inline json::object jobCondition(const json::object& job, std::string_view type) {
    return condition(job, type);
}

/// A Job template's spec: one busybox container, restartPolicy Never.
inline json::object busyboxPodTemplate(const json::object& labels = {}) {
    json::object tmpl{
        {"spec", json::object{{"restartPolicy", "Never"},
                              {"containers", json::array{json::object{{"name", "main"},
                                                                      {"image", "busybox"}}}}}}};
    if (!labels.empty()) {
        tmpl["metadata"] = json::object{{"labels", labels}};
    }
    return tmpl;
}

} // namespace pilot::controllers::test
