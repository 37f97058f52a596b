#pragma once

#include "engine/scheduler/podinfo.h"
#include "engine/scheduler/resources.h"
#include "engine/scheduler/taints.h"
#include "kube/client/indexedcache.h"

#include <boost/json/object.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::scheduler {

/// What the scheduler reads from a Node, parsed once per informer event.
struct NodeSpec {
    kube::ObjectPtr object;
    std::string name;
    boost::json::object labels;
    std::vector<Taint> taints;
    bool unschedulable = false;
    Resource allocatable; ///< status.allocatable (pods in allowedPods).
    /// Images on the node (status.images): every name with the image's size in bytes.
    std::vector<std::pair<std::string, int64_t>> images;

    /// The value of a label, or nullopt.
    [[nodiscard]] std::optional<std::string_view> label(std::string_view key) const;
};

using NodeSpecPtr = std::shared_ptr<const NodeSpec>;

[[nodiscard]] NodeSpecPtr makeNodeSpec(kube::ObjectPtr node);

/// Whether two versions of a node differ in anything filters or scores read (labels, taints,
/// unschedulable, allocatable); heartbeats and conditions do not count.
[[nodiscard]] bool schedulingRelevantChange(const NodeSpec& before, const NodeSpec& after);

/// A node as the scheduler accounts it: the node (null while only pods name it), the pods
/// bound or assumed on it and what they use. Owned by SchedulerCache; not thread-safe.
class NodeInfo {
public:
    explicit NodeInfo(std::string name) : m_name(std::move(name)) {}

    [[nodiscard]] const std::string& name() const { return m_name; }
    [[nodiscard]] const NodeSpec* node() const { return m_node.get(); }
    [[nodiscard]] const NodeSpecPtr& nodePtr() const { return m_node; }
    void setNode(NodeSpecPtr node) { m_node = std::move(node); }

    [[nodiscard]] const std::vector<PodInfoPtr>& pods() const { return m_pods; }
    void addPod(const PodInfoPtr& pod);
    /// Removes the pod with this uid; returns it (nullptr when absent).
    PodInfoPtr removePod(std::string_view uid);

    /// Sum of the pods' requests.
    [[nodiscard]] const Resource& requested() const { return m_requested; }
    /// Sum of the pods' requests with the 100m/200Mi floor (LeastAllocated scoring).
    [[nodiscard]] int64_t nonZeroMilliCpu() const { return m_nonZeroMilliCpu; }
    [[nodiscard]] int64_t nonZeroMemory() const { return m_nonZeroMemory; }
    [[nodiscard]] const std::vector<HostPort>& usedPorts() const { return m_usedPorts; }
    [[nodiscard]] bool portsConflict(const std::vector<HostPort>& wanted) const;
    /// Pods here with required anti-affinity terms.
    [[nodiscard]] int podsWithRequiredAntiAffinity() const { return m_podsWithAntiAffinity; }

    /// Index of this node in the cache's node list (scheduling order), -1 when not listed.
    int listIndex = -1;

private:
    void account(const PodInfo& pod, int64_t sign);

    std::string m_name;
    NodeSpecPtr m_node;
    std::vector<PodInfoPtr> m_pods;
    Resource m_requested;
    int64_t m_nonZeroMilliCpu = 0;
    int64_t m_nonZeroMemory = 0;
    std::vector<HostPort> m_usedPorts;
    int m_podsWithAntiAffinity = 0;
};

} // namespace pilot::scheduler
