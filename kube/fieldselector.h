#pragma once

#include "core/error.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::kube {

enum class FieldOp { Equals, DoubleEquals, NotEquals };

/// One `field op value` term of a field selector; `value` is unescaped.
struct FieldRequirement {
    std::string field;
    FieldOp op = FieldOp::Equals;
    std::string value;
};

/// A parsed field selector (`fieldSelector=` query parameter): terms ANDed together. The
/// default-constructed selector matches everything. Which fields are allowed is the caller's
/// decision (a per-resource allow-list); this class only parses and evaluates.
class FieldSelector {
public:
    /// Returns the string value of a field ("" when absent), e.g. via `scalarString(at(...))`.
    using Getter = std::function<std::string(std::string_view field)>;

    FieldSelector() = default;

    /// Parses `a=b`, `a==b`, `a!=b` terms separated by unescaped commas. In values, `\\`, `\,`
    /// and `\=` are the only escapes; a bare `,`/`=` or another escape is an error. Empty terms
    /// are skipped. Errors use Kubernetes' wording, e.g.
    /// `invalid selector: 'x'; can't understand 'x'`.
    [[nodiscard]] static Result<FieldSelector> parse(std::string_view text);

    [[nodiscard]] bool empty() const { return m_requirements.empty(); }
    [[nodiscard]] const std::vector<FieldRequirement>& requirements() const {
        return m_requirements;
    }

    /// Whether every term holds for the object whose fields `getter` reads.
    [[nodiscard]] bool matches(const Getter& getter) const;

    /// The value a term `field=value` / `field==value` pins `field` to, if any (lets callers use
    /// an index, e.g. `spec.nodeName=x` or `metadata.name=x`).
    [[nodiscard]] std::optional<std::string> requiresExactMatch(std::string_view field) const;

    /// Canonical form with escaped values: "metadata.name=a,status.phase!=Failed".
    [[nodiscard]] std::string toString() const;

private:
    std::vector<FieldRequirement> m_requirements;
};

/// Escapes `\`, `,` and `=` in a field selector value.
[[nodiscard]] std::string escapeFieldSelectorValue(std::string_view value);

} // namespace pilot::kube
