#pragma once

#include "engine/scheduler/affinityindex.h"
#include "engine/scheduler/nodeinfo.h"
#include "engine/scheduler/podinfo.h"

#include <boost/json/object.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace pilot::scheduler {

/// The scheduler's view of the cluster: nodes with the pods bound or assumed on them, kept up
/// to date incrementally (no per-cycle snapshot copy), plus the indexes the affinity plugins
/// use. A pod the scheduler has sent for binding is "assumed": it counts against its node until
/// the informer confirms the binding or the binding fails and the pod is forgotten.
///
/// Not thread-safe: one thread (the scheduling loop) owns it; other threads hand it changes
/// through the Scheduler's inbox.
class SchedulerCache {
public:
    SchedulerCache() = default;
    SchedulerCache(const SchedulerCache&) = delete;
    SchedulerCache& operator=(const SchedulerCache&) = delete;

    void upsertNode(NodeSpecPtr node);
    void removeNode(const std::string& name);

    /// An assigned pod from the informer: added, updated, or confirming an assumed pod. A pod
    /// that finished (Succeeded/Failed) is removed instead.
    void addOrUpdatePod(const PodInfoPtr& pod);
    void removePod(const std::string& uid);

    /// Accounts `assumed` (a pod with nodeName set) on its node before the binding is known.
    void assumePod(const PodInfoPtr& assumed);
    /// Drops an assumed pod whose binding failed; confirmed pods are left alone.
    void forgetPod(const std::string& uid);
    [[nodiscard]] bool isAssumed(const std::string& uid) const;
    /// The cached (assigned or assumed) pod with this uid, or nullptr.
    [[nodiscard]] PodInfoPtr pod(const std::string& uid) const;

    void setNamespaceLabels(const std::string& ns, boost::json::object labels);
    void removeNamespace(const std::string& ns);
    /// A namespace's labels (nullptr when unknown).
    [[nodiscard]] const boost::json::object* namespaceLabels(std::string_view ns) const;

    /// Records that `pod` waits for room on `node` (status.nominatedNodeName); an empty node
    /// clears it.
    void setNomination(const PodInfoPtr& pod, const std::string& node);
    void clearNomination(const std::string& uid);
    /// Pods nominated to a node (empty when none).
    [[nodiscard]] const std::vector<PodInfoPtr>& nominatedPods(const std::string& node) const;
    [[nodiscard]] std::string nominatedNode(const std::string& uid) const;
    [[nodiscard]] bool hasNominations() const { return !m_nominated.empty(); }

    /// Nodes with a Node object, in scheduling order.
    [[nodiscard]] const std::vector<NodeInfo*>& nodes() const { return m_list; }
    [[nodiscard]] NodeInfo* nodeInfo(std::string_view name);
    [[nodiscard]] const NodeInfo* nodeInfo(std::string_view name) const;
    [[nodiscard]] size_t podCount() const { return m_pods.size(); }

    /// How many nodes report an image (ImageLocality's spread); 0 when none.
    [[nodiscard]] int nodesWithImage(const std::string& image) const;
    [[nodiscard]] bool anyImages() const { return !m_imageNodes.empty(); }

    [[nodiscard]] const LabelIndex& labelIndex() const { return m_labels; }
    [[nodiscard]] const TermIndex& termIndex() const { return m_terms; }

private:
    struct PodState {
        PodInfoPtr pod;
        bool assumed = false;
    };

    NodeInfo& nodeFor(const std::string& name);
    void placePod(const PodInfoPtr& pod);
    void unplacePod(const PodInfoPtr& pod);
    void dropNodeIfEmpty(const std::string& name);
    void unlist(NodeInfo& info);
    void countImages(const NodeSpec* node, int sign);

    std::unordered_map<std::string, std::unique_ptr<NodeInfo>> m_nodes;
    std::vector<NodeInfo*> m_list;
    std::unordered_map<std::string, PodState> m_pods; // by uid
    std::unordered_map<std::string, boost::json::object> m_namespaces;
    std::unordered_map<std::string, std::vector<PodInfoPtr>> m_nominated; // by node
    std::unordered_map<std::string, std::string> m_nominatedNode;         // uid -> node
    std::unordered_map<std::string, int> m_imageNodes;
    LabelIndex m_labels;
    TermIndex m_terms;
};

} // namespace pilot::scheduler
