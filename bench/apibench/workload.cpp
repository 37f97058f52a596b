#include "bench/apibench/workload.h"

#include "core/base64.h"

#include <boost/json.hpp>
#include <fmt/format.h>

namespace pilot::bench::workload {

namespace json = boost::json;

std::string namespaceJson(std::string_view name) {
    return json::serialize(json::object{
        {"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", json::object{{"name", name}}}});
}

std::string configMapJson(std::string_view name, std::size_t valueSize, std::uint64_t seq) {
    std::string value = fmt::format("{:016x}", seq);
    value.resize(std::max(valueSize, value.size()), 'x');
    return json::serialize(json::object{{"apiVersion", "v1"},
                                        {"kind", "ConfigMap"},
                                        {"metadata", json::object{{"name", name}}},
                                        {"data", json::object{{"value", value}}}});
}

std::string podJson(std::string_view name, std::int64_t sentNs) {
    json::object metadata{{"name", name}, {"labels", json::object{{"app", "bench"}}}};
    if (sentNs >= 0) {
        metadata["annotations"] = json::object{{SentAnnotation, std::to_string(sentNs)}};
    }
    json::object container{{"name", "main"}, {"image", "registry.local/bench/app:1.0"}};
    // Addressed to a scheduler that does not run: the phases measure the API server, and
    // the bundled scheduler would otherwise write a status and an event for every pod that
    // cannot land on the (absent) nodes, as kube-scheduler would.
    return json::serialize(
        json::object{{"apiVersion", "v1"},
                     {"kind", "Pod"},
                     {"metadata", std::move(metadata)},
                     {"spec", json::object{{"schedulerName", "pilot-apibench-unscheduled"},
                                           {"containers", json::array{container}}}}});
}

std::string etcdPutJson(std::string_view key, std::string_view value) {
    return json::serialize(
        json::object{{"key", base64Encode(key)}, {"value", base64Encode(value)}});
}

std::string collectionPath(std::string_view ns, std::string_view resource) {
    return fmt::format("/api/v1/namespaces/{}/{}", ns, resource);
}

std::string objectPath(std::string_view ns, std::string_view resource, std::string_view name) {
    return fmt::format("/api/v1/namespaces/{}/{}/{}", ns, resource, name);
}

std::int64_t steadyNowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace pilot::bench::workload
