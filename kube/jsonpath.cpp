#include "kube/jsonpath.h"

#include "kube/jsonutil.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>

namespace pilot::kube {

namespace json = boost::json;

enum class StepKind { Child, Wildcard, RecursiveChild, RecursiveWildcard, Index, Slice, Filter };
enum class CompareOp { None, Eq, Ne, Lt, Gt, Le, Ge };

struct JsonPath::Step {
    StepKind kind = StepKind::Child;
    std::string name;                  // Child, RecursiveChild
    int64_t index = 0;                 // Index
    std::optional<int64_t> sliceStart; // Slice
    std::optional<int64_t> sliceEnd;
    int64_t sliceStep = 1;
    std::vector<Step> filterPath; // Filter: path relative to @
    CompareOp op = CompareOp::None;
    json::value literal;
};

namespace {

using Step = JsonPath::Step;

class Parser {
public:
    explicit Parser(std::string_view text) : m_text(text) {}

    Result<std::vector<Step>> parseTop() {
        skipSpaces();
        if (peek() == '{') {
            if (m_text.back() != '}') {
                return error("missing closing '}'");
            }
            m_text = m_text.substr(1, m_text.size() - 2);
            m_pos = 0;
            skipSpaces();
        }
        if (peek() == '$') {
            ++m_pos;
        }
        std::vector<Step> steps;
        // Tolerate a path without its leading dot ("spec.replicas").
        if (m_pos < m_text.size() && m_text[m_pos] != '.' && m_text[m_pos] != '[') {
            Step s;
            s.name = readName(false);
            steps.push_back(std::move(s));
        }
        auto rest = parseSteps(false);
        if (!rest) {
            return rest;
        }
        for (Step& s : *rest) {
            steps.push_back(std::move(s));
        }
        skipSpaces();
        if (m_pos != m_text.size()) {
            return error(fmt::format("unexpected {:?}", m_text.substr(m_pos, 1)));
        }
        return steps;
    }

private:
    [[nodiscard]] char peek(size_t ahead = 0) const {
        return m_pos + ahead < m_text.size() ? m_text[m_pos + ahead] : '\0';
    }

    void skipSpaces() {
        while (peek() == ' ') {
            ++m_pos;
        }
    }

    std::unexpected<Error> error(std::string_view what) const {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("invalid jsonpath {:?} at position {}: {}", m_text, m_pos, what));
    }

    static bool endsName(char c, bool inFilter) {
        if (c == '.' || c == '[' || c == '\0') {
            return true;
        }
        return inFilter &&
               (c == ' ' || c == '=' || c == '!' || c == '<' || c == '>' || c == ')' || c == ']');
    }

    std::string readName(bool inFilter) {
        std::string name;
        while (!endsName(peek(), inFilter)) {
            if (peek() == '\\' && m_pos + 1 < m_text.size()) {
                ++m_pos;
            }
            name.push_back(m_text[m_pos++]);
        }
        return name;
    }

    Result<std::vector<Step>> parseSteps(bool inFilter) {
        std::vector<Step> steps;
        while (m_pos < m_text.size()) {
            const char c = peek();
            if (inFilter && endsName(c, true) && c != '.' && c != '[') {
                break;
            }
            if (c == '.') {
                Step s;
                if (peek(1) == '.') {
                    m_pos += 2;
                    s.kind = StepKind::RecursiveChild;
                } else {
                    ++m_pos;
                }
                if (peek() == '*') {
                    ++m_pos;
                    s.kind = s.kind == StepKind::RecursiveChild ? StepKind::RecursiveWildcard
                                                                : StepKind::Wildcard;
                    steps.push_back(std::move(s));
                    continue;
                }
                if (peek() == '[' && s.kind == StepKind::RecursiveChild) {
                    s.kind = StepKind::RecursiveWildcard;
                    steps.push_back(std::move(s));
                    continue;
                }
                s.name = readName(inFilter);
                if (s.name.empty()) {
                    if (m_pos == m_text.size() && s.kind == StepKind::Child) {
                        continue; // "." alone or a trailing dot: the current node
                    }
                    return error("expected a field name");
                }
                steps.push_back(std::move(s));
                continue;
            }
            if (c == '[') {
                auto s = parseBracket();
                if (!s) {
                    return std::unexpected(s.error());
                }
                steps.push_back(std::move(*s));
                continue;
            }
            return error(fmt::format("unexpected {:?}", m_text.substr(m_pos, 1)));
        }
        return steps;
    }

    Result<std::optional<int64_t>> readInt() {
        skipSpaces();
        const size_t start = m_pos;
        if (peek() == '-' || peek() == '+') {
            ++m_pos;
        }
        while (peek() >= '0' && peek() <= '9') {
            ++m_pos;
        }
        std::string_view digits = m_text.substr(start, m_pos - start);
        skipSpaces();
        if (digits.empty()) {
            return std::optional<int64_t>();
        }
        if (digits.front() == '+') {
            digits.remove_prefix(1);
        }
        int64_t v = 0;
        const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
        if (ec != std::errc() || ptr != digits.data() + digits.size()) {
            return error("invalid array index");
        }
        return std::optional<int64_t>(v);
    }

    Result<std::string> readQuoted() {
        const char quote = peek();
        ++m_pos;
        std::string out;
        while (m_pos < m_text.size() && peek() != quote) {
            if (peek() == '\\' && m_pos + 1 < m_text.size()) {
                ++m_pos;
            }
            out.push_back(m_text[m_pos++]);
        }
        if (peek() != quote) {
            return error("unterminated string");
        }
        ++m_pos;
        return out;
    }

    Result<Step> parseBracket() {
        ++m_pos; // '['
        skipSpaces();
        Step s;
        if (peek() == '*') {
            ++m_pos;
            s.kind = StepKind::Wildcard;
        } else if (peek() == '\'' || peek() == '"') {
            auto name = readQuoted();
            if (!name) {
                return std::unexpected(name.error());
            }
            s.name = std::move(*name);
        } else if (peek() == '?') {
            auto filter = parseFilter();
            if (!filter) {
                return filter;
            }
            s = std::move(*filter);
        } else {
            auto first = readInt();
            if (!first) {
                return std::unexpected(first.error());
            }
            if (peek() == ':') {
                s.kind = StepKind::Slice;
                s.sliceStart = *first;
                ++m_pos;
                auto second = readInt();
                if (!second) {
                    return std::unexpected(second.error());
                }
                s.sliceEnd = *second;
                if (peek() == ':') {
                    ++m_pos;
                    auto step = readInt();
                    if (!step) {
                        return std::unexpected(step.error());
                    }
                    s.sliceStep = step->value_or(1);
                    if (s.sliceStep <= 0) {
                        return error("slice step must be positive");
                    }
                }
            } else {
                if (!*first) {
                    return error("expected an index, '*', a quoted name or a filter");
                }
                s.kind = StepKind::Index;
                s.index = **first;
            }
        }
        skipSpaces();
        if (peek() != ']') {
            return error("expected ']'");
        }
        ++m_pos;
        return s;
    }

    Result<Step> parseFilter() {
        ++m_pos; // '?'
        if (peek() != '(') {
            return error("expected '(' after '?'");
        }
        ++m_pos;
        skipSpaces();
        if (peek() != '@') {
            return error("filter must start with '@'");
        }
        ++m_pos;
        Step s;
        s.kind = StepKind::Filter;
        auto path = parseSteps(true);
        if (!path) {
            return std::unexpected(path.error());
        }
        s.filterPath = std::move(*path);
        skipSpaces();
        static constexpr std::pair<std::string_view, CompareOp> Ops[] = {
            {"==", CompareOp::Eq}, {"!=", CompareOp::Ne}, {"<=", CompareOp::Le},
            {">=", CompareOp::Ge}, {"<", CompareOp::Lt},  {">", CompareOp::Gt},
        };
        for (const auto& [text, op] : Ops) {
            if (m_text.substr(m_pos).starts_with(text)) {
                s.op = op;
                m_pos += text.size();
                break;
            }
        }
        if (s.op != CompareOp::None) {
            skipSpaces();
            auto literal = parseLiteral();
            if (!literal) {
                return std::unexpected(literal.error());
            }
            s.literal = std::move(*literal);
        }
        skipSpaces();
        if (peek() != ')') {
            return error("expected ')' to close the filter");
        }
        ++m_pos;
        return s;
    }

    Result<json::value> parseLiteral() {
        if (peek() == '\'' || peek() == '"') {
            auto text = readQuoted();
            if (!text) {
                return std::unexpected(text.error());
            }
            return json::value(json::string(*text));
        }
        const size_t start = m_pos;
        while (m_pos < m_text.size() && peek() != ')' && peek() != ' ') {
            ++m_pos;
        }
        const std::string word(m_text.substr(start, m_pos - start));
        if (word == "true" || word == "false") {
            return json::value(word == "true");
        }
        if (word == "null") {
            return json::value(nullptr);
        }
        double d = 0;
        const auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), d);
        if (word.empty() || ec != std::errc() || ptr != word.data() + word.size()) {
            return error(fmt::format("invalid filter literal {:?}", word));
        }
        return json::value(d);
    }

    std::string_view m_text;
    size_t m_pos = 0;
};

void evaluateSteps(const json::value& node, const std::vector<Step>& steps, size_t first,
                   std::vector<const json::value*>& out);

void collectRecursive(const json::value& node, const Step& step,
                      std::vector<const json::value*>& out) {
    if (node.is_object()) {
        if (step.kind == StepKind::RecursiveChild) {
            if (const json::value* v = node.get_object().if_contains(step.name)) {
                out.push_back(v);
            }
        }
        for (const auto& kv : node.get_object()) {
            if (step.kind == StepKind::RecursiveWildcard) {
                out.push_back(&kv.value());
            }
            collectRecursive(kv.value(), step, out);
        }
    } else if (node.is_array()) {
        for (const json::value& item : node.get_array()) {
            if (step.kind == StepKind::RecursiveWildcard) {
                out.push_back(&item);
            }
            collectRecursive(item, step, out);
        }
    }
}

bool compare(const json::value& left, CompareOp op, const json::value& right) {
    int order = 0;
    if (isNumber(left) && isNumber(right)) {
        const double a = left.to_number<double>();
        const double b = right.to_number<double>();
        order = a < b ? -1 : (a > b ? 1 : 0);
    } else if (left.is_string() && right.is_string()) {
        const int c = left.get_string().compare(right.get_string());
        order = c < 0 ? -1 : (c > 0 ? 1 : 0);
    } else if (op == CompareOp::Eq) {
        return jsonEqual(left, right);
    } else if (op == CompareOp::Ne) {
        return !jsonEqual(left, right);
    } else {
        return false;
    }
    switch (op) {
    case CompareOp::Eq:
        return order == 0;
    case CompareOp::Ne:
        return order != 0;
    case CompareOp::Lt:
        return order < 0;
    case CompareOp::Gt:
        return order > 0;
    case CompareOp::Le:
        return order <= 0;
    case CompareOp::Ge:
        return order >= 0;
    case CompareOp::None:
        return true;
    }
    return false;
}

bool filterMatches(const json::value& item, const Step& step) {
    std::vector<const json::value*> found;
    evaluateSteps(item, step.filterPath, 0, found);
    if (step.op == CompareOp::None) {
        return !found.empty();
    }
    for (const json::value* v : found) {
        if (compare(*v, step.op, step.literal)) {
            return true;
        }
    }
    return false;
}

void applyStep(const json::value& node, const Step& step, std::vector<const json::value*>& out) {
    switch (step.kind) {
    case StepKind::Child:
        if (node.is_object()) {
            if (const json::value* v = node.get_object().if_contains(step.name)) {
                out.push_back(v);
            }
        }
        return;
    case StepKind::Wildcard:
        if (node.is_object()) {
            for (const auto& kv : node.get_object()) {
                out.push_back(&kv.value());
            }
        } else if (node.is_array()) {
            for (const json::value& item : node.get_array()) {
                out.push_back(&item);
            }
        }
        return;
    case StepKind::RecursiveChild:
    case StepKind::RecursiveWildcard:
        collectRecursive(node, step, out);
        return;
    case StepKind::Index: {
        if (!node.is_array()) {
            return;
        }
        const auto size = static_cast<int64_t>(node.get_array().size());
        const int64_t i = step.index < 0 ? size + step.index : step.index;
        if (i >= 0 && i < size) {
            out.push_back(&node.get_array()[static_cast<size_t>(i)]);
        }
        return;
    }
    case StepKind::Slice: {
        if (!node.is_array()) {
            return;
        }
        const auto size = static_cast<int64_t>(node.get_array().size());
        const auto clampIndex = [size](int64_t v) {
            if (v < 0) {
                v += size;
            }
            return std::clamp<int64_t>(v, 0, size);
        };
        const int64_t start = clampIndex(step.sliceStart.value_or(0));
        const int64_t end = clampIndex(step.sliceEnd.value_or(size));
        for (int64_t i = start; i < end; i += step.sliceStep) {
            out.push_back(&node.get_array()[static_cast<size_t>(i)]);
        }
        return;
    }
    case StepKind::Filter:
        if (node.is_array()) {
            for (const json::value& item : node.get_array()) {
                if (filterMatches(item, step)) {
                    out.push_back(&item);
                }
            }
        }
        return;
    }
}

void evaluateSteps(const json::value& node, const std::vector<Step>& steps, size_t first,
                   std::vector<const json::value*>& out) {
    std::vector<const json::value*> current{&node};
    for (size_t i = first; i < steps.size() && !current.empty(); ++i) {
        std::vector<const json::value*> next;
        for (const json::value* v : current) {
            applyStep(*v, steps[i], next);
        }
        current = std::move(next);
    }
    out.insert(out.end(), current.begin(), current.end());
}

} // namespace

Result<JsonPath> JsonPath::parse(std::string_view expression) {
    Parser parser(expression);
    auto steps = parser.parseTop();
    if (!steps) {
        return std::unexpected(steps.error());
    }
    JsonPath path;
    path.m_expression = std::string(expression);
    path.m_steps = std::make_shared<const std::vector<Step>>(std::move(*steps));
    return path;
}

std::vector<const json::value*> JsonPath::evaluate(const json::value& root) const {
    std::vector<const json::value*> out;
    if (!m_steps) {
        out.push_back(&root);
        return out;
    }
    evaluateSteps(root, *m_steps, 0, out);
    return out;
}

Result<std::vector<const json::value*>> evaluateJsonPath(const json::value& root,
                                                         std::string_view expression) {
    auto path = JsonPath::parse(expression);
    if (!path) {
        return std::unexpected(path.error());
    }
    return path->evaluate(root);
}

} // namespace pilot::kube
