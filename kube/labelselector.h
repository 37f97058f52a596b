#pragma once

#include "core/error.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::kube {

/// The operator of one label requirement, as in k8s.io/apimachinery/pkg/selection.
enum class LabelOp { Equals, DoubleEquals, NotEquals, In, NotIn, Exists, DoesNotExist, Gt, Lt };

/// One term of a label selector: `key op values`.
struct LabelRequirement {
    std::string key;
    LabelOp op = LabelOp::Exists;
    /// For In/NotIn: the value set (parsed selectors hold it sorted and unique); one value for
    /// the (not-)equality and Gt/Lt operators; empty for Exists/DoesNotExist.
    std::vector<std::string> values;

    /// Upstream semantics: NotIn/!= match objects without the key; Gt/Lt need an integer label.
    [[nodiscard]] bool matches(const boost::json::object* labels) const;
    /// The same for the label's value (nullopt: the object has no label `key`).
    [[nodiscard]] bool matchesValue(std::optional<std::string_view> value) const;
    /// Canonical text: `k=v`, `k!=v`, `k in (a,b)`, `!k`, `k>5`; set values sorted.
    [[nodiscard]] std::string toString() const;
};

/// A parsed label selector: requirements ANDed together. The default-constructed selector is
/// "everything" (matches all objects); `nothing()` (what a null metav1.LabelSelector means)
/// matches none. Immutable after construction; safe to share between threads.
class LabelSelector {
public:
    LabelSelector() = default;

    [[nodiscard]] static LabelSelector everything() { return {}; }
    [[nodiscard]] static LabelSelector nothing();

    /// Parses the query-string grammar: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`,
    /// `k`, `!k`, `k>1`, `k<1`, joined by commas (commas inside parentheses do not split),
    /// whitespace tolerant. Keys and values are validated; error messages match Kubernetes, e.g.
    /// `unable to parse requirement: found ')', expected: identifier`.
    [[nodiscard]] static Result<LabelSelector> parse(std::string_view text);

    /// Builds a selector from a metav1.LabelSelector JSON object (`matchLabels` and
    /// `matchExpressions` with In/NotIn/Exists/DoesNotExist). A null pointer or JSON null gives
    /// `nothing()`; `{}` gives everything. Errors name the offending field.
    [[nodiscard]] static Result<LabelSelector> fromJson(const boost::json::value* selector);

    /// Equality requirements for each entry of a plain label map (Service/RC `spec.selector`).
    /// Non-string values are ignored. No validation.
    [[nodiscard]] static LabelSelector fromSet(const boost::json::object& set);

    /// Whether an object with these labels (nullptr: no labels) is selected.
    [[nodiscard]] bool matches(const boost::json::object* labels) const;
    /// The same over labels kept elsewhere: `lookup(key)` gives the value of label `key`, or
    /// nullopt when the object has none (no JSON object is built per object tested).
    template <class Lookup>
    [[nodiscard]] bool matchesLookup(const Lookup& lookup) const {
        if (m_nothing) {
            return false;
        }
        for (const LabelRequirement& r : m_requirements) {
            if (!r.matchesValue(lookup(std::string_view(r.key)))) {
                return false;
            }
        }
        return true;
    }

    /// True when the selector does not restrict anything (matches every object).
    [[nodiscard]] bool empty() const { return !m_nothing && m_requirements.empty(); }
    [[nodiscard]] bool matchesNothing() const { return m_nothing; }

    /// Canonical string form, requirements sorted by key: "app=web,tier in (a,b)". Empty for
    /// everything (and for nothing).
    [[nodiscard]] std::string toString() const;

    [[nodiscard]] const std::vector<LabelRequirement>& requirements() const {
        return m_requirements;
    }

    /// If the selector pins `key` to one value (`=`, `==` or a one-value `in`), that value.
    [[nodiscard]] std::optional<std::string> requiresExactMatch(std::string_view key) const;

private:
    std::vector<LabelRequirement> m_requirements; // sorted by key (stable)
    bool m_nothing = false;
};

} // namespace pilot::kube
