#include "kube/yaml.h"

#include "kube/yamlscalar.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

namespace pilot::kube {

namespace json = boost::json;

namespace {

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

bool isLetterByte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/// go-yaml v2's key ordering: runs of digits compare numerically, non-letters before letters.
bool goYamlKeyLess(std::string_view a, std::string_view b) {
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        const auto ac = static_cast<unsigned char>(a[i]);
        const auto bc = static_cast<unsigned char>(b[i]);
        if (ac == bc) {
            continue;
        }
        const bool al = isLetterByte(ac);
        const bool bl = isLetterByte(bc);
        if (al && bl) {
            return ac < bc;
        }
        if (al || bl) {
            return bl;
        }
        int64_t an = 0;
        int64_t bn = 0;
        if (ac == '0' || bc == '0') {
            for (size_t j = i; j-- > 0 && isDigit(a[j]);) {
                if (a[j] != '0') {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        size_t ai = i;
        size_t bi = i;
        for (; ai < a.size() && isDigit(a[ai]); ++ai) {
            an = an * 10 + (a[ai] - '0');
        }
        for (; bi < b.size() && isDigit(b[bi]); ++bi) {
            bn = bn * 10 + (b[bi] - '0');
        }
        if (an != bn) {
            return an < bn;
        }
        if (ai != bi) {
            return ai < bi;
        }
        return ac < bc;
    }
    return a.size() < b.size();
}

/// Multi-byte sequences that YAML treats as line breaks or non-printable (NEL, LS, PS, BOM).
size_t specialUnicodeAt(std::string_view s, size_t i) {
    constexpr std::array<std::string_view, 4> Specials = {"\xC2\x85", "\xE2\x80\xA8",
                                                          "\xE2\x80\xA9", "\xEF\xBB\xBF"};
    for (std::string_view sp : Specials) {
        if (s.substr(i, sp.size()) == sp) {
            return sp.size();
        }
    }
    return 0;
}

bool hasSpecialCharacters(std::string_view s, bool allowNewline) {
    for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '\n' && allowNewline) {
            continue;
        }
        if (c < 0x20 || c == 0x7F || specialUnicodeAt(s, i) != 0) {
            return true;
        }
    }
    return false;
}

/// Whether go-yaml would re-read the plain text as something other than this string.
bool resolvesToNonString(const std::string& s) {
    json::value v;
    if (resolvePlainScalar(s, v) != PlainScalar::String) {
        return true;
    }
    // Timestamps and base-60 numbers are quoted by go-yaml too.
    if (s.size() >= 5 && std::all_of(s.begin(), s.begin() + 4, isDigit) && s[4] == '-') {
        return true;
    }
    const bool numericStart =
        isDigit(s[0]) || ((s[0] == '+' || s[0] == '-') && s.size() > 1 && isDigit(s[1]));
    return numericStart && s.find(':') != std::string::npos;
}

/// libyaml's analysis for plain scalars in block context.
bool plainAllowed(std::string_view s) {
    if (s.empty() || s.front() == ' ' || s.back() == ' ') {
        return false;
    }
    if (s.starts_with("---") || s.starts_with("...")) {
        return false;
    }
    constexpr std::string_view AlwaysIndicators = "#,[]{}&*!|>'\"%@`";
    if (AlwaysIndicators.find(s[0]) != std::string_view::npos) {
        return false;
    }
    const bool followedByBlank = s.size() == 1 || s[1] == ' ';
    if ((s[0] == '-' || s[0] == '?' || s[0] == ':') && followedByBlank) {
        return false;
    }
    for (size_t i = 1; i < s.size(); ++i) {
        if (s[i] == ':' && (i + 1 == s.size() || s[i + 1] == ' ')) {
            return false;
        }
        if (s[i] == '#' && s[i - 1] == ' ') {
            return false;
        }
    }
    return true;
}

void appendDoubleQuoted(std::string& out, std::string_view s) {
    out.push_back('"');
    for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (const size_t n = specialUnicodeAt(s, i); n != 0) {
            const std::string_view sp = s.substr(i, n);
            out += sp == "\xC2\x85"       ? "\\N"
                   : sp == "\xE2\x80\xA8" ? "\\L"
                   : sp == "\xE2\x80\xA9" ? "\\P"
                                          : "\\uFEFF";
            i += n - 1;
            continue;
        }
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\0':
            out += "\\0";
            break;
        default:
            if (c < 0x20 || c == 0x7F) {
                out += fmt::format("\\x{:02X}", c);
            } else {
                out.push_back(static_cast<char>(c));
            }
        }
    }
    out.push_back('"');
}

void appendSingleQuoted(std::string& out, std::string_view s) {
    out.push_back('\'');
    for (char c : s) {
        if (c == '\'') {
            out += "''";
        } else {
            out.push_back(c);
        }
    }
    out.push_back('\'');
}

/// Whether a multi-line string can be written as a literal block (libyaml refuses blocks for
/// strings with trailing spaces before a line break, leading whitespace or control characters).
bool literalAllowed(std::string_view s) {
    if (s.empty() || s.front() == ' ' || s.front() == '\t' || s.front() == '\n') {
        return false;
    }
    if (hasSpecialCharacters(s, true)) {
        return false;
    }
    for (size_t i = 0; i + 1 < s.size(); ++i) {
        if ((s[i] == ' ' || s[i] == '\t') && s[i + 1] == '\n') {
            return false;
        }
    }
    return true;
}

void appendIndent(std::string& out, int indent) {
    out.append(static_cast<size_t>(indent), ' ');
}

/// Writes a literal block: the indicator (after the caller's "key:" or "- ") and the lines.
void appendLiteral(std::string& out, std::string_view s, int indent) {
    std::string_view body = s;
    if (s.ends_with("\n\n")) {
        out += "|+\n";
        body.remove_suffix(1);
    } else if (s.ends_with('\n')) {
        out += "|\n";
        body.remove_suffix(1);
    } else {
        out += "|-\n";
    }
    size_t start = 0;
    while (true) {
        const size_t nl = body.find('\n', start);
        const std::string_view line =
            body.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
        if (!line.empty()) {
            appendIndent(out, indent);
            out += line;
        }
        out.push_back('\n');
        if (nl == std::string_view::npos) {
            break;
        }
        start = nl + 1;
    }
}

void appendScalarString(std::string& out, std::string_view s, bool isKey) {
    const std::string str(s);
    if (s.empty() || resolvesToNonString(str)) {
        appendDoubleQuoted(out, s);
        return;
    }
    if (hasSpecialCharacters(s, false) || (isKey && s.find('\n') != std::string_view::npos)) {
        appendDoubleQuoted(out, s);
        return;
    }
    if (plainAllowed(s)) {
        out += s;
        return;
    }
    appendSingleQuoted(out, s);
}

std::string formatDouble(double d) {
    if (std::isnan(d)) {
        return ".nan";
    }
    if (std::isinf(d)) {
        return d > 0 ? ".inf" : "-.inf";
    }
    std::string s = fmt::format("{}", d);
    // Keep integral doubles recognisable as floats only when they would not re-parse as ints
    // of the same value anyway; both forms compare equal as JSON numbers.
    return s;
}

/// Beyond this indentation nested collections are written as inline JSON (valid YAML flow
/// style) so that pathological nesting cannot exhaust the stack.
constexpr int MaxBlockIndent = 512;

class Writer {
public:
    std::string out;

    static bool tooDeep(const json::value& v, int indent) {
        return indent >= MaxBlockIndent && (v.is_object() || v.is_array());
    }

    void inlineJson(const json::value& v) {
        out += json::serialize(v);
        out.push_back('\n');
    }

    void scalar(const json::value& v) {
        switch (v.kind()) {
        case json::kind::null:
            out += "null";
            break;
        case json::kind::bool_:
            out += v.get_bool() ? "true" : "false";
            break;
        case json::kind::int64:
            out += std::to_string(v.get_int64());
            break;
        case json::kind::uint64:
            out += std::to_string(v.get_uint64());
            break;
        case json::kind::double_:
            out += formatDouble(v.get_double());
            break;
        case json::kind::string:
            appendScalarString(out, v.get_string(), false);
            break;
        case json::kind::object:
            out += "{}";
            break;
        case json::kind::array:
            out += "[]";
            break;
        }
    }

    static bool isBlockString(const json::value& v) {
        return v.is_string() && v.get_string().find('\n') != json::string::npos &&
               literalAllowed(v.get_string());
    }

    // `prefixed`: the first line already has "- " written, so do not indent it.
    void map(const json::object& obj, int indent, bool prefixed) {
        std::vector<const json::key_value_pair*> entries;
        entries.reserve(obj.size());
        for (const auto& kv : obj) {
            entries.push_back(&kv);
        }
        std::sort(entries.begin(), entries.end(),
                  [](const auto* a, const auto* b) { return goYamlKeyLess(a->key(), b->key()); });
        bool first = true;
        for (const json::key_value_pair* kv : entries) {
            if (!first || !prefixed) {
                appendIndent(out, indent);
            }
            first = false;
            appendScalarString(out, kv->key(), true);
            out.push_back(':');
            mapValue(kv->value(), indent);
        }
    }

    void mapValue(const json::value& v, int indent) {
        if (tooDeep(v, indent)) {
            out.push_back(' ');
            inlineJson(v);
            return;
        }
        if (v.is_object() && !v.get_object().empty()) {
            out.push_back('\n');
            map(v.get_object(), indent + 2, false);
        } else if (v.is_array() && !v.get_array().empty()) {
            out.push_back('\n');
            sequence(v.get_array(), indent, false);
        } else if (isBlockString(v)) {
            out.push_back(' ');
            appendLiteral(out, v.get_string(), indent + 2);
        } else {
            out.push_back(' ');
            scalar(v);
            out.push_back('\n');
        }
    }

    void sequence(const json::array& arr, int indent, bool prefixed) {
        bool first = true;
        for (const json::value& item : arr) {
            if (!first || !prefixed) {
                appendIndent(out, indent);
            }
            first = false;
            out += "- ";
            if (tooDeep(item, indent)) {
                inlineJson(item);
                continue;
            }
            if (item.is_object() && !item.get_object().empty()) {
                map(item.get_object(), indent + 2, true);
            } else if (item.is_array() && !item.get_array().empty()) {
                sequence(item.get_array(), indent + 2, true);
            } else if (isBlockString(item)) {
                appendLiteral(out, item.get_string(), indent + 2);
            } else {
                scalar(item);
                out.push_back('\n');
            }
        }
    }

    void top(const json::value& v) {
        if (v.is_object() && !v.get_object().empty()) {
            map(v.get_object(), 0, false);
        } else if (v.is_array() && !v.get_array().empty()) {
            sequence(v.get_array(), 0, false);
        } else if (isBlockString(v)) {
            appendLiteral(out, v.get_string(), 2);
        } else {
            scalar(v);
            out.push_back('\n');
        }
    }
};

} // namespace

std::string toYaml(const json::value& value) {
    Writer writer;
    writer.top(value);
    return std::move(writer.out);
}

} // namespace pilot::kube
