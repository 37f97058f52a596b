#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// Kubernetes' `$(VAR)` expansion (third_party/forked/golang/expansion), used for env values,
/// command, args and subPathExpr: `$(NAME)` is replaced by the variable's value when it is
/// defined and kept as written otherwise; `$$` is a literal `$`; any other `$` stays as is.
namespace pilot::agent {

using VariableLookup = std::function<std::optional<std::string>(std::string_view name)>;

[[nodiscard]] std::string expandVariables(std::string_view input, const VariableLookup& lookup);

/// A lookup over `KEY=VALUE` pairs, later definitions winning.
[[nodiscard]] VariableLookup lookupIn(const std::vector<std::pair<std::string, std::string>>& env);

} // namespace pilot::agent
