#pragma once

#include "core/clock.h"
#include "core/error.h"
#include "kube/client/apiclient.h"

#include <memory>

namespace pilot::apiserver {
class ApiHandler;
class ApiMetrics;
class ResourceService;
class InProcessApiClient;
} // namespace pilot::apiserver
namespace pilot::store {
class Store;
}
namespace pilot::watchcache {
class WatchCache;
}
namespace pilot::kube {
class TypeRegistry;
}

namespace pilot::schedbench {

/// The engine's API layer in this process over the memory store (what Engine wires, minus
/// sockets and persistence), with an InProcessApiClient for the scheduler and the driver.
class InProcessCluster {
public:
    InProcessCluster();
    ~InProcessCluster();
    /// Opens the store and loads the watch cache; call once before client().
    [[nodiscard]] Status start();
    InProcessCluster(const InProcessCluster&) = delete;
    InProcessCluster& operator=(const InProcessCluster&) = delete;

    [[nodiscard]] kube::ApiClient& client();

private:
    SystemClock m_clock;
    std::shared_ptr<kube::TypeRegistry> m_types;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<watchcache::WatchCache> m_cache;
    std::unique_ptr<apiserver::ResourceService> m_service;
    std::unique_ptr<apiserver::ApiMetrics> m_metrics;
    std::unique_ptr<apiserver::ApiHandler> m_handler;
    std::unique_ptr<apiserver::InProcessApiClient> m_client;
};

} // namespace pilot::schedbench
