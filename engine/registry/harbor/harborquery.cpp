#include "engine/registry/harbor/harborquery.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace pilot::registry::harbor {

namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && text.front() == ' ') {
        text.remove_prefix(1);
    }
    while (!text.empty() && text.back() == ' ') {
        text.remove_suffix(1);
    }
    return text;
}

std::optional<int64_t> number(std::string_view text) {
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

/// -1, 0, 1 comparing `a` with `b`: as numbers when both are, else as text.
int compare(std::string_view a, std::string_view b) {
    auto x = number(a);
    auto y = number(b);
    if (x && y) {
        return *x < *y ? -1 : (*x > *y ? 1 : 0);
    }
    int c = a.compare(b);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::vector<std::string> words(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        text = trim(text);
        size_t space = text.find(' ');
        std::string_view word = text.substr(0, space);
        if (!word.empty()) {
            out.emplace_back(word);
        }
        text = space == std::string_view::npos ? std::string_view() : text.substr(space);
    }
    return out;
}

Result<QueryTerm> parseTerm(std::string_view part) {
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("invalid query \"{}\": expected key=value", part));
    }
    QueryTerm term;
    term.key = trim(part.substr(0, eq));
    std::string_view value = trim(part.substr(eq + 1));
    if (term.key.empty()) {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("invalid query \"{}\": empty key", part));
    }
    auto bad = [&](std::string_view why) {
        return fail(ErrorCode::InvalidArgument, fmt::format("invalid query \"{}\": {}", part, why));
    };
    if (value.size() >= 2 && value.front() == '[' && value.back() == ']') {
        std::string_view inner = value.substr(1, value.size() - 2);
        size_t tilde = inner.find('~');
        if (tilde == std::string_view::npos) {
            return bad("a range is [min~max]");
        }
        std::string_view min = trim(inner.substr(0, tilde));
        std::string_view max = trim(inner.substr(tilde + 1));
        if (min.empty() && max.empty()) {
            return bad("a range needs a minimum or a maximum");
        }
        term.kind = QueryTerm::Kind::Range;
        if (!min.empty()) {
            term.min = std::string(min);
        }
        if (!max.empty()) {
            term.max = std::string(max);
        }
        return term;
    }
    bool braces = value.size() >= 2 && value.front() == '{' && value.back() == '}';
    bool parens = value.size() >= 2 && value.front() == '(' && value.back() == ')';
    if (braces || parens) {
        term.kind = braces ? QueryTerm::Kind::AnyOf : QueryTerm::Kind::AllOf;
        term.values = words(value.substr(1, value.size() - 2));
        if (term.values.empty()) {
            return bad("an empty list");
        }
        return term;
    }
    if (value.find_first_of("[]{}()") != std::string_view::npos) {
        return bad("unbalanced brackets");
    }
    if (!value.empty() && value.front() == '~') {
        term.kind = QueryTerm::Kind::Fuzzy;
        value.remove_prefix(1);
    }
    term.value = value;
    return term;
}

} // namespace

bool QueryTerm::matches(std::string_view field) const {
    switch (kind) {
    case Kind::Exact:
        return compare(field, value) == 0;
    case Kind::Fuzzy:
        return field.find(value) != std::string_view::npos;
    case Kind::Range:
        return (!min || compare(field, *min) >= 0) && (!max || compare(field, *max) <= 0);
    case Kind::AnyOf:
        return std::any_of(values.begin(), values.end(),
                           [&](const std::string& v) { return compare(field, v) == 0; });
    case Kind::AllOf:
        return std::all_of(values.begin(), values.end(),
                           [&](const std::string& v) { return compare(field, v) == 0; });
    }
    return false;
}

bool QueryTerm::matchesAny(const std::vector<std::string>& fields) const {
    if (kind == Kind::AllOf) {
        return std::all_of(values.begin(), values.end(), [&](const std::string& v) {
            return std::any_of(fields.begin(), fields.end(),
                               [&](const std::string& f) { return compare(f, v) == 0; });
        });
    }
    return std::any_of(fields.begin(), fields.end(),
                       [&](const std::string& f) { return matches(f); });
}

const QueryTerm* Query::find(std::string_view key) const {
    for (const QueryTerm& term : terms) {
        if (term.key == key) {
            return &term;
        }
    }
    return nullptr;
}

Result<Query> parseQuery(std::string_view q) {
    Query query;
    // Commas separate terms, except inside a list or range.
    int depth = 0;
    size_t start = 0;
    for (size_t i = 0; i <= q.size(); ++i) {
        char c = i < q.size() ? q[i] : ',';
        if (c == '[' || c == '{' || c == '(') {
            ++depth;
        } else if (c == ']' || c == '}' || c == ')') {
            --depth;
        } else if (c == ',' && (depth <= 0 || i == q.size())) {
            std::string_view part = trim(q.substr(start, i - start));
            start = i + 1;
            depth = 0;
            if (part.empty()) {
                continue;
            }
            auto term = parseTerm(part);
            if (!term) {
                return std::unexpected(term.error());
            }
            query.terms.push_back(std::move(*term));
        }
    }
    return query;
}

} // namespace pilot::registry::harbor
