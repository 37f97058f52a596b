#pragma once

// Defaulting entry points shared by the admission sources. Private to pilot::admission.

#include <boost/json/object.hpp>

#include <string_view>

namespace pilot::admission::detail {

struct PodSpecDefaults {
    /// A Pod (not a template): also defaults enableServiceLinks and requests from limits.
    bool pod = false;
    /// Jobs and cron jobs must choose OnFailure or Never themselves.
    bool restartPolicy = true;
};

/// SetDefaults_PodSpec and the container, volume and probe defaults below it.
void defaultPodSpec(boost::json::object& spec, const PodSpecDefaults& options);
/// Defaults `parent[member].spec` when `parent[member]` is a pod template object.
void defaultPodTemplate(boost::json::object& parent, std::string_view member,
                        const PodSpecDefaults& options = {});
/// A Pod: spec defaults plus what kube-apiserver's admission plugins add on create
/// (service account, priority, not-ready/unreachable tolerations, Pending phase, QoS class).
void defaultPod(boost::json::object& pod);
/// PersistentVolumeClaim spec/status defaults (also used for volume claim templates).
void defaultPersistentVolumeClaim(boost::json::object& pvc);

} // namespace pilot::admission::detail
