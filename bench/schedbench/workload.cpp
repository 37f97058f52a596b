#include "bench/schedbench/workload.h"

#include <fmt/format.h>

#include <atomic>
#include <mutex>
#include <thread>

namespace pilot::schedbench {

namespace json = boost::json;

json::object simulatedNode(int index) {
    std::string name = fmt::format("node-{:05}", index);
    json::object resources{
        {"cpu", "32"}, {"memory", "128Gi"}, {"pods", "110"}, {"ephemeral-storage", "100Gi"}};
    return json::object{
        {"apiVersion", "v1"},
        {"kind", "Node"},
        {"metadata", json::object{{"name", name},
                                  {"labels", json::object{{"kubernetes.io/hostname", name},
                                                          {"kubernetes.io/os", "linux"},
                                                          {"topology.kubernetes.io/zone",
                                                           fmt::format("zone-{}", index % 10)}}}}},
        {"spec", json::object()},
        {"status", json::object{{"capacity", resources},
                                {"allocatable", resources},
                                {"conditions", json::array{json::object{{"type", "Ready"},
                                                                        {"status", "True"}}}}}}};
}

std::string groupOf(int index, const Workload& workload) {
    return fmt::format("group-{}", index / std::max(1, workload.groupSize));
}

json::object benchPod(int index, const Workload& workload) {
    std::string group = groupOf(index, workload);
    json::object requests{{"cpu", "100m"}, {"memory", "128Mi"}};
    json::object container{{"name", "pause"},
                           {"image", "registry.k8s.io/pause:3.10"},
                           {"resources", json::object{{"requests", requests}}}};
    json::object spec{{"containers", json::array{container}}};
    if (workload.antiAffinity) {
        spec["affinity"] = json::object{
            {"podAntiAffinity",
             json::object{{"requiredDuringSchedulingIgnoredDuringExecution",
                           json::array{json::object{
                               {"labelSelector",
                                json::object{{"matchLabels", json::object{{"group", group}}}}},
                               {"topologyKey", "kubernetes.io/hostname"}}}}}}};
    }
    return json::object{{"apiVersion", "v1"},
                        {"kind", "Pod"},
                        {"metadata", json::object{{"name", fmt::format("pod-{:05}", index)},
                                                  {"namespace", Namespace},
                                                  {"labels", json::object{{"app", "schedbench"},
                                                                          {"group", group}}}}},
                        {"spec", std::move(spec)}};
}

Status createAll(kube::ApiClient& client, const kube::ApiResource& resource, const std::string& ns,
                 const std::vector<json::object>& objects, int threads) {
    std::atomic<size_t> next{0};
    std::mutex mutex;
    std::string firstError;
    auto work = [&] {
        while (true) {
            size_t i = next.fetch_add(1);
            if (i >= objects.size()) {
                return;
            }
            auto created = client.create(resource, ns, objects[i]);
            const json::value* wanted = objects[i].if_contains("status");
            const json::value* got = created ? created->if_contains("status") : nullptr;
            if (created && wanted != nullptr && (got == nullptr || *got != *wanted)) {
                // The API server drops status on create (as kube-apiserver does for most
                // kinds); nodes report theirs through the status subresource.
                json::object withStatus = std::move(*created);
                withStatus["status"] = *wanted;
                created = client.updateStatus(resource, withStatus);
            }
            if (!created) {
                std::lock_guard lock(mutex);
                if (firstError.empty()) {
                    firstError = created.error().message;
                }
                next = objects.size();
                return;
            }
        }
    };
    std::vector<std::thread> workers;
    for (int t = 0; t < std::max(1, threads); ++t) {
        workers.emplace_back(work);
    }
    for (std::thread& w : workers) {
        w.join();
    }
    if (!firstError.empty()) {
        return fail(ErrorCode::Internal, "creating " + resource.resource + ": " + firstError);
    }
    return {};
}

} // namespace pilot::schedbench
