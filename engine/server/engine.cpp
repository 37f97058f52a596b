#include "engine/server/engine.h"

#include "core/clock.h"
#include "core/log.h"
#include "engine/apiserver/apihandler.h"
#include "engine/apiserver/httpserver.h"
#include "engine/apiserver/inprocessclient.h"
#include "engine/apiserver/limitrangeadmission.h"
#include "engine/apiserver/metrics.h"
#include "engine/apiserver/priorityadmission.h"
#include "engine/apiserver/quotaadmission.h"
#include "engine/apiserver/resourceservice.h"
#include "engine/apiserver/selectors.h"
#include "engine/apiserver/serviceaccountadmission.h"
#include "engine/apiserver/serviceallocator.h"
#include "engine/apiserver/storageclassadmission.h"
#include "engine/apiserver/storageprotectionadmission.h"
#include "engine/auth/authenticator.h"
#include "engine/auth/kubeconfig.h"
#include "engine/auth/pki.h"
#include "engine/auth/serviceaccounttoken.h"
#include "engine/auth/tlscontext.h"
#include "engine/metricsapi/metricsapi.h"
#include "engine/nodeproxy/nodeproxy.h"
#include "engine/registry/server/registryservice.h"
#include "engine/server/allocator.h"
#include "engine/server/apiservice.h"
#include "engine/server/controllerset.h"
#include "engine/server/crdcontroller.h"
#include "engine/server/lifecycle.h"
#include "engine/store/store.h"
#include "engine/watchcache/watchcache.h"
#include "kube/types/typeregistry.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iterator>

namespace pilot::server {

Result<std::pair<std::string, uint16_t>> parseHostPort(const std::string& text) {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos) {
        return fail(ErrorCode::InvalidArgument, "expected HOST:PORT, got " + text);
    }
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    unsigned long port = 0;
    try {
        size_t used = 0;
        port = std::stoul(text.substr(colon + 1), &used);
        if (used != text.size() - colon - 1 || port > 65535) {
            throw std::out_of_range("port");
        }
    } catch (...) {
        return fail(ErrorCode::InvalidArgument, "invalid port in " + text);
    }
    return std::make_pair(host.empty() ? std::string("127.0.0.1") : host,
                          static_cast<uint16_t>(port));
}

struct Engine::Impl {
    EngineOptions options;
    SystemClock clock;
    std::optional<auth::Pki> pki;
    auth::Authenticator authenticator;
    std::shared_ptr<const auth::ServiceAccountTokens> serviceAccountTokens;
    std::shared_ptr<kube::TypeRegistry> types;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<watchcache::WatchCache> cache;
    std::unique_ptr<apiserver::ResourceService> service;
    apiserver::ApiMetrics metrics;
    std::shared_ptr<nodeproxy::NodeProxy> nodeProxy;
    std::unique_ptr<apiserver::ApiHandler> handler;
    std::unique_ptr<apiserver::HttpServer> http;
    std::unique_ptr<Lifecycle> lifecycle;
    std::unique_ptr<CrdController> crds;
    std::unique_ptr<apiserver::InProcessApiClient> controllerClient;
    std::unique_ptr<controllers::ControllerManager> controllers;
    std::shared_ptr<apiserver::ServiceAllocator> allocator;
    std::unique_ptr<registry::RegistryService> registry;
    std::string apiUrl;
    std::string registryUrl;
    bool started = false;
};

Engine::Engine(EngineOptions options) : m_impl(std::make_unique<Impl>()) {
    m_impl->options = std::move(options);
}

Engine::~Engine() {
    stop();
}

Status Engine::start() {
    Impl& d = *m_impl;
    std::error_code ec;
    std::filesystem::create_directories(d.options.dataDir, ec);
    if (ec) {
        return fail(ErrorCode::Unavailable,
                    fmt::format("cannot create data dir {}: {}", d.options.dataDir, ec.message()));
    }
    auto listen = parseHostPort(d.options.listen);
    if (!listen) {
        return std::unexpected(listen.error());
    }
    // The registry listens on the API host with a port of its own unless told otherwise.
    auto registryListen = parseHostPort(
        d.options.registryListen.empty() ? listen->first + ":0" : d.options.registryListen);
    if (!registryListen) {
        return std::unexpected(registryListen.error());
    }
    auto pki =
        auth::Pki::loadOrCreate(d.options.dataDir + "/pki", {listen->first, registryListen->first});
    if (!pki) {
        return std::unexpected(pki.error());
    }
    d.pki.emplace(std::move(*pki));
    auto saTokens = auth::ServiceAccountTokens::loadOrCreate(
        d.options.dataDir + "/pki", std::string(auth::ServiceAccountTokens::DefaultIssuer));
    if (!saTokens) {
        return std::unexpected(saTokens.error());
    }
    d.serviceAccountTokens = std::make_shared<auth::ServiceAccountTokens>(std::move(*saTokens));
    std::string tokens = d.options.dataDir + "/tokens.csv";
    if (std::filesystem::exists(tokens)) {
        if (auto status = d.authenticator.loadTokenFile(tokens); !status) {
            return status;
        }
    }

    d.types = kube::TypeRegistry::builtin();
    std::string storeUrl = d.options.storeUrl.empty()
                               ? "sqlite://" + d.options.dataDir + "/state.db"
                               : d.options.storeUrl;
    if (!storeUrl.starts_with("sqlite://")) {
        return fail(ErrorCode::InvalidArgument,
                    "unsupported --store " + storeUrl + " (supported: sqlite://PATH)");
    }
    d.store = store::makeSqliteStore(store::SqliteOptions{storeUrl.substr(9)});
    d.cache = std::make_unique<watchcache::WatchCache>(*d.store);
    for (const kube::ResourceTypePtr& type : d.types->all()) {
        if (!type->storageVersion) {
            continue; // served from the storage entry's cache
        }
        (void)d.cache->registerResource(type->storagePrefix, apiserver::selectableFields(*type));
    }
    d.store->setCommitObserver(d.cache->observer());
    if (auto status = d.store->open(); !status) {
        return status;
    }
    if (auto status = d.cache->load(); !status) {
        return status;
    }
    d.service = std::make_unique<apiserver::ResourceService>(*d.store, *d.cache, d.types, d.clock);
    if (auto services = d.types->byResource("", "v1", "services")) {
        d.allocator = std::make_shared<apiserver::ServiceAllocator>(d.service->cacheFor(*services),
                                                                    apiserver::ServiceNetwork{});
        d.service->addHook(d.allocator);
    }
    if (auto classes = d.types->byResource("scheduling.k8s.io", "v1", "priorityclasses")) {
        d.service->addHook(
            std::make_shared<apiserver::PriorityAdmission>(d.service->cacheFor(*classes)));
    }
    if (auto ranges = d.types->byResource("", "v1", "limitranges")) {
        d.service->addHook(
            std::make_shared<apiserver::LimitRangeAdmission>(d.service->cacheFor(*ranges)));
    }
    if (auto classes = d.types->byResource("storage.k8s.io", "v1", "storageclasses")) {
        d.service->addHook(
            std::make_shared<apiserver::StorageClassAdmission>(d.service->cacheFor(*classes)));
    }
    d.service->addHook(std::make_shared<apiserver::StorageProtectionAdmission>());
    d.service->addHook(std::make_shared<apiserver::ServiceAccountAdmission>(*d.service));
    // Last: quota charges what the hooks before it defaulted (LimitRange requests, ...).
    d.service->addHook(std::make_shared<apiserver::QuotaAdmission>(*d.service));
    d.lifecycle = std::make_unique<Lifecycle>(*d.service);
    if (auto status = d.lifecycle->bootstrap(); !status) {
        return status;
    }
    // The garbage collector finds custom resources through discovery on its own.
    d.crds = std::make_unique<CrdController>(*d.service, d.types, *d.cache,
                                             [](const kube::ResourceTypePtr&, bool) {});
    if (auto status = d.crds->start(); !status) {
        return status;
    }
    d.metrics.addCollector([&d](std::vector<apiserver::MetricFamily>& out) {
        auto append = [&out](std::vector<apiserver::MetricFamily> families) {
            std::ranges::move(families, std::back_inserter(out));
        };
        append(apiserver::storeMetrics(d.store->stats()));
        append(apiserver::cacheMetrics(d.cache->counts()));
        append(apiserver::processMetrics());
        append(heapMetrics());
    });
    d.handler = std::make_unique<apiserver::ApiHandler>(*d.service, d.types, d.metrics);
    d.handler->setServiceAccountTokens(d.serviceAccountTokens);
    // pods/log and pods/exec reach the node agents with a client certificate of their own, as
    // kube-apiserver's --kubelet-client-certificate.
    auto kubeletClient =
        d.pki->issueClientCert("kube-apiserver-kubelet-client",
                               {std::string(auth::Pki::AdminGroup)}, std::chrono::hours(24 * 365));
    if (!kubeletClient) {
        return std::unexpected(kubeletClient.error());
    }
    auto nodeProxy =
        nodeproxy::NodeProxy::create({.clientCertificatePem = kubeletClient->certificatePem,
                                      .clientKeyPem = kubeletClient->privateKeyPem});
    if (!nodeProxy) {
        return std::unexpected(nodeProxy.error());
    }
    d.nodeProxy = *nodeProxy;
    d.handler->setConnectHandler(d.nodeProxy);
    auto metrics = std::make_shared<metricsapi::MetricsApi>(
        *d.service,
        [proxy = d.nodeProxy](const boost::json::object& node) -> Result<std::string> {
            auto endpoint = nodeproxy::agentEndpoint(node);
            if (!endpoint) {
                return fail(ErrorCode::Unavailable, endpoint.error().message);
            }
            return proxy->fetch(*endpoint, "/stats/summary");
        },
        d.clock);
    d.handler->setVirtualResource("metrics.k8s.io", "nodes", metrics);
    d.handler->setVirtualResource("metrics.k8s.io", "pods", metrics);
    d.authenticator.setServiceAccountTokens(
        d.serviceAccountTokens,
        [&d](std::string_view resource, std::string_view ns,
             std::string_view name) -> std::optional<std::string> {
            kube::ResourceTypePtr type = d.types->byResource("", "v1", resource);
            std::string scope = type && type->namespaced ? std::string(ns) : std::string();
            auto object = type ? d.service->get(*type, scope, std::string(name))
                               : apiserver::ApiResult<watchcache::ObjectPtr>(nullptr);
            if (!object || !*object) {
                return std::nullopt;
            }
            return (*object)->uid;
        },
        d.clock);

    apiserver::HttpServerOptions httpOptions;
    httpOptions.host = listen->first;
    httpOptions.port = listen->second;
    auth::Pki& pkiRef = *d.pki;
    auto tls = [&pkiRef](ssl_ctx_st* ctx) { return auth::configureServerTls(ctx, pkiRef); };
    auto authenticate = [&d](apiserver::Request& request, ssl_st* ssl) {
        std::optional<auth::UserInfo> user = d.authenticator.fromSsl(ssl);
        if (!user) {
            if (const std::string* header = request.header("Authorization")) {
                user = d.authenticator.fromAuthorizationHeader(*header);
            }
        }
        if (user) {
            request.user = apiserver::User{user->name, user->groups};
        }
    };
    httpOptions.runsInline = [&d](const apiserver::Request& request) {
        return d.handler->runsInline(request);
    };
    d.http = std::make_unique<apiserver::HttpServer>(
        httpOptions, tls, authenticate,
        [&d](apiserver::Request& request) { return d.handler->handle(request); });
    auto port = d.http->start();
    if (!port) {
        return std::unexpected(port.error());
    }
    d.apiUrl = auth::serverUrlForListener(listen->first, *port);
    auto registry = registry::RegistryService::start({.dataDir = d.options.dataDir,
                                                      .host = registryListen->first,
                                                      .port = registryListen->second},
                                                     tls);
    if (!registry) {
        return std::unexpected(registry.error());
    }
    d.registry = std::move(*registry);
    d.registryUrl = auth::serverUrlForListener(registryListen->first, d.registry->port());
    if (auto status = auth::writeAdminKubeconfig(kubeconfigPath(), d.apiUrl, *d.pki); !status) {
        return status;
    }
    if (d.allocator) {
        if (auto status = ensureApiService(*d.service, d.allocator->network().apiServiceIp(),
                                           listen->first, *port);
            !status) {
            return status;
        }
    }
    // Controllers and the scheduler go through the same request pipeline as any client.
    if (d.options.controllers) {
        d.controllerClient = std::make_unique<apiserver::InProcessApiClient>(
            *d.handler, "pilothouse-controller-manager");
        d.controllers = std::make_unique<controllers::ControllerManager>(
            *d.controllerClient,
            builtinControllers({.volumeDir = d.options.dataDir + "/volumes",
                                .caFile = d.pki->files().caCertificate,
                                .cronJobTimeScale = d.options.cronJobTimeScale}),
            controllerManagerOptions());
        if (auto status = d.controllers->start(); !status) {
            return status;
        }
    }
    d.handler->setReady(true);
    d.started = true;
    return {};
}

void Engine::stop() {
    Impl& d = *m_impl;
    if (!d.started) {
        return;
    }
    d.started = false;
    if (d.handler) {
        d.handler->setReady(false);
    }
    if (d.controllers) {
        d.controllers->stop();
    }
    if (d.crds) {
        d.crds->stop();
    }
    if (d.cache) {
        d.cache->stopWatchers();
    }
    if (d.http) {
        d.http->stop();
    }
    if (d.registry) {
        d.registry->stop();
    }
    if (d.store) {
        d.store->close();
    }
}

const std::string& Engine::apiUrl() const {
    return m_impl->apiUrl;
}

std::string Engine::kubeconfigPath() const {
    return m_impl->options.dataDir + "/admin.kubeconfig";
}

std::string Engine::readyLine() const {
    std::string line = "ready api=" + m_impl->apiUrl;
    line += " registry=" + m_impl->registryUrl;
    line += " kubeconfig=" + kubeconfigPath();
    return line;
}

} // namespace pilot::server
