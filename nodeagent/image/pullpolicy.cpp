#include "nodeagent/image/pullpolicy.h"

#include "nodeagent/image/imagereference.h"

#include <fmt/format.h>

namespace pilot::agent::image {

Result<PullPolicy> parsePullPolicy(std::string_view policy, std::string_view image) {
    if (policy.empty()) {
        return defaultPullPolicy(image);
    }
    if (policy == "Always") {
        return PullPolicy::Always;
    }
    if (policy == "IfNotPresent") {
        return PullPolicy::IfNotPresent;
    }
    if (policy == "Never") {
        return PullPolicy::Never;
    }
    return fail(ErrorCode::InvalidArgument,
                fmt::format("imagePullPolicy: Unsupported value: \"{}\": supported values: "
                            "\"Always\", \"IfNotPresent\", \"Never\"",
                            policy));
}

PullPolicy defaultPullPolicy(std::string_view image) {
    return isLatestOrUntagged(image) ? PullPolicy::Always : PullPolicy::IfNotPresent;
}

std::string_view pullPolicyName(PullPolicy policy) {
    switch (policy) {
    case PullPolicy::Always:
        return "Always";
    case PullPolicy::IfNotPresent:
        return "IfNotPresent";
    case PullPolicy::Never:
        return "Never";
    }
    return "IfNotPresent";
}

PullDecision decidePull(PullPolicy policy, bool present) {
    switch (policy) {
    case PullPolicy::Always:
        return PullDecision::Pull;
    case PullPolicy::IfNotPresent:
        return present ? PullDecision::UsePresent : PullDecision::Pull;
    case PullPolicy::Never:
        return present ? PullDecision::UsePresent : PullDecision::NeverPull;
    }
    return PullDecision::Pull;
}

std::string neverPullMessage(std::string_view image) {
    return fmt::format("Container image \"{}\" is not present with pull policy of Never", image);
}

} // namespace pilot::agent::image
