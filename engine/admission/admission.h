#pragma once

#include "kube/fielderror.h"
#include "kube/types/typeregistry.h"

#include <boost/json/object.hpp>

#include <string>

namespace pilot::admission {

/// Fills the API defaults of a built-in kind in place, as the real API server does before
/// storing (pods: restartPolicy, dnsPolicy, terminationGracePeriodSeconds, schedulerName,
/// container imagePullPolicy and terminationMessagePath, ...; deployments: replicas, strategy,
/// revisionHistoryLimit, progressDeadlineSeconds; services: type, sessionAffinity, port protocol
/// and targetPort; ...). Idempotent; never removes a value the client set.
void applyDefaults(const kube::ResourceType& type, boost::json::object& object);

/// A pod spec's QoS class (v1qos.GetPodQOS): `Guaranteed`, `Burstable` or `BestEffort`.
/// Admission that changes resources (LimitRanger) sets `status.qosClass` again with it.
[[nodiscard]] std::string podQosClass(const boost::json::object& spec);

/// Validates an object of a built-in kind after defaulting: metadata (name and generateName
/// rules per kind, labels and annotations syntax and sizes) and the kind's own rules. `old` is the
/// stored object on update (for immutable fields), or nullptr on create. An empty result means
/// valid.
[[nodiscard]] kube::FieldErrors validate(const kube::ResourceType& type,
                                         const boost::json::object& object,
                                         const boost::json::object* old);

} // namespace pilot::admission
