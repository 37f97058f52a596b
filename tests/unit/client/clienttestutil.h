#pragma once

// Helpers of the client tests: an in-process API server (ApiEnv from the apiserver tests) with
// an InProcessApiClient, a client wrapper that lets a test end and hold back watches, and a
// recorder of informer events.

#include "engine/apiserver/inprocessclient.h"
#include "kube/client/apiclient.h"
#include "kube/client/informer.h"
#include "kube/objectmeta.h"
#include "tests/unit/apiserver/apitestutil.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pilot::kube::test {

namespace json = boost::json;
using apiserver::test::ApiEnv;

/// Forwards to another client, counting lists, recording each watch's resourceVersion, and
/// letting the test end every open watch (as a server timeout would) or hold new ones back.
class ControlledClient final : public ApiClient {
public:
    explicit ControlledClient(ApiClient& inner) : ApiClient(inner.fieldManager()), m_inner(inner) {}

    Result<ApiResponse> send(const ApiRequest& request) override {
        if (request.method == "GET") {
            std::lock_guard lock(m_mutex);
            ++m_lists;
        }
        return m_inner.send(request);
    }

    Result<std::unique_ptr<EventStream>> openWatch(const ApiRequest& request) override {
        {
            std::unique_lock lock(m_mutex);
            std::string rv;
            for (const auto& [k, v] : request.query) {
                if (k == "resourceVersion") {
                    rv = v;
                }
            }
            m_watchVersions.push_back(rv);
            m_changed.notify_all();
            m_changed.wait(lock, [this] { return !m_paused; });
        }
        auto stream = m_inner.openWatch(request);
        if (!stream) {
            return stream;
        }
        auto tracked = std::make_unique<Tracked>(std::move(*stream));
        {
            std::lock_guard lock(m_mutex);
            m_open.push_back(tracked->inner);
            ++m_opened;
        }
        m_changed.notify_all();
        return std::unique_ptr<EventStream>(std::move(tracked));
    }

    /// Ends every open watch.
    void endWatches() {
        std::lock_guard lock(m_mutex);
        for (auto& weak : m_open) {
            if (auto stream = weak.lock()) {
                stream->close();
            }
        }
        m_open.clear();
    }
    /// New watches block until resume().
    void pause() {
        std::lock_guard lock(m_mutex);
        m_paused = true;
    }
    void resume() {
        {
            std::lock_guard lock(m_mutex);
            m_paused = false;
        }
        m_changed.notify_all();
    }
    /// Waits until `n` watches have been requested (a paused one counts once it waits).
    bool waitForRequests(size_t n) {
        std::unique_lock lock(m_mutex);
        return m_changed.wait_for(lock, std::chrono::seconds(10),
                                  [&] { return m_watchVersions.size() >= n; });
    }
    /// Waits until `n` watches are open (endWatches() reaches them).
    bool waitForOpen(size_t n) {
        std::unique_lock lock(m_mutex);
        return m_changed.wait_for(lock, std::chrono::seconds(10), [&] { return m_opened >= n; });
    }
    std::vector<std::string> watchVersions() {
        std::lock_guard lock(m_mutex);
        return m_watchVersions;
    }
    int lists() {
        std::lock_guard lock(m_mutex);
        return m_lists;
    }

private:
    /// Shares the stream so endWatches() can close it while the informer reads it.
    struct Tracked final : EventStream {
        explicit Tracked(std::unique_ptr<EventStream> stream) : inner(std::move(stream)) {}
        StreamRead next(std::chrono::milliseconds timeout) override { return inner->next(timeout); }
        void close() override { inner->close(); }
        std::shared_ptr<EventStream> inner;
    };

    ApiClient& m_inner;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_paused = false;
    int m_lists = 0;
    size_t m_opened = 0;
    std::vector<std::string> m_watchVersions;
    std::vector<std::weak_ptr<EventStream>> m_open;
};

/// Informer events as `ADD name`, `UPDATE name`, `DELETE name`, in delivery order.
class EventRecorder {
public:
    InformerHandlers handlers() {
        InformerHandlers h;
        h.onAdd = [this](const ObjectPtr& o) { record("ADD", *o, nullptr); };
        h.onUpdate = [this](const ObjectPtr& old, const ObjectPtr& o) {
            record("UPDATE", *o, old);
        };
        h.onDelete = [this](const ObjectPtr& o) { record("DELETE", *o, nullptr); };
        return h;
    }
    /// Waits until at least `n` events arrived.
    bool waitFor(size_t n, std::chrono::seconds limit = std::chrono::seconds(10)) {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, limit, [&] { return m_events.size() >= n; });
    }
    /// Waits until the event `summary` arrived.
    bool waitForEvent(const std::string& summary) {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, std::chrono::seconds(10), [&] {
            return std::find(m_events.begin(), m_events.end(), summary) != m_events.end();
        });
    }
    std::vector<std::string> events() {
        std::lock_guard lock(m_mutex);
        return m_events;
    }
    /// Events after the first `n`.
    std::vector<std::string> since(size_t n) {
        std::lock_guard lock(m_mutex);
        return {m_events.begin() + static_cast<std::ptrdiff_t>(std::min(n, m_events.size())),
                m_events.end()};
    }
    /// The object of the last event about `name`, and for updates the previous state.
    std::pair<json::object, json::object> last(const std::string& name) {
        std::lock_guard lock(m_mutex);
        auto it = m_last.find(name);
        return it == m_last.end() ? std::pair<json::object, json::object>{} : it->second;
    }

private:
    void record(const char* type, const json::object& object, const ObjectPtr& previous) {
        std::string name(kube::name(object));
        {
            std::lock_guard lock(m_mutex);
            m_events.push_back(std::string(type) + " " + name);
            m_last[name] = {object, previous ? *previous : json::object()};
        }
        m_cv.notify_all();
    }

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<std::string> m_events;
    std::map<std::string, std::pair<json::object, json::object>> m_last;
};

inline std::chrono::steady_clock::time_point inSeconds(int seconds) {
    return std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
}

} // namespace pilot::kube::test
