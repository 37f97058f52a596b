#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pilot::scheduler {

/// What the scheduler assumes a container without a cpu/memory request uses when spreading
/// (upstream's DefaultMilliCPURequest and DefaultMemoryRequest).
constexpr int64_t DefaultMilliCpuRequest = 100;
constexpr int64_t DefaultMemoryRequest = 200LL * 1024 * 1024;

/// Compute resources in the units the scheduler compares: millicores, bytes, counts. Scalar
/// resources (extended resources such as `nvidia.com/gpu`, `hugepages-*`) are kept in a small
/// sorted list because most pods and nodes have none.
struct Resource {
    int64_t milliCpu = 0;
    int64_t memory = 0;
    int64_t ephemeralStorage = 0;
    int64_t allowedPods = 0;
    std::vector<std::pair<std::string, int64_t>> scalars; // sorted by name

    [[nodiscard]] int64_t scalar(std::string_view name) const;
    void addScalar(std::string_view name, int64_t value);
    /// Adds (`sign` 1) or subtracts (`sign` -1) every resource of `other`.
    void add(const Resource& other, int64_t sign = 1);
    /// Each resource becomes the larger of the two.
    void setMax(const Resource& other);
    [[nodiscard]] bool requestsNothing() const;
};

/// Whether a resource name is one the scheduler tracks as a scalar: extended resources
/// (`example.com/foo`), prefixed native ones (`*kubernetes.io/*`) and `hugepages-*`.
[[nodiscard]] bool isScalarResourceName(std::string_view name);

/// Reads a ResourceList (`{"cpu":"500m","memory":"1Gi"}`): cpu in millicores, the rest in
/// units. Unparseable quantities and non-scalar unknown names are ignored.
[[nodiscard]] Resource resourceListOf(const boost::json::object* list);

/// A pod's requests as the scheduler accounts them.
struct PodRequests {
    /// max(sum of containers and sidecars, max over init containers of that init container
    /// plus the sidecars started before it) plus spec.overhead.
    Resource requests;
    /// The same with 100m cpu / 200Mi memory for containers that request none; used to spread
    /// best-effort pods when scoring.
    int64_t nonZeroMilliCpu = 0;
    int64_t nonZeroMemory = 0;
};

/// Computes the requests of a pod spec (upstream's resourcehelper.PodRequests).
[[nodiscard]] PodRequests podRequests(const boost::json::object& spec);

} // namespace pilot::scheduler
