#include "nodeagent/agent/agent.h"

#include "core/log.h"
#include "kube/client/apiresource.h"
#include "kube/client/httpclient.h"
#include "kube/client/kubeconfig.h"
#include "kube/jsonutil.h"
#include "nodeagent/agent/agentbackend.h"
#include "nodeagent/agent/imagegcmanager.h"
#include "nodeagent/agent/kubeletevents.h"
#include "nodeagent/agent/runtimeselection.h"
#include "nodeagent/image/registryhosts.h"
#include "nodeagent/metrics/statsprovider.h"
#include "nodeagent/node/nodemanager.h"
#include "nodeagent/node/nodestatus.h"
#include "nodeagent/node/systeminfo.h"
#include "nodeagent/pod/podmanager.h"
#include "nodeagent/pod/serviceenv.h"
#include "nodeagent/runtime/containermonitor.h"
#include "nodeagent/runtime/executor.h"
#include "nodeagent/runtime/fileutil.h"
#include "nodeagent/server/agentserver.h"
#include "nodeagent/server/servingcert.h"
#include "nodeagent/volume/volumesources.h"

#include <fmt/format.h>

#include <climits>
#include <cstdlib>
#include <thread>

namespace pilot::agent {

namespace {

constexpr const char* Component = "agent";
constexpr auto LeaseRenewInterval = std::chrono::seconds(10);
constexpr auto StatusInterval = std::chrono::seconds(10);
constexpr auto SampleInterval = std::chrono::seconds(10);

std::string absolute(const std::string& path) {
    char resolved[PATH_MAX];
    if (::realpath(path.c_str(), resolved)) {
        return resolved;
    }
    return path;
}

} // namespace

Agent::Agent(AgentOptions options) : m_options(std::move(options)) {}

Agent::~Agent() {
    stop();
}

std::string Agent::readyLine() const {
    return fmt::format("ready node={} runtime={}", m_options.nodeName,
                       m_runtime ? m_runtime->kind() : "none");
}

Status Agent::start() {
    if (auto made = makeDirectories(m_options.dataDir, 0711); !made) {
        return made;
    }
    m_options.dataDir = absolute(m_options.dataDir);
    auto config = kube::loadKubeconfig(m_options.kubeconfig, m_options.context);
    if (!config) {
        return std::unexpected(config.error());
    }
    kube::HttpClientOptions clientOptions;
    clientOptions.userAgent = fmt::format("pilothouse-agent/0.1.0 ({})", m_options.nodeName);
    clientOptions.fieldManager = "kubelet";
    auto client = kube::HttpApiClient::fromKubeconfig(*config, clientOptions);
    if (!client) {
        return std::unexpected(client.error());
    }
    m_client = std::move(*client);
    if (m_options.nodeIp.empty()) {
        m_options.nodeIp = defaultNodeIp();
    }

    RuntimeOptions runtimeOptions;
    runtimeOptions.dataDir = m_options.dataDir;
    runtimeOptions.nodeName = m_options.nodeName;
    runtimeOptions.nodeIp = m_options.nodeIp;
    runtimeOptions.monitorCommand = containerMonitorCommand();
    runtimeOptions.registryMirrors = m_options.registryMirrors;
    // The cluster's CA is trusted for registries too: it signs the bundled registry's serving
    // certificate, and whoever holds it can already tell this agent what to run (it
    // authenticates the API server), so trusting it for image pulls grants no more.
    runtimeOptions.registryCaPem = config->certificateAuthorityPem;
    if (!m_options.registryCa.empty()) {
        auto bundle = image::readCaBundle(m_options.registryCa);
        if (!bundle) {
            return std::unexpected(bundle.error());
        }
        if (!runtimeOptions.registryCaPem.empty() &&
            !runtimeOptions.registryCaPem.ends_with('\n')) {
            runtimeOptions.registryCaPem += '\n';
        }
        runtimeOptions.registryCaPem += *bundle;
    }
    runtimeOptions.insecureRegistries = m_options.insecureRegistries;
    runtimeOptions.registryLoopbackInsecure = !m_options.registryVerifyLoopback;
    auto runtime = selectRuntime(m_options.runtime, runtimeOptions);
    if (!runtime) {
        return std::unexpected(runtime.error());
    }
    m_runtime = std::move(*runtime);
    m_pool = std::make_unique<WorkerPool>();

    m_events = std::make_unique<KubeletEvents>(*m_client, m_options.nodeName);
    m_sources = std::make_unique<ApiVolumeSources>(*m_client);
    PodManagerOptions podOptions;
    podOptions.nodeName = m_options.nodeName;
    podOptions.podsDir = m_options.dataDir + "/pods";
    podOptions.worker.nodeName = m_options.nodeName;
    podOptions.worker.nodeIp = m_options.nodeIp;
    podOptions.worker.logsDir = m_options.dataDir + "/logs";
    boost::json::object allocatable =
        nodeAllocatable(collectSystemInfo(m_options.dataDir), m_options.evictionHard);
    podOptions.worker.nodeAllocatable = [allocatable] { return allocatable; };
    podOptions.worker.serviceEnv = [this](const std::string& ns) { return serviceEnv(ns); };
    m_pods = std::make_unique<PodManager>(*m_client, *m_runtime, *m_pool, *m_events, *m_sources,
                                          std::move(podOptions));
    m_stats =
        std::make_unique<StatsProvider>(m_options.nodeName, m_options.dataDir, *m_runtime, *m_pods);
    m_backend = std::make_unique<AgentBackend>(*m_pods, *m_runtime, *m_stats);
    auto serving = ensureServingCertificate(m_options.dataDir + "/pki", m_options.nodeName,
                                            {m_options.nodeIp});
    if (!serving) {
        return std::unexpected(serving.error());
    }
    AgentServerOptions serverOptions;
    serverOptions.port = static_cast<uint16_t>(m_options.port);
    serverOptions.certificatePem = serving->certificatePem;
    serverOptions.keyPem = serving->keyPem;
    serverOptions.clientCaPem = config->certificateAuthorityPem;
    m_server = std::make_unique<AgentServer>(std::move(serverOptions), *m_backend);
    auto port = m_server->start();
    if (!port) {
        return std::unexpected(port.error());
    }

    NodeManagerOptions nodeOptions;
    nodeOptions.identity.name = m_options.nodeName;
    nodeOptions.identity.nodeIp = m_options.nodeIp;
    nodeOptions.identity.port = *port;
    nodeOptions.identity.runtimeVersion = m_runtime->version();
    nodeOptions.dataDir = m_options.dataDir;
    nodeOptions.eviction = m_options.evictionHard;
    nodeOptions.images = [this] {
        auto images = m_runtime->listImages();
        return images ? *images : std::vector<ImageInfo>{};
    };
    m_node = std::make_unique<NodeManager>(*m_client, std::move(nodeOptions));

    auto delay = std::chrono::milliseconds(200);
    while (true) {
        auto registered = m_node->registerNode();
        if (registered) {
            break;
        }
        if (m_stopping) {
            return fail(ErrorCode::Unavailable, "stopped before the node was registered");
        }
        log::warn(Component, "{}; retrying in {} ms", registered.error().message, delay.count());
        std::this_thread::sleep_for(delay);
        delay = std::min(delay * 2, std::chrono::milliseconds(7000));
    }
    // kubelet's start-up events on its Node (involvedObject uid = the node's name, as kubelet's).
    boost::json::object nodeRef{{"apiVersion", "v1"},
                                {"kind", "Node"},
                                {"metadata", boost::json::object{{"name", m_options.nodeName},
                                                                 {"uid", m_options.nodeName}}}};
    m_events->record(nodeRef, "Normal", "Starting", "Starting kubelet.");
    for (const char* condition : {"NodeHasSufficientMemory", "NodeHasNoDiskPressure",
                                  "NodeHasSufficientPID", "NodeReady"}) {
        m_events->record(nodeRef, "Normal", condition,
                         fmt::format("Node {} status is now: {}", m_options.nodeName, condition));
    }
    if (auto renewed = m_node->renewLease(); !renewed) {
        log::warn(Component, "{}", renewed.error().message);
    }
    m_pool->postAfter(LeaseRenewInterval, [this] { heartbeat(); });

    if (auto adopted = m_pods->adopt(); !adopted) {
        log::warn(Component, "adopting running containers: {}", adopted.error().message);
    }
    m_pods->start();
    if (!m_pods->waitForSync(std::chrono::steady_clock::now() + std::chrono::seconds(30))) {
        log::warn(Component, "the pod informer has not synced yet");
    }
    m_pool->postAfter(StatusInterval, [this] { reportStatus(); });
    m_pool->postAfter(SampleInterval, [this] { sample(); });
    ImageGcPolicy gcPolicy;
    gcPolicy.highThresholdPercent = m_options.imageGcHighThreshold;
    gcPolicy.lowThresholdPercent = m_options.imageGcLowThreshold;
    m_imageGc = std::make_unique<ImageGcManager>(*m_runtime, *m_events, nodeRef, gcPolicy);
    if (m_imageGc->enabled()) {
        // Like kubelet (wait.Until runs its function at once), the first collection runs at
        // start: the runtime has loaded its containers and adopt() ran, so images in use are
        // known. collectImages() schedules the next one a period later.
        m_pool->post([this] { collectImages(); });
    }
    log::info(Component, "node {} registered (runtime {}, InternalIP {})", m_options.nodeName,
              m_runtime->kind(), m_options.nodeIp);
    return {};
}

void Agent::heartbeat() {
    if (m_stopping) {
        return;
    }
    if (auto renewed = m_node->renewLease(); !renewed) {
        log::warn(Component, "{}", renewed.error().message);
    }
    m_pool->postAfter(LeaseRenewInterval, [this] { heartbeat(); });
}

void Agent::sample() {
    if (m_stopping) {
        return;
    }
    m_stats->sample();
    m_pool->postAfter(SampleInterval, [this] { sample(); });
}

void Agent::collectImages() {
    if (m_stopping) {
        return;
    }
    if (auto freed = m_imageGc->garbageCollect(); !freed) {
        log::warn(Component, "image garbage collection: {}", freed.error().message);
    }
    m_pool->postAfter(m_imageGc->policy().period, [this] { collectImages(); });
}

void Agent::reportStatus() {
    if (m_stopping) {
        return;
    }
    if (auto synced = m_node->syncStatus(); !synced) {
        log::warn(Component, "{}", synced.error().message);
    }
    m_pool->postAfter(StatusInterval, [this] { reportStatus(); });
}

void Agent::stop() {
    if (m_stopping.exchange(true)) {
        return;
    }
    if (m_server) {
        m_server->stop();
    }
    if (m_pods) {
        m_pods->stop();
    }
    if (m_pool) {
        m_pool->stop();
    }
    if (m_events) {
        m_events->stop();
    }
}

std::vector<std::pair<std::string, std::string>> Agent::serviceEnv(const std::string& ns) {
    // kubelet's getServiceEnvVarMap: the master Service (`kubernetes` in `default`, which
    // rarely changes: cached for a minute) and, with service links, the pod namespace's
    // Services as they are now (a Service created just before the pod counts).
    std::vector<boost::json::object> services;
    {
        std::lock_guard lock(m_serviceMutex);
        auto now = std::chrono::steady_clock::now();
        if (!m_masterService || now - m_masterServiceAt >= std::chrono::minutes(1)) {
            if (auto service = m_client->get(kube::resources::Services, "default", "kubernetes")) {
                m_masterService = std::move(*service);
                m_masterServiceAt = now;
            }
        }
        if (m_masterService) {
            services.push_back(*m_masterService);
        }
    }
    if (!ns.empty()) {
        if (auto list = m_client->list(kube::resources::Services, ns)) {
            for (boost::json::object& service : list->items) {
                services.push_back(std::move(service));
            }
        } else {
            log::warn(Component, "listing the services of {}: {}", ns, list.error().message);
        }
    }
    return serviceEnvironment(services, ns, !ns.empty());
}

} // namespace pilot::agent
