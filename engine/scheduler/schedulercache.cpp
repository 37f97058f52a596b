#include "engine/scheduler/schedulercache.h"

#include <algorithm>

namespace pilot::scheduler {

namespace json = boost::json;

NodeInfo& SchedulerCache::nodeFor(const std::string& name) {
    auto& slot = m_nodes[name];
    if (!slot) {
        slot = std::make_unique<NodeInfo>(name);
    }
    return *slot;
}

NodeInfo* SchedulerCache::nodeInfo(std::string_view name) {
    auto it = m_nodes.find(std::string(name));
    return it == m_nodes.end() ? nullptr : it->second.get();
}

const NodeInfo* SchedulerCache::nodeInfo(std::string_view name) const {
    auto it = m_nodes.find(std::string(name));
    return it == m_nodes.end() ? nullptr : it->second.get();
}

void SchedulerCache::unlist(NodeInfo& info) {
    if (info.listIndex < 0) {
        return;
    }
    size_t index = static_cast<size_t>(info.listIndex);
    m_list[index] = m_list.back();
    m_list[index]->listIndex = static_cast<int>(index);
    m_list.pop_back();
    info.listIndex = -1;
}

void SchedulerCache::upsertNode(NodeSpecPtr node) {
    NodeInfo& info = nodeFor(node->name);
    NodeSpecPtr previous = info.nodePtr();
    bool relabeled = !previous || previous->labels != node->labels;
    if (relabeled) {
        // Topology values of the pods here may change: re-file their terms.
        for (const PodInfoPtr& pod : info.pods()) {
            if (pod->hasAnyAffinity()) {
                m_terms.update(*pod, previous.get(), -1);
            }
        }
    }
    countImages(previous.get(), -1);
    countImages(node.get(), 1);
    info.setNode(std::move(node));
    if (relabeled) {
        for (const PodInfoPtr& pod : info.pods()) {
            if (pod->hasAnyAffinity()) {
                m_terms.update(*pod, info.node(), 1);
            }
        }
    }
    if (info.listIndex < 0) {
        info.listIndex = static_cast<int>(m_list.size());
        m_list.push_back(&info);
    }
}

void SchedulerCache::removeNode(const std::string& name) {
    NodeInfo* info = nodeInfo(name);
    if (info == nullptr) {
        return;
    }
    unlist(*info);
    countImages(info->node(), -1);
    for (const PodInfoPtr& pod : info->pods()) {
        if (pod->hasAnyAffinity()) {
            m_terms.update(*pod, info->node(), -1);
            m_terms.update(*pod, nullptr, 1);
        }
    }
    info->setNode(nullptr);
    dropNodeIfEmpty(name);
}

void SchedulerCache::countImages(const NodeSpec* node, int sign) {
    if (node == nullptr) {
        return;
    }
    for (const auto& [image, size] : node->images) {
        auto it = m_imageNodes.find(image);
        if (it == m_imageNodes.end()) {
            if (sign > 0) {
                m_imageNodes.emplace(image, sign);
            }
        } else if ((it->second += sign) <= 0) {
            m_imageNodes.erase(it);
        }
    }
}

int SchedulerCache::nodesWithImage(const std::string& image) const {
    auto it = m_imageNodes.find(image);
    return it == m_imageNodes.end() ? 0 : it->second;
}

void SchedulerCache::dropNodeIfEmpty(const std::string& name) {
    auto it = m_nodes.find(name);
    if (it != m_nodes.end() && !it->second->node() && it->second->pods().empty()) {
        m_nodes.erase(it);
    }
}

void SchedulerCache::placePod(const PodInfoPtr& pod) {
    NodeInfo& info = nodeFor(pod->nodeName);
    info.addPod(pod);
    m_labels.add(pod.get());
    if (pod->hasAnyAffinity()) {
        m_terms.update(*pod, info.node(), 1);
    }
}

void SchedulerCache::unplacePod(const PodInfoPtr& pod) {
    NodeInfo* info = nodeInfo(pod->nodeName);
    if (info == nullptr) {
        return;
    }
    if (pod->hasAnyAffinity()) {
        m_terms.update(*pod, info->node(), -1);
    }
    m_labels.remove(pod.get());
    info->removePod(pod->uid);
    dropNodeIfEmpty(pod->nodeName);
}

void SchedulerCache::addOrUpdatePod(const PodInfoPtr& pod) {
    auto it = m_pods.find(pod->uid);
    if (it != m_pods.end()) {
        PodInfoPtr old = it->second.pod; // keep alive while unplacing
        unplacePod(old);
        m_pods.erase(it);
    }
    if (pod->finished || pod->nodeName.empty()) {
        return;
    }
    placePod(pod);
    m_pods.emplace(pod->uid, PodState{pod, false});
}

void SchedulerCache::removePod(const std::string& uid) {
    auto it = m_pods.find(uid);
    if (it == m_pods.end()) {
        return;
    }
    PodInfoPtr old = it->second.pod;
    m_pods.erase(it);
    unplacePod(old);
}

void SchedulerCache::assumePod(const PodInfoPtr& assumed) {
    removePod(assumed->uid);
    placePod(assumed);
    m_pods.emplace(assumed->uid, PodState{assumed, true});
}

void SchedulerCache::forgetPod(const std::string& uid) {
    auto it = m_pods.find(uid);
    if (it == m_pods.end() || !it->second.assumed) {
        return;
    }
    removePod(uid);
}

bool SchedulerCache::isAssumed(const std::string& uid) const {
    auto it = m_pods.find(uid);
    return it != m_pods.end() && it->second.assumed;
}

PodInfoPtr SchedulerCache::pod(const std::string& uid) const {
    auto it = m_pods.find(uid);
    return it == m_pods.end() ? nullptr : it->second.pod;
}

void SchedulerCache::setNamespaceLabels(const std::string& ns, json::object labels) {
    m_namespaces[ns] = std::move(labels);
}

void SchedulerCache::removeNamespace(const std::string& ns) {
    m_namespaces.erase(ns);
}

const json::object* SchedulerCache::namespaceLabels(std::string_view ns) const {
    auto it = m_namespaces.find(std::string(ns));
    return it == m_namespaces.end() ? nullptr : &it->second;
}

void SchedulerCache::setNomination(const PodInfoPtr& pod, const std::string& node) {
    clearNomination(pod->uid);
    if (node.empty()) {
        return;
    }
    m_nominated[node].push_back(pod);
    m_nominatedNode[pod->uid] = node;
}

void SchedulerCache::clearNomination(const std::string& uid) {
    auto it = m_nominatedNode.find(uid);
    if (it == m_nominatedNode.end()) {
        return;
    }
    auto list = m_nominated.find(it->second);
    if (list != m_nominated.end()) {
        auto& pods = list->second;
        pods.erase(std::remove_if(pods.begin(), pods.end(),
                                  [&](const PodInfoPtr& p) { return p->uid == uid; }),
                   pods.end());
        if (pods.empty()) {
            m_nominated.erase(list);
        }
    }
    m_nominatedNode.erase(it);
}

const std::vector<PodInfoPtr>& SchedulerCache::nominatedPods(const std::string& node) const {
    static const std::vector<PodInfoPtr> none;
    auto it = m_nominated.find(node);
    return it == m_nominated.end() ? none : it->second;
}

std::string SchedulerCache::nominatedNode(const std::string& uid) const {
    auto it = m_nominatedNode.find(uid);
    return it == m_nominatedNode.end() ? std::string() : it->second;
}

} // namespace pilot::scheduler
