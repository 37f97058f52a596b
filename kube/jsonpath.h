#pragma once

#include "core/error.h"

#include <boost/json/value.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::kube {

/// The subset of Kubernetes JSONPath used by CRD `additionalPrinterColumns`, custom columns and
/// `-o jsonpath`: `.a.b`, `['a.b']`, `a\.b` (escaped dot), `[N]` (negative from the end),
/// `[start:end]`, `[*]`, `.*`, `..name` (recursive descent) and filters
/// `[?(@.type=="Ready")]`, `[?(@.x)]` with `== != < > <= >=` against string, number, boolean
/// literals. An optional `{...}` wrapper and leading `$` are accepted. Missing fields simply
/// produce no results. Parse once, evaluate many times; immutable and thread-safe.
class JsonPath {
public:
    struct Step;

    [[nodiscard]] static Result<JsonPath> parse(std::string_view expression);

    /// All values the path selects, in document order; pointers into `root`.
    [[nodiscard]] std::vector<const boost::json::value*>
    evaluate(const boost::json::value& root) const;

    [[nodiscard]] const std::string& expression() const { return m_expression; }

private:
    std::string m_expression;
    std::shared_ptr<const std::vector<Step>> m_steps;
};

/// Parses and evaluates in one go.
[[nodiscard]] Result<std::vector<const boost::json::value*>>
evaluateJsonPath(const boost::json::value& root, std::string_view expression);

} // namespace pilot::kube
