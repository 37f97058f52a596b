#pragma once

#include "core/error.h"

#include <chrono>
#include <string>
#include <string_view>

namespace pilot::kube {

/// Go's `time.ParseDuration`: a signed sequence of decimal numbers, each with an optional
/// fraction and a unit (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`), such as `1h30m` or `-1.5s`.
/// Errors carry Go's texts (`time: invalid duration "soon"`, `time: missing unit in duration
/// "1"`, `time: unknown unit "d" in duration "1d"`).
[[nodiscard]] Result<std::chrono::nanoseconds> parseGoDuration(std::string_view text);

/// Go's `time.Duration.String`: `1h2m3.5s`, `1.5s`, `300ms`, `0s`; the form metav1.Duration
/// fields take in JSON (`window` of the resource metrics).
[[nodiscard]] std::string formatGoDuration(std::chrono::nanoseconds duration);

} // namespace pilot::kube
