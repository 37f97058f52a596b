#pragma once

// An API server without sockets for the apiserver tests: the in-memory store, the watch cache,
// the resource service and the HTTP handler, wired as Engine wires them, plus request and JSON
// helpers.

#include "core/clock.h"
#include "engine/apiserver/apihandler.h"
#include "engine/apiserver/metrics.h"
#include "engine/apiserver/resourceservice.h"
#include "engine/apiserver/selectors.h"
#include "engine/store/store.h"
#include "engine/watchcache/watchcache.h"
#include "kube/types/typeregistry.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pilot::apiserver::test {

namespace json = boost::json;

/// The built-in registry, loaded once per test binary (it is immutable without CRDs).
inline std::shared_ptr<kube::TypeRegistry> builtinTypes() {
    static const std::shared_ptr<kube::TypeRegistry> types = kube::TypeRegistry::builtin();
    return types;
}

/// Parses a trusted JSON literal into an object.
inline json::object obj(std::string_view text) {
    return json::parse(text).as_object();
}

/// A 2030-01-02T03:04:05Z start, so timestamps are predictable.
inline TimePoint testEpoch() {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1893553445));
}

/// One engine's API layer over an in-memory store.
class ApiEnv {
public:
    /// `backing`: the store under the API (an in-memory one when null).
    explicit ApiEnv(size_t historyPerResource = 10000,
                    std::unique_ptr<store::Store> backing = nullptr)
        : clock(testEpoch()), types(builtinTypes()),
          store(backing ? std::move(backing) : store::makeMemoryStore()),
          cache(std::make_unique<watchcache::WatchCache>(*store, historyPerResource)) {
        for (const kube::ResourceTypePtr& type : types->all()) {
            (void)cache->registerResource(type->storagePrefix, selectableFields(*type));
        }
        store->setCommitObserver(cache->observer());
        EXPECT_TRUE(store->open());
        EXPECT_TRUE(cache->load());
        service = std::make_unique<ResourceService>(*store, *cache, types, clock);
        handler = std::make_unique<ApiHandler>(*service, types, metrics);
    }
    ~ApiEnv() {
        cache->stopWatchers();
        store->close();
    }
    ApiEnv(const ApiEnv&) = delete;
    ApiEnv& operator=(const ApiEnv&) = delete;

    [[nodiscard]] kube::ResourceTypePtr type(std::string_view group, std::string_view plural,
                                             std::string_view version = "v1") const {
        kube::ResourceTypePtr t = types->byResource(group, version, plural);
        EXPECT_TRUE(t) << "no type " << group << "/" << version << " " << plural;
        return t;
    }

    /// Creates an Active namespace directly through the service.
    void createNamespace(const std::string& name) {
        auto created =
            service->create(*type("", "namespaces"), "",
                            json::object{{"metadata", json::object{{"name", name}}}}, {});
        ASSERT_TRUE(created) << created.error().message;
    }

    /// Sends a request through the handler as an authenticated admin.
    HandlerResult send(std::string method, std::string path, std::string body = {},
                       std::vector<std::pair<std::string, std::string>> query = {},
                       std::string contentType = "application/json", std::string accept = {}) {
        Request request;
        request.method = std::move(method);
        request.path = std::move(path);
        request.body = std::move(body);
        request.query = std::move(query);
        request.contentType = std::move(contentType);
        request.accept = std::move(accept);
        request.user = User{"admin", {"system:masters"}};
        return awaitResult(handler->handle(request));
    }

    ManualClock clock;
    std::shared_ptr<kube::TypeRegistry> types;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<watchcache::WatchCache> cache;
    std::unique_ptr<ResourceService> service;
    ApiMetrics metrics;
    std::unique_ptr<ApiHandler> handler;
};

/// The JSON body of a response (fails the test on a non-object body).
inline json::object bodyOf(const HandlerResult& result) {
    boost::system::error_code ec;
    json::value v = json::parse(result.response.body, ec);
    EXPECT_FALSE(ec) << "not JSON: " << result.response.body;
    if (ec || !v.is_object()) {
        return {};
    }
    return std::move(v.as_object());
}

/// A string member at a dotted path ("metadata.name"), or "" when absent.
inline std::string str(const json::object& o, std::string_view dotted) {
    const json::value* v = nullptr;
    const json::object* cur = &o;
    while (cur) {
        size_t dot = dotted.find('.');
        v = cur->if_contains(dotted.substr(0, dot));
        if (!v || dot == std::string_view::npos) {
            break;
        }
        dotted.remove_prefix(dot + 1);
        cur = v->if_object();
        v = nullptr;
    }
    return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

/// A member at a dotted path, or nullptr.
inline const json::value* at(const json::object& o, std::string_view dotted) {
    const json::object* cur = &o;
    while (cur) {
        size_t dot = dotted.find('.');
        const json::value* v = cur->if_contains(dotted.substr(0, dot));
        if (!v || dot == std::string_view::npos) {
            return v;
        }
        dotted.remove_prefix(dot + 1);
        cur = v->if_object();
    }
    return nullptr;
}

/// Minimal valid objects of the kinds the tests use.
inline json::object configMap(const std::string& name, const std::string& value = "v") {
    return json::object{{"apiVersion", "v1"},
                        {"kind", "ConfigMap"},
                        {"metadata", json::object{{"name", name}}},
                        {"data", json::object{{"k", value}}}};
}

inline json::object deployment(const std::string& name, int64_t replicas = 1,
                               const std::string& image = "nginx:1.25") {
    json::object labels{{"app", name}};
    return json::object{
        {"apiVersion", "apps/v1"},
        {"kind", "Deployment"},
        {"metadata", json::object{{"name", name}}},
        {"spec",
         json::object{
             {"replicas", replicas},
             {"selector", json::object{{"matchLabels", labels}}},
             {"template",
              json::object{{"metadata", json::object{{"labels", labels}}},
                           {"spec", json::object{{"containers",
                                                  json::array{json::object{
                                                      {"name", "main"}, {"image", image}}}}}}}}}}};
}

inline json::object pod(const std::string& name, const std::string& nodeName = {}) {
    json::object spec{
        {"containers", json::array{json::object{{"name", "main"}, {"image", "nginx:1.25"}}}}};
    if (!nodeName.empty()) {
        spec["nodeName"] = nodeName;
    }
    return json::object{{"apiVersion", "v1"},
                        {"kind", "Pod"},
                        {"metadata", json::object{{"name", name}}},
                        {"spec", std::move(spec)}};
}

} // namespace pilot::apiserver::test
