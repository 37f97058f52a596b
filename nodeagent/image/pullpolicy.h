#pragma once

#include "core/error.h"

#include <string>
#include <string_view>

namespace pilot::agent::image {

/// A container's imagePullPolicy.
enum class PullPolicy { Always, IfNotPresent, Never };

/// Parses `Always`, `IfNotPresent` or `Never`; an empty value gets Kubernetes' default for
/// the image (Always for `:latest` or no tag, IfNotPresent otherwise).
[[nodiscard]] Result<PullPolicy> parsePullPolicy(std::string_view policy, std::string_view image);
[[nodiscard]] PullPolicy defaultPullPolicy(std::string_view image);
[[nodiscard]] std::string_view pullPolicyName(PullPolicy policy);

enum class PullDecision {
    Pull,       ///< Contact the registry.
    UsePresent, ///< The local image is used as is.
    NeverPull,  ///< Absent and the policy forbids pulling: the kubelet's ErrImageNeverPull.
};

[[nodiscard]] PullDecision decidePull(PullPolicy policy, bool present);

/// The kubelet's waiting message for ErrImageNeverPull.
[[nodiscard]] std::string neverPullMessage(std::string_view image);

} // namespace pilot::agent::image
