#include "bench/schedbench/inprocesscluster.h"

#include "engine/apiserver/apihandler.h"
#include "engine/apiserver/inprocessclient.h"
#include "engine/apiserver/metrics.h"
#include "engine/apiserver/resourceservice.h"
#include "engine/apiserver/selectors.h"
#include "engine/store/store.h"
#include "engine/watchcache/watchcache.h"
#include "kube/types/typeregistry.h"

namespace pilot::schedbench {

namespace {
/// Enough history that informers never fall behind into a re-list during a run.
constexpr size_t History = 200000;
} // namespace

InProcessCluster::InProcessCluster()
    : m_types(kube::TypeRegistry::builtin()), m_store(store::makeMemoryStore(History)),
      m_cache(std::make_unique<watchcache::WatchCache>(*m_store, History)) {}

Status InProcessCluster::start() {
    for (const kube::ResourceTypePtr& type : m_types->all()) {
        (void)m_cache->registerResource(type->storagePrefix, apiserver::selectableFields(*type));
    }
    m_store->setCommitObserver(m_cache->observer());
    if (auto opened = m_store->open(); !opened) {
        return opened;
    }
    if (auto loaded = m_cache->load(); !loaded) {
        return loaded;
    }
    m_service = std::make_unique<apiserver::ResourceService>(*m_store, *m_cache, m_types, m_clock);
    m_metrics = std::make_unique<apiserver::ApiMetrics>();
    m_handler = std::make_unique<apiserver::ApiHandler>(*m_service, m_types, *m_metrics);
    m_client = std::make_unique<apiserver::InProcessApiClient>(*m_handler, "schedbench");
    return {};
}

InProcessCluster::~InProcessCluster() {
    m_client.reset();
    if (m_service) {
        m_cache->stopWatchers();
        m_store->close();
    }
}

kube::ApiClient& InProcessCluster::client() {
    return *m_client;
}

} // namespace pilot::schedbench
