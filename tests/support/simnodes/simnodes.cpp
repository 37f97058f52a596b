#include "tests/support/simnodes/simnodes.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/random.h"
#include "kube/client/apiresource.h"
#include "kube/jsonutil.h"
#include "kube/objectmeta.h"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace pilot::testsupport {
namespace json = boost::json;
using kube::objectAt;
using kube::stringAt;

namespace {

std::string now() {
    return formatTime(SystemClock().now());
}

std::string nowMicro() {
    return formatMicroTime(SystemClock().now());
}

json::object condition(const char* type, const char* status, const std::string& when) {
    return {{"type", type},
            {"status", status},
            {"lastProbeTime", nullptr},
            {"lastTransitionTime", when}};
}

} // namespace

SimulatedNodes::SimulatedNodes(kube::ApiClient& client, SimulatedNodeOptions options)
    : m_client(client), m_options(std::move(options)) {}

SimulatedNodes::~SimulatedNodes() {
    stop();
}

std::vector<std::string> SimulatedNodes::nodeNames() const {
    return {m_nodes.begin(), m_nodes.end()};
}

void SimulatedNodes::silence(const std::string& node) {
    std::lock_guard lock(m_mutex);
    m_silenced.insert(node);
}

Status SimulatedNodes::registerNode(const std::string& name, int index) {
    std::string ip = fmt::format("10.250.{}.{}", (index / 250) % 250, index % 250 + 1);
    m_nodeIps[name] = ip;
    json::object labels{{"kubernetes.io/hostname", name},
                        {"kubernetes.io/os", "linux"},
                        {"kubernetes.io/arch", "amd64"},
                        {"beta.kubernetes.io/os", "linux"},
                        {"beta.kubernetes.io/arch", "amd64"}};
    for (const auto& [k, v] : m_options.labels) {
        labels[k] = v;
    }
    json::object resources{{"cpu", m_options.cpu},
                           {"memory", m_options.memory},
                           {"pods", m_options.pods},
                           {"ephemeral-storage", m_options.ephemeralStorage}};
    json::object node{{"apiVersion", "v1"},
                      {"kind", "Node"},
                      {"metadata", {{"name", name}, {"labels", labels}}},
                      {"spec", json::object()}};
    auto created = m_client.create(kube::resources::Nodes, "", node);
    if (!created && !kube::isAlreadyExists(created.error())) {
        return fail(ErrorCode::Internal, "register " + name + ": " + created.error().message);
    }
    std::string t = now();
    json::object status{
        {"capacity", resources},
        {"allocatable", resources},
        {"conditions",
         json::array{json::object{{"type", "MemoryPressure"},
                                  {"status", "False"},
                                  {"reason", "KubeletHasSufficientMemory"},
                                  {"message", "kubelet has sufficient memory available"},
                                  {"lastHeartbeatTime", t},
                                  {"lastTransitionTime", t}},
                     json::object{{"type", "DiskPressure"},
                                  {"status", "False"},
                                  {"reason", "KubeletHasNoDiskPressure"},
                                  {"message", "kubelet has no disk pressure"},
                                  {"lastHeartbeatTime", t},
                                  {"lastTransitionTime", t}},
                     json::object{{"type", "PIDPressure"},
                                  {"status", "False"},
                                  {"reason", "KubeletHasSufficientPID"},
                                  {"message", "kubelet has sufficient PID available"},
                                  {"lastHeartbeatTime", t},
                                  {"lastTransitionTime", t}},
                     json::object{{"type", "Ready"},
                                  {"status", "True"},
                                  {"reason", "KubeletReady"},
                                  {"message", "kubelet is posting ready status"},
                                  {"lastHeartbeatTime", t},
                                  {"lastTransitionTime", t}}}},
        {"addresses", json::array{json::object{{"type", "InternalIP"}, {"address", ip}},
                                  json::object{{"type", "Hostname"}, {"address", name}}}},
        {"nodeInfo",
         {{"machineID", randomHex(16)},
          {"systemUUID", newUuid()},
          {"bootID", newUuid()},
          {"kernelVersion", "6.1.0-simulated"},
          {"osImage", "Simulated node"},
          {"containerRuntimeVersion", "simulated://1.0"},
          {"kubeletVersion", "v1.32.0"},
          {"kubeProxyVersion", "v1.32.0"},
          {"operatingSystem", "linux"},
          {"architecture", "amd64"}}}};
    kube::PatchOptions options;
    options.subresource = "status";
    auto patched = m_client.patch(kube::resources::Nodes, "", name, kube::PatchType::Merge,
                                  json::serialize(json::object{{"status", status}}), options);
    if (!patched) {
        return fail(ErrorCode::Internal, "node status " + name + ": " + patched.error().message);
    }
    return {};
}

Status SimulatedNodes::start() {
    for (int i = 0; i < m_options.count; ++i) {
        std::string name = m_options.namePrefix + std::to_string(i);
        if (auto status = registerNode(name, i); !status) {
            return status;
        }
        m_nodes.insert(name);
    }
    renewLeases();
    m_started = true;
    m_leaseThread = std::thread([this] { leaseLoop(); });
    if (m_options.runPods) {
        kube::InformerOptions options;
        options.resource = kube::resources::Pods;
        m_pods = std::make_unique<kube::Informer>(m_client, std::move(options));
        auto enqueue = [this](const kube::ObjectPtr& pod) {
            std::string node = stringAt(objectAt(*pod, "spec"), "nodeName");
            if (m_nodes.contains(node)) {
                m_queue.add(std::string(kube::namespaceOf(*pod)) + "/" +
                            std::string(kube::name(*pod)));
            }
        };
        kube::InformerHandlers handlers;
        handlers.onAdd = enqueue;
        handlers.onUpdate = [enqueue](const kube::ObjectPtr&, const kube::ObjectPtr& pod) {
            enqueue(pod);
        };
        m_pods->addHandlers(std::move(handlers));
        m_pods->start();
        m_podWorker = std::thread([this] { podLoop(); });
    }
    return {};
}

void SimulatedNodes::stop() {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping || !m_started) {
            return;
        }
        m_stopping = true;
    }
    m_wake.notify_all();
    m_queue.shutDown();
    if (m_pods) {
        m_pods->stop();
    }
    if (m_podWorker.joinable()) {
        m_podWorker.join();
    }
    if (m_leaseThread.joinable()) {
        m_leaseThread.join();
    }
}

void SimulatedNodes::renewLeases() {
    std::string renew = nowMicro();
    for (const std::string& node : m_nodes) {
        {
            std::lock_guard lock(m_mutex);
            if (m_silenced.contains(node)) {
                continue;
            }
        }
        json::object lease{
            {"apiVersion", "coordination.k8s.io/v1"},
            {"kind", "Lease"},
            {"metadata", {{"name", node}, {"namespace", "kube-node-lease"}}},
            {"spec",
             {{"holderIdentity", node}, {"leaseDurationSeconds", 40}, {"renewTime", renew}}}};
        kube::PatchOptions options;
        options.fieldManager = "simulated-node";
        options.force = true;
        auto applied = m_client.patch(kube::resources::Leases, "kube-node-lease", node,
                                      kube::PatchType::Apply, json::serialize(lease), options);
        if (!applied) {
            log::warn("simnodes", "lease {}: {}", node, applied.error().message);
        }
    }
}

void SimulatedNodes::leaseLoop() {
    std::unique_lock lock(m_mutex);
    while (!m_wake.wait_for(lock, m_options.leaseRenewInterval, [this] { return m_stopping; })) {
        lock.unlock();
        renewLeases();
        lock.lock();
    }
}

void SimulatedNodes::podLoop() {
    while (auto key = m_queue.get()) {
        if (auto status = handlePod(*key); !status) {
            m_queue.addRateLimited(*key);
        } else {
            m_queue.forget(*key);
        }
        m_queue.done(*key);
    }
}

std::string SimulatedNodes::podIp(const std::string& uid) {
    std::lock_guard lock(m_mutex);
    auto [it, inserted] = m_podIps.emplace(uid, std::string());
    if (inserted) {
        uint32_t n = m_nextIp++;
        it->second = fmt::format("10.244.{}.{}", (n / 250) % 250, n % 250 + 1);
    }
    return it->second;
}

Status SimulatedNodes::handlePod(const std::string& key) {
    auto pod = m_pods->cache().get(key);
    if (!pod) {
        return {};
    }
    const json::object& object = *pod;
    std::string ns(kube::namespaceOf(object));
    std::string name(kube::name(object));
    std::string uid(kube::uid(object));
    if (kube::hasDeletionTimestamp(object)) {
        // The kubelet's final delete once the containers are gone.
        kube::DeleteOptions options;
        options.gracePeriodSeconds = 0;
        options.preconditionUid = uid;
        auto removed = m_client.remove(kube::resources::Pods, ns, name, options);
        if (!removed && !kube::isNotFound(removed.error()) && !kube::isConflict(removed.error())) {
            return fail(ErrorCode::Internal, removed.error().message);
        }
        return {};
    }
    const json::object* spec = objectAt(object, "spec");
    const json::object* status = objectAt(object, "status");
    std::string phase = stringAt(status, "phase");
    std::string restart = stringAt(spec, "restartPolicy");
    bool runToCompletion = restart == "Never" || restart == "OnFailure";
    std::string target = "Running";
    if (phase == "Running" && runToCompletion && m_options.completeRunToCompletionPods) {
        target = "Succeeded";
    } else if (phase == "Running" || phase == "Succeeded" || phase == "Failed") {
        return {};
    }
    bool running = target == "Running";
    std::string t = now();
    json::array statuses;
    if (const json::array* containers = spec ? kube::arrayAt(*spec, "containers") : nullptr) {
        for (const json::value& c : *containers) {
            const json::object& container = c.as_object();
            json::object state = running ? json::object{{"running", {{"startedAt", t}}}}
                                         : json::object{{"terminated",
                                                         {{"exitCode", 0},
                                                          {"reason", "Completed"},
                                                          {"startedAt", t},
                                                          {"finishedAt", t},
                                                          {"containerID", "simulated://" + uid}}}};
            statuses.push_back(json::object{
                {"name", stringAt(container, "name")},
                {"image", stringAt(container, "image")},
                {"imageID", "simulated://" + stringAt(container, "image")},
                {"containerID", "simulated://" + uid + "/" + stringAt(container, "name")},
                {"ready", running},
                {"started", running},
                {"restartCount", 0},
                {"state", std::move(state)}});
        }
    }
    std::string ip = podIp(uid);
    std::string node = stringAt(spec, "nodeName");
    const char* ready = running ? "True" : "False";
    json::object newStatus{
        {"phase", target},
        {"conditions",
         json::array{condition("PodReadyToStartContainers", "True", t),
                     condition("Initialized", "True", t), condition("Ready", ready, t),
                     condition("ContainersReady", ready, t), condition("PodScheduled", "True", t)}},
        {"hostIP", m_nodeIps[node]},
        {"hostIPs", json::array{json::object{{"ip", m_nodeIps[node]}}}},
        {"podIP", ip},
        {"podIPs", json::array{json::object{{"ip", ip}}}},
        {"startTime", stringAt(status, "startTime").empty() ? t : stringAt(status, "startTime")},
        {"containerStatuses", std::move(statuses)},
        {"qosClass",
         stringAt(status, "qosClass").empty() ? "BestEffort" : stringAt(status, "qosClass")}};
    kube::PatchOptions options;
    options.subresource = "status";
    options.fieldManager = "simulated-node";
    auto patched =
        m_client.patch(kube::resources::Pods, ns, name, kube::PatchType::Merge,
                       json::serialize(json::object{{"status", std::move(newStatus)}}), options);
    if (!patched && !kube::isNotFound(patched.error())) {
        return fail(ErrorCode::Internal, patched.error().message);
    }
    return {};
}

} // namespace pilot::testsupport
