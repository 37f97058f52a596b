#pragma once

#include "core/error.h"

#include <algorithm>
#include <cstdint>
#include <optional>

namespace pilot::controllers {

/// How a slow-start run ended: the calls that succeeded and the first failure, if any.
struct BatchOutcome {
    int64_t successes = 0;
    std::optional<Error> error;
};

/// Calls `fn` (returning Status) `count` times in batches of `initial`, then twice the last
/// batch size, and so on, stopping after the first batch in which a call failed, so that a
/// request bound to fail (a quota, a bad template) is tried a handful of times instead of
/// `count` times (upstream slowStartBatch; calls run one after another here).
template <typename Fn>
BatchOutcome slowStartBatch(int64_t count, int64_t initial, Fn&& fn) {
    BatchOutcome outcome;
    int64_t remaining = count;
    for (int64_t batch = std::min(remaining, initial); batch > 0;
         batch = std::min(2 * batch, remaining)) {
        for (int64_t i = 0; i < batch; ++i) {
            Status status = fn();
            if (status) {
                ++outcome.successes;
            } else if (!outcome.error) {
                outcome.error = status.error();
            }
        }
        if (outcome.error) {
            return outcome;
        }
        remaining -= batch;
    }
    return outcome;
}

} // namespace pilot::controllers
