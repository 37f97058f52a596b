#pragma once

// Builders for the nodes and pods the scheduler tests place, and a cache filled from them.

#include "engine/scheduler/nodeinfo.h"
#include "engine/scheduler/podinfo.h"
#include "engine/scheduler/schedulercache.h"

#include <boost/json.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace pilot::scheduler::test {

namespace json = boost::json;

inline json::object parse(std::string_view text) {
    return json::parse(text).as_object();
}

/// A Node with status.allocatable, labelled with kubernetes.io/hostname.
class TestNode {
public:
    explicit TestNode(std::string name) : m_name(std::move(name)) {
        m_labels["kubernetes.io/hostname"] = m_name;
    }
    TestNode& cpu(std::string v) { return set("cpu", std::move(v)); }
    TestNode& memory(std::string v) { return set("memory", std::move(v)); }
    TestNode& pods(std::string v) { return set("pods", std::move(v)); }
    TestNode& set(std::string resource, std::string value) {
        m_allocatable[resource] = std::move(value);
        return *this;
    }
    TestNode& label(std::string key, std::string value) {
        m_labels[key] = std::move(value);
        return *this;
    }
    TestNode& taint(std::string key, std::string value, std::string effect) {
        json::object t{{"key", key}, {"effect", effect}};
        if (!value.empty()) {
            t["value"] = value;
        }
        m_taints.push_back(std::move(t));
        return *this;
    }
    TestNode& unschedulable() {
        m_unschedulable = true;
        return *this;
    }
    TestNode& image(std::string name, int64_t size) {
        m_images.push_back(
            json::object{{"names", json::array{json::string(name)}}, {"sizeBytes", size}});
        return *this;
    }

    [[nodiscard]] json::object build() const {
        json::object spec;
        if (!m_taints.empty()) {
            spec["taints"] = m_taints;
        }
        if (m_unschedulable) {
            spec["unschedulable"] = true;
        }
        json::object status{{"allocatable", m_allocatable}, {"capacity", m_allocatable}};
        if (!m_images.empty()) {
            status["images"] = m_images;
        }
        return json::object{{"apiVersion", "v1"},
                            {"kind", "Node"},
                            {"metadata", json::object{{"name", m_name}, {"labels", m_labels}}},
                            {"spec", spec},
                            {"status", status}};
    }
    operator json::object() const { return build(); }

private:
    std::string m_name;
    json::object m_labels;
    json::object m_allocatable{{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "110"}};
    json::array m_taints;
    json::array m_images;
    bool m_unschedulable = false;
};

/// A Pod with one container; requests, labels, affinity and the rest added by name.
class TestPod {
public:
    explicit TestPod(std::string name, std::string ns = "default")
        : m_name(std::move(name)), m_ns(std::move(ns)) {}
    TestPod& cpu(std::string v) { return request("cpu", std::move(v)); }
    TestPod& memory(std::string v) { return request("memory", std::move(v)); }
    TestPod& request(std::string resource, std::string value) {
        m_requests[resource] = std::move(value);
        return *this;
    }
    TestPod& label(std::string key, std::string value) {
        m_labels[key] = std::move(value);
        return *this;
    }
    TestPod& node(std::string name) {
        m_spec["nodeName"] = std::move(name);
        return *this;
    }
    TestPod& priority(int32_t value) {
        m_spec["priority"] = value;
        return *this;
    }
    TestPod& spec(std::string key, json::value value) {
        m_spec[key] = std::move(value);
        return *this;
    }
    TestPod& hostPort(int port) {
        m_ports.push_back(json::object{{"containerPort", port}, {"hostPort", port}});
        return *this;
    }
    TestPod& toleration(std::string key, std::string op, std::string value, std::string effect) {
        json::object t{{"key", key}, {"operator", op}};
        if (!value.empty()) {
            t["value"] = value;
        }
        if (!effect.empty()) {
            t["effect"] = effect;
        }
        tolerations().push_back(std::move(t));
        return *this;
    }
    TestPod& nodeSelector(std::string key, std::string value) {
        json::value& s = m_spec["nodeSelector"];
        if (!s.is_object()) {
            s = json::object();
        }
        s.as_object()[key] = std::move(value);
        return *this;
    }
    TestPod& affinity(std::string_view jsonText) {
        m_spec["affinity"] = json::parse(jsonText);
        return *this;
    }
    /// Required anti-affinity against pods with `key=value` over `topologyKey`.
    TestPod& antiAffinity(std::string key, std::string value,
                          std::string topologyKey = "kubernetes.io/hostname") {
        m_spec["affinity"] = json::object{
            {"podAntiAffinity",
             json::object{
                 {"requiredDuringSchedulingIgnoredDuringExecution",
                  json::array{json::object{
                      {"labelSelector", json::object{{"matchLabels", json::object{{key, value}}}}},
                      {"topologyKey", topologyKey}}}}}}};
        return *this;
    }
    TestPod& spread(int maxSkew, std::string topologyKey, std::string when, std::string key,
                    std::string value) {
        json::value& list = m_spec["topologySpreadConstraints"];
        if (!list.is_array()) {
            list = json::array();
        }
        list.as_array().push_back(json::object{
            {"maxSkew", maxSkew},
            {"topologyKey", topologyKey},
            {"whenUnsatisfiable", when},
            {"labelSelector", json::object{{"matchLabels", json::object{{key, value}}}}}});
        return *this;
    }
    TestPod& image(std::string image) {
        m_image = std::move(image);
        return *this;
    }
    TestPod& started(std::string time) {
        m_started = std::move(time);
        return *this;
    }
    TestPod& terminating() {
        m_terminating = true;
        return *this;
    }

    [[nodiscard]] json::object build() const {
        json::object container{{"name", "main"}, {"image", m_image}};
        if (!m_requests.empty()) {
            container["resources"] = json::object{{"requests", m_requests}};
        }
        if (!m_ports.empty()) {
            container["ports"] = m_ports;
        }
        json::object spec = m_spec;
        spec["containers"] = json::array{container};
        json::object metadata{{"name", m_name},
                              {"namespace", m_ns},
                              {"uid", "uid-" + m_ns + "-" + m_name},
                              {"creationTimestamp", "2030-01-02T03:04:05Z"},
                              {"resourceVersion", "1"}};
        if (!m_labels.empty()) {
            metadata["labels"] = m_labels;
        }
        if (m_terminating) {
            metadata["deletionTimestamp"] = "2030-01-02T03:04:06Z";
        }
        json::object status{{"phase", "Pending"}};
        if (!m_started.empty()) {
            status["startTime"] = m_started;
        }
        return json::object{{"apiVersion", "v1"},
                            {"kind", "Pod"},
                            {"metadata", metadata},
                            {"spec", spec},
                            {"status", status}};
    }
    operator json::object() const { return build(); }

private:
    json::array& tolerations() {
        json::value& t = m_spec["tolerations"];
        if (!t.is_array()) {
            t = json::array();
        }
        return t.as_array();
    }

    std::string m_name;
    std::string m_ns;
    std::string m_image = "registry.example/app:1";
    std::string m_started;
    json::object m_requests;
    json::object m_labels;
    json::object m_spec;
    json::array m_ports;
    bool m_terminating = false;
};

inline kube::ObjectPtr share(json::object object) {
    return std::make_shared<const json::object>(std::move(object));
}

inline PodInfoPtr podInfo(const json::object& pod) {
    return makePodInfo(share(pod));
}

/// A cache with these nodes and assigned pods.
inline void fill(SchedulerCache& cache, const std::vector<json::object>& nodes,
                 const std::vector<json::object>& pods = {}) {
    for (const json::object& node : nodes) {
        cache.upsertNode(makeNodeSpec(share(node)));
    }
    for (const json::object& pod : pods) {
        cache.addOrUpdatePod(podInfo(pod));
    }
}

} // namespace pilot::scheduler::test
