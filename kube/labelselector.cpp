#include "kube/labelselector.h"

#include "kube/names.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace pilot::kube {

namespace json = boost::json;

namespace {

// ---------------------------------------------------------------------------------------------
// Lexer (mirrors k8s.io/apimachinery/pkg/labels)
// ---------------------------------------------------------------------------------------------

enum class Tok {
    End,
    ClosedPar,
    Comma,
    DoesNotExist,
    DoubleEquals,
    Equals,
    Gt,
    Identifier,
    In,
    Lt,
    NotEquals,
    NotIn,
    OpenPar,
};

struct Token {
    Tok tok;
    std::string literal;
};

bool isWhitespace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool isSpecialSymbol(char c) {
    switch (c) {
    case '=':
    case '!':
    case '(':
    case ')':
    case ',':
    case '>':
    case '<':
        return true;
    default:
        return false;
    }
}

std::optional<Tok> symbolToken(std::string_view s) {
    if (s == ")") {
        return Tok::ClosedPar;
    }
    if (s == ",") {
        return Tok::Comma;
    }
    if (s == "!") {
        return Tok::DoesNotExist;
    }
    if (s == "==") {
        return Tok::DoubleEquals;
    }
    if (s == "=") {
        return Tok::Equals;
    }
    if (s == ">") {
        return Tok::Gt;
    }
    if (s == "<") {
        return Tok::Lt;
    }
    if (s == "!=") {
        return Tok::NotEquals;
    }
    if (s == "(") {
        return Tok::OpenPar;
    }
    return std::nullopt;
}

std::vector<Token> scan(std::string_view s) {
    std::vector<Token> tokens;
    size_t pos = 0;
    while (true) {
        while (pos < s.size() && isWhitespace(s[pos])) {
            ++pos;
        }
        if (pos >= s.size()) {
            tokens.push_back({Tok::End, ""});
            return tokens;
        }
        if (isSpecialSymbol(s[pos])) {
            // Longest run of special characters that still forms a known token.
            size_t len = 1;
            while (pos + len < s.size() && isSpecialSymbol(s[pos + len]) &&
                   symbolToken(s.substr(pos, len + 1))) {
                ++len;
            }
            const std::string_view lit = s.substr(pos, len);
            tokens.push_back({*symbolToken(lit), std::string(lit)});
            pos += len;
            continue;
        }
        const size_t start = pos;
        while (pos < s.size() && !isSpecialSymbol(s[pos]) && !isWhitespace(s[pos])) {
            ++pos;
        }
        std::string lit(s.substr(start, pos - start));
        const Tok tok = lit == "in" ? Tok::In : lit == "notin" ? Tok::NotIn : Tok::Identifier;
        tokens.push_back({tok, std::move(lit)});
    }
}

// ---------------------------------------------------------------------------------------------
// Requirement construction and validation (NewRequirement)
// ---------------------------------------------------------------------------------------------

std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
        }
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

std::string goStringSlice(const std::vector<std::string>& values) {
    std::string out = "[]string{";
    for (size_t i = 0; i < values.size(); ++i) {
        if (i > 0) {
            out += ", ";
        }
        out += quoted(values[i]);
    }
    out += "}";
    return out;
}

std::string aggregate(const std::vector<std::string>& errors) {
    if (errors.size() == 1) {
        return errors.front();
    }
    std::string out = "[";
    for (size_t i = 0; i < errors.size(); ++i) {
        if (i > 0) {
            out += ", ";
        }
        out += errors[i];
    }
    out += "]";
    return out;
}

std::optional<int64_t> parseInt64(std::string_view s) {
    if (!s.empty() && s.front() == '+') {
        s.remove_prefix(1);
        if (!s.empty() && s.front() == '-') {
            return std::nullopt;
        }
    }
    int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
        return std::nullopt;
    }
    return v;
}

std::string joinPath(std::string_view prefix, std::string_view child) {
    if (prefix.empty()) {
        return std::string(child);
    }
    return fmt::format("{}.{}", prefix, child);
}

/// Validates a requirement like labels.NewRequirement. `path` prefixes field names in errors.
Result<LabelRequirement> newRequirement(std::string key, LabelOp op,
                                        std::vector<std::string> values, std::string_view path) {
    std::vector<std::string> errs;
    if (auto msgs = validateQualifiedName(key); !msgs.empty()) {
        errs.push_back(fmt::format("{}: Invalid value: {}: {}", joinPath(path, "key"), quoted(key),
                                   joinMessages(msgs)));
    }
    const std::string valuesPath = joinPath(path, "values");
    switch (op) {
    case LabelOp::In:
    case LabelOp::NotIn:
        if (values.empty()) {
            errs.push_back(fmt::format("{}: Invalid value: {}: for 'in', 'notin' operators, "
                                       "values set can't be empty",
                                       valuesPath, goStringSlice(values)));
        }
        break;
    case LabelOp::Equals:
    case LabelOp::DoubleEquals:
    case LabelOp::NotEquals:
        if (values.size() != 1) {
            errs.push_back(fmt::format("{}: Invalid value: {}: exact-match compatibility "
                                       "requires one single value",
                                       valuesPath, goStringSlice(values)));
        }
        break;
    case LabelOp::Exists:
    case LabelOp::DoesNotExist:
        if (!values.empty()) {
            errs.push_back(fmt::format("{}: Invalid value: {}: values set must be empty for "
                                       "exists and does not exist",
                                       valuesPath, goStringSlice(values)));
        }
        break;
    case LabelOp::Gt:
    case LabelOp::Lt:
        if (values.size() != 1) {
            errs.push_back(fmt::format("{}: Invalid value: {}: for 'Gt', 'Lt' operators, "
                                       "exactly one value is required",
                                       valuesPath, goStringSlice(values)));
        }
        for (size_t i = 0; i < values.size(); ++i) {
            if (!parseInt64(values[i])) {
                errs.push_back(fmt::format("{}[{}]: Invalid value: {}: for 'Gt', 'Lt' "
                                           "operators, the value must be an integer",
                                           valuesPath, i, quoted(values[i])));
            }
        }
        break;
    }
    for (size_t i = 0; i < values.size(); ++i) {
        if (auto msgs = validateLabelValue(values[i]); !msgs.empty()) {
            errs.push_back(fmt::format("{}[{}][{}]: Invalid value: {}: {}", valuesPath, i, key,
                                       quoted(values[i]), joinMessages(msgs)));
        }
    }
    if (!errs.empty()) {
        return fail(ErrorCode::InvalidArgument, aggregate(errs));
    }
    return LabelRequirement{std::move(key), op, std::move(values)};
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

class Parser {
public:
    explicit Parser(std::string_view text) : m_tokens(scan(text)) {}

    Result<std::vector<LabelRequirement>> parse() {
        std::vector<LabelRequirement> out;
        while (true) {
            const Token next = lookahead(true);
            if (next.tok == Tok::Identifier || next.tok == Tok::DoesNotExist) {
                auto r = parseRequirement();
                if (!r) {
                    return fail(ErrorCode::InvalidArgument,
                                "unable to parse requirement: " + r.error().message);
                }
                out.push_back(std::move(*r));
                const Token t = consume(true);
                if (t.tok == Tok::End) {
                    return out;
                }
                if (t.tok == Tok::Comma) {
                    const Token t2 = lookahead(true);
                    if (t2.tok != Tok::Identifier && t2.tok != Tok::DoesNotExist) {
                        return error(
                            fmt::format("found '{}', expected: identifier after ','", t2.literal));
                    }
                    continue;
                }
                return error(
                    fmt::format("found '{}', expected: ',' or 'end of string'", t.literal));
            }
            if (next.tok == Tok::End) {
                return out;
            }
            return error(fmt::format("found '{}', expected: !, identifier, or 'end of string'",
                                     next.literal));
        }
    }

private:
    static std::unexpected<Error> error(std::string message) {
        return fail(ErrorCode::InvalidArgument, std::move(message));
    }

    // In a values context the keywords `in`/`notin` are plain identifiers.
    Token view(const Token& t, bool values) const {
        if (values && (t.tok == Tok::In || t.tok == Tok::NotIn)) {
            return {Tok::Identifier, t.literal};
        }
        return t;
    }

    Token lookahead(bool values) const { return view(m_tokens[m_pos], values); }

    Token consume(bool values) {
        Token t = view(m_tokens[m_pos], values);
        if (m_pos + 1 < m_tokens.size()) {
            ++m_pos;
        }
        return t;
    }

    Result<LabelRequirement> parseRequirement() {
        LabelOp op = LabelOp::Exists;
        bool negated = false;
        Token t = consume(true);
        if (t.tok == Tok::DoesNotExist) {
            negated = true;
            t = consume(true);
        }
        if (t.tok != Tok::Identifier) {
            return error(fmt::format("found '{}', expected: identifier", t.literal));
        }
        std::string key = t.literal;
        if (auto msgs = validateQualifiedName(key); !msgs.empty()) {
            return error(
                fmt::format("<nil>: Invalid value: {}: {}", quoted(key), joinMessages(msgs)));
        }
        const Tok after = lookahead(true).tok;
        if (negated || after == Tok::End || after == Tok::Comma) {
            return newRequirement(std::move(key), negated ? LabelOp::DoesNotExist : LabelOp::Exists,
                                  {}, "");
        }
        const Token opToken = consume(false);
        switch (opToken.tok) {
        case Tok::In:
            op = LabelOp::In;
            break;
        case Tok::NotIn:
            op = LabelOp::NotIn;
            break;
        case Tok::Equals:
            op = LabelOp::Equals;
            break;
        case Tok::DoubleEquals:
            op = LabelOp::DoubleEquals;
            break;
        case Tok::NotEquals:
            op = LabelOp::NotEquals;
            break;
        case Tok::Gt:
            op = LabelOp::Gt;
            break;
        case Tok::Lt:
            op = LabelOp::Lt;
            break;
        default:
            return error(
                fmt::format("found '{}', expected: in, notin, =, ==, !=, gt, lt", opToken.literal));
        }
        auto values =
            (op == LabelOp::In || op == LabelOp::NotIn) ? parseValues() : parseExactValue();
        if (!values) {
            return std::unexpected(values.error());
        }
        return newRequirement(std::move(key), op, std::move(*values), "");
    }

    Result<std::vector<std::string>> parseValues() {
        const Token open = consume(true);
        if (open.tok != Tok::OpenPar) {
            return error(fmt::format("found '{}' expected: '('", open.literal));
        }
        const Token next = lookahead(true);
        if (next.tok == Tok::Identifier || next.tok == Tok::Comma) {
            auto list = parseIdentifiersList();
            if (!list) {
                return list;
            }
            if (consume(true).tok != Tok::ClosedPar) {
                return error(fmt::format("found '{}', expected: ')'", next.literal));
            }
            return list;
        }
        if (next.tok == Tok::ClosedPar) {
            consume(true);
            return std::vector<std::string>{""};
        }
        return error(fmt::format("found '{}', expected: ',', ')' or identifier", next.literal));
    }

    static void insertSorted(std::vector<std::string>& set, std::string value) {
        auto it = std::lower_bound(set.begin(), set.end(), value);
        if (it == set.end() || *it != value) {
            set.insert(it, std::move(value));
        }
    }

    Result<std::vector<std::string>> parseIdentifiersList() {
        std::vector<std::string> set;
        while (true) {
            const Token t = consume(true);
            if (t.tok == Tok::Identifier) {
                insertSorted(set, t.literal);
                const Token t2 = lookahead(true);
                if (t2.tok == Tok::Comma) {
                    continue;
                }
                if (t2.tok == Tok::ClosedPar) {
                    return set;
                }
                return error(fmt::format("found '{}', expected: ',' or ')'", t2.literal));
            }
            if (t.tok == Tok::Comma) {
                if (set.empty()) {
                    insertSorted(set, ""); // "(,"
                }
                const Tok t2 = lookahead(true).tok;
                if (t2 == Tok::ClosedPar) {
                    insertSorted(set, ""); // ",)"
                    return set;
                }
                if (t2 == Tok::Comma) {
                    insertSorted(set, ""); // ",,"
                }
                continue;
            }
            return error(fmt::format("found '{}', expected: ',', or identifier", t.literal));
        }
    }

    Result<std::vector<std::string>> parseExactValue() {
        const Tok next = lookahead(true).tok;
        if (next == Tok::End || next == Tok::Comma) {
            return std::vector<std::string>{""};
        }
        const Token t = consume(true);
        if (t.tok == Tok::Identifier) {
            return std::vector<std::string>{t.literal};
        }
        return error(fmt::format("found '{}', expected: identifier", t.literal));
    }

    std::vector<Token> m_tokens;
    size_t m_pos = 0;
};

void sortByKey(std::vector<LabelRequirement>& reqs) {
    std::stable_sort(
        reqs.begin(), reqs.end(),
        [](const LabelRequirement& a, const LabelRequirement& b) { return a.key < b.key; });
}

} // namespace

// ---------------------------------------------------------------------------------------------
// LabelRequirement
// ---------------------------------------------------------------------------------------------

bool LabelRequirement::matches(const json::object* labels) const {
    const json::value* v = labels != nullptr ? labels->if_contains(key) : nullptr;
    if (v == nullptr) {
        return matchesValue(std::nullopt);
    }
    return matchesValue(v->is_string() ? std::string_view(v->get_string()) : std::string_view());
}

bool LabelRequirement::matchesValue(std::optional<std::string_view> label) const {
    const bool present = label.has_value();
    const std::string_view value = label.value_or(std::string_view());
    const auto hasValue = [&] {
        return std::find(values.begin(), values.end(), value) != values.end();
    };
    switch (op) {
    case LabelOp::In:
    case LabelOp::Equals:
    case LabelOp::DoubleEquals:
        return present && hasValue();
    case LabelOp::NotIn:
    case LabelOp::NotEquals:
        return !present || !hasValue();
    case LabelOp::Exists:
        return present;
    case LabelOp::DoesNotExist:
        return !present;
    case LabelOp::Gt:
    case LabelOp::Lt: {
        if (!present || values.size() != 1) {
            return false;
        }
        const auto have = parseInt64(value);
        const auto want = parseInt64(values.front());
        if (!have || !want) {
            return false;
        }
        return op == LabelOp::Gt ? *have > *want : *have < *want;
    }
    }
    return false;
}

std::string LabelRequirement::toString() const {
    std::string out;
    if (op == LabelOp::DoesNotExist) {
        out += '!';
    }
    out += key;
    switch (op) {
    case LabelOp::Equals:
        out += '=';
        break;
    case LabelOp::DoubleEquals:
        out += "==";
        break;
    case LabelOp::NotEquals:
        out += "!=";
        break;
    case LabelOp::In:
        out += " in ";
        break;
    case LabelOp::NotIn:
        out += " notin ";
        break;
    case LabelOp::Gt:
        out += '>';
        break;
    case LabelOp::Lt:
        out += '<';
        break;
    case LabelOp::Exists:
    case LabelOp::DoesNotExist:
        return out;
    }
    const bool set = op == LabelOp::In || op == LabelOp::NotIn;
    if (set) {
        out += '(';
    }
    std::vector<std::string> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        out += sorted[i];
    }
    if (set) {
        out += ')';
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// LabelSelector
// ---------------------------------------------------------------------------------------------

LabelSelector LabelSelector::nothing() {
    LabelSelector s;
    s.m_nothing = true;
    return s;
}

Result<LabelSelector> LabelSelector::parse(std::string_view text) {
    Parser parser(text);
    auto reqs = parser.parse();
    if (!reqs) {
        return std::unexpected(reqs.error());
    }
    LabelSelector s;
    s.m_requirements = std::move(*reqs);
    sortByKey(s.m_requirements);
    return s;
}

Result<LabelSelector> LabelSelector::fromJson(const json::value* selector) {
    if (selector == nullptr || selector->is_null()) {
        return nothing();
    }
    if (!selector->is_object()) {
        return fail(ErrorCode::InvalidArgument,
                    "label selector must be an object with matchLabels and/or matchExpressions");
    }
    const json::object& obj = selector->get_object();
    LabelSelector s;
    if (const json::value* ml = obj.if_contains("matchLabels"); ml != nullptr && !ml->is_null()) {
        if (!ml->is_object()) {
            return fail(ErrorCode::InvalidArgument, "matchLabels: must be an object");
        }
        for (const auto& [key, value] : ml->get_object()) {
            if (!value.is_string()) {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("matchLabels[{}]: must be a string", std::string(key)));
            }
            // Reported like metav1 label validation: the path is the map, the value the culprit.
            if (auto msgs = validateQualifiedName(key); !msgs.empty()) {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("matchLabels: Invalid value: {}: {}", quoted(key),
                                        joinMessages(msgs)));
            }
            if (auto msgs = validateLabelValue(value.get_string()); !msgs.empty()) {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("matchLabels: Invalid value: {}: {}",
                                        quoted(value.get_string()), joinMessages(msgs)));
            }
            s.m_requirements.push_back(
                {std::string(key), LabelOp::Equals, {std::string(value.get_string())}});
        }
    }
    if (const json::value* me = obj.if_contains("matchExpressions");
        me != nullptr && !me->is_null()) {
        if (!me->is_array()) {
            return fail(ErrorCode::InvalidArgument, "matchExpressions: must be an array");
        }
        const json::array& exprs = me->get_array();
        for (size_t i = 0; i < exprs.size(); ++i) {
            const std::string path = fmt::format("matchExpressions[{}]", i);
            if (!exprs[i].is_object()) {
                return fail(ErrorCode::InvalidArgument, path + ": must be an object");
            }
            const json::object& expr = exprs[i].get_object();
            const json::value* key = expr.if_contains("key");
            const json::value* op = expr.if_contains("operator");
            const std::string keyText =
                key != nullptr && key->is_string() ? std::string(key->get_string()) : std::string();
            const std::string opText =
                op != nullptr && op->is_string() ? std::string(op->get_string()) : std::string();
            LabelOp labelOp = LabelOp::In;
            if (opText == "In") {
                labelOp = LabelOp::In;
            } else if (opText == "NotIn") {
                labelOp = LabelOp::NotIn;
            } else if (opText == "Exists") {
                labelOp = LabelOp::Exists;
            } else if (opText == "DoesNotExist") {
                labelOp = LabelOp::DoesNotExist;
            } else {
                return fail(ErrorCode::InvalidArgument,
                            fmt::format("{}.operator: {} is not a valid label selector operator",
                                        path, quoted(opText)));
            }
            std::vector<std::string> values;
            if (const json::value* vs = expr.if_contains("values");
                vs != nullptr && !vs->is_null()) {
                if (!vs->is_array()) {
                    return fail(ErrorCode::InvalidArgument, path + ".values: must be an array");
                }
                for (const json::value& v : vs->get_array()) {
                    if (!v.is_string()) {
                        return fail(ErrorCode::InvalidArgument,
                                    path + ".values: must be an array of strings");
                    }
                    values.emplace_back(v.get_string());
                }
            }
            auto r = newRequirement(keyText, labelOp, std::move(values), path);
            if (!r) {
                return std::unexpected(r.error());
            }
            s.m_requirements.push_back(std::move(*r));
        }
    }
    sortByKey(s.m_requirements);
    return s;
}

LabelSelector LabelSelector::fromSet(const json::object& set) {
    LabelSelector s;
    for (const auto& [key, value] : set) {
        if (value.is_string()) {
            s.m_requirements.push_back(
                {std::string(key), LabelOp::Equals, {std::string(value.get_string())}});
        }
    }
    sortByKey(s.m_requirements);
    return s;
}

bool LabelSelector::matches(const json::object* labels) const {
    if (m_nothing) {
        return false;
    }
    return std::all_of(m_requirements.begin(), m_requirements.end(),
                       [&](const LabelRequirement& r) { return r.matches(labels); });
}

std::string LabelSelector::toString() const {
    std::string out;
    for (const LabelRequirement& r : m_requirements) {
        if (!out.empty()) {
            out += ',';
        }
        out += r.toString();
    }
    return out;
}

std::optional<std::string> LabelSelector::requiresExactMatch(std::string_view key) const {
    for (const LabelRequirement& r : m_requirements) {
        if (r.key != key) {
            continue;
        }
        const bool exact =
            r.op == LabelOp::Equals || r.op == LabelOp::DoubleEquals || r.op == LabelOp::In;
        if (exact && r.values.size() == 1) {
            return r.values.front();
        }
        return std::nullopt;
    }
    return std::nullopt;
}

} // namespace pilot::kube
