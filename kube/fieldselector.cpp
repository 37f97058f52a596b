#include "kube/fieldselector.h"

#include <fmt/format.h>

#include <algorithm>

namespace pilot::kube {

namespace {

/// Splits on commas not preceded by a backslash escape.
std::vector<std::string_view> splitTerms(std::string_view s) {
    std::vector<std::string_view> terms;
    if (s.empty()) {
        return terms;
    }
    size_t start = 0;
    bool inSlash = false;
    for (size_t i = 0; i < s.size(); ++i) {
        if (inSlash) {
            inSlash = false;
        } else if (s[i] == '\\') {
            inSlash = true;
        } else if (s[i] == ',') {
            terms.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    }
    terms.push_back(s.substr(start));
    return terms;
}

struct SplitTerm {
    std::string_view lhs;
    FieldOp op;
    std::string_view rhs;
};

/// The first operator occurrence splits the term ("!=" and "==" take precedence over "=").
std::optional<SplitTerm> splitTerm(std::string_view term) {
    for (size_t i = 0; i < term.size(); ++i) {
        const std::string_view rest = term.substr(i);
        if (rest.starts_with("!=")) {
            return SplitTerm{term.substr(0, i), FieldOp::NotEquals, rest.substr(2)};
        }
        if (rest.starts_with("==")) {
            return SplitTerm{term.substr(0, i), FieldOp::DoubleEquals, rest.substr(2)};
        }
        if (rest.starts_with("=")) {
            return SplitTerm{term.substr(0, i), FieldOp::Equals, rest.substr(1)};
        }
    }
    return std::nullopt;
}

Result<std::string> unescapeValue(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool inSlash = false;
    for (char c : s) {
        if (inSlash) {
            if (c != '\\' && c != ',' && c != '=') {
                return fail(
                    ErrorCode::InvalidArgument,
                    fmt::format("invalid field selector: invalid escape sequence: \\{}", c));
            }
            out.push_back(c);
            inSlash = false;
            continue;
        }
        if (c == '\\') {
            inSlash = true;
        } else if (c == ',' || c == '=') {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("invalid field selector: unescaped character in value: {}", c));
        } else {
            out.push_back(c);
        }
    }
    if (inSlash) {
        return fail(ErrorCode::InvalidArgument,
                    "invalid field selector: invalid escape sequence: \\");
    }
    return out;
}

} // namespace

Result<FieldSelector> FieldSelector::parse(std::string_view text) {
    std::vector<std::string_view> parts = splitTerms(text);
    std::sort(parts.begin(), parts.end());
    FieldSelector selector;
    for (std::string_view part : parts) {
        if (part.empty()) {
            continue;
        }
        const auto term = splitTerm(part);
        if (!term) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("invalid selector: '{}'; can't understand '{}'", text, part));
        }
        auto value = unescapeValue(term->rhs);
        if (!value) {
            return std::unexpected(value.error());
        }
        selector.m_requirements.push_back({std::string(term->lhs), term->op, std::move(*value)});
    }
    return selector;
}

bool FieldSelector::matches(const Getter& getter) const {
    for (const FieldRequirement& r : m_requirements) {
        const bool equal = getter(r.field) == r.value;
        if (equal == (r.op == FieldOp::NotEquals)) {
            return false;
        }
    }
    return true;
}

std::optional<std::string> FieldSelector::requiresExactMatch(std::string_view field) const {
    for (const FieldRequirement& r : m_requirements) {
        if (r.field == field && r.op != FieldOp::NotEquals) {
            return r.value;
        }
    }
    return std::nullopt;
}

std::string FieldSelector::toString() const {
    std::string out;
    for (const FieldRequirement& r : m_requirements) {
        if (!out.empty()) {
            out += ',';
        }
        out += r.field;
        out += r.op == FieldOp::NotEquals ? "!=" : "=";
        out += escapeFieldSelectorValue(r.value);
    }
    return out;
}

std::string escapeFieldSelectorValue(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\' || c == ',' || c == '=') {
            out.push_back('\\');
        }
        out.push_back(c);
    }
    return out;
}

} // namespace pilot::kube
