#pragma once

#include "core/error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pilot::registry::harbor {

/// One condition of Harbor's `q=` query (src/lib/q): `k=v` exact, `k=~v` fuzzy (substring),
/// `k=[min~max]` range (either end may be left out), `k={a b c}` any of, `k=(a b c)` all of.
struct QueryTerm {
    enum class Kind { Exact, Fuzzy, Range, AnyOf, AllOf };
    std::string key;
    Kind kind = Kind::Exact;
    /// Exact and Fuzzy.
    std::string value;
    /// Range.
    std::optional<std::string> min;
    std::optional<std::string> max;
    /// AnyOf and AllOf.
    std::vector<std::string> values;

    /// Whether `field` satisfies the term (numbers compare as numbers, the rest as text; an
    /// AllOf term matches a single value only when every listed value equals it).
    [[nodiscard]] bool matches(std::string_view field) const;
    /// For multi-valued fields (an artifact's tags): Exact/Fuzzy/Range/AnyOf when any value
    /// matches, AllOf when every listed value is among `fields`.
    [[nodiscard]] bool matchesAny(const std::vector<std::string>& fields) const;
};

/// A parsed `q=`: terms ANDed together.
struct Query {
    std::vector<QueryTerm> terms;

    /// The term for `key`, or nullptr.
    [[nodiscard]] const QueryTerm* find(std::string_view key) const;
};

/// Parses a `q=` value (already percent-decoded), e.g.
/// `name=~busy,public=true,creation_time=[2024-01-01~2025-01-01],id={1 2 3}`. InvalidArgument,
/// naming the bad part, for anything Harbor's parser rejects.
[[nodiscard]] Result<Query> parseQuery(std::string_view q);

} // namespace pilot::registry::harbor
