#pragma once

#include <boost/json/object.hpp>

#include <string_view>

namespace pilot::kube {

/// Converts an object between served versions of one resource, as kube-apiserver's conversion
/// functions do. Kinds with one schema across versions only get `apiVersion` rewritten;
/// HorizontalPodAutoscaler autoscaling/v1 <-> v2 maps targetCPUUtilizationPercentage to a cpu
/// Resource metric and keeps what v1 cannot express in the `autoscaling.alpha.kubernetes.io/*`
/// annotations, so a v2 -> v1 -> v2 round trip loses nothing. core/v1 and events.k8s.io/v1
/// Events share storage; their differently named fields (involvedObject/regarding,
/// message/note, source/deprecatedSource, ...) are mapped.
[[nodiscard]] boost::json::object convertObject(boost::json::object object,
                                                std::string_view toApiVersion);

/// Whether objects of this kind differ in shape between the two versions (so callers can skip
/// parsing when only apiVersion changes).
[[nodiscard]] bool needsConversion(std::string_view kind, std::string_view fromApiVersion,
                                   std::string_view toApiVersion);

} // namespace pilot::kube
