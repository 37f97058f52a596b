#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace pilot::bench {

/// The annotation a watch-phase pod carries: steady-clock nanoseconds when it was sent.
inline constexpr std::string_view SentAnnotation = "bench.pilothouse.dev/sent-ns";

/// Request bodies and paths the phases send. Object bodies are compact JSON.
namespace workload {

[[nodiscard]] std::string namespaceJson(std::string_view name);

/// A ConfigMap whose single data value is `valueSize` bytes (varied by `seq`).
[[nodiscard]] std::string configMapJson(std::string_view name, std::size_t valueSize,
                                        std::uint64_t seq);

/// A minimal valid pod: one container with a name and an image; optional sent-time annotation.
[[nodiscard]] std::string podJson(std::string_view name, std::int64_t sentNs = -1);

/// etcd v3 JSON gateway body for /v3/kv/put (key and value base64-encoded).
[[nodiscard]] std::string etcdPutJson(std::string_view key, std::string_view value);

[[nodiscard]] std::string collectionPath(std::string_view ns, std::string_view resource);
[[nodiscard]] std::string objectPath(std::string_view ns, std::string_view resource,
                                     std::string_view name);

/// Steady-clock time as nanoseconds since its epoch (same process: comparable across threads).
[[nodiscard]] std::int64_t steadyNowNs();

} // namespace workload
} // namespace pilot::bench
