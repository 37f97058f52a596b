#include "engine/registry/management/doublestar.h"

#include <string>
#include <vector>

namespace pilot::registry::management {

namespace {

/// Expands the first `{a,b}` group (recursively): the patterns it stands for; empty when a
/// brace is not closed.
bool expandBraces(std::string_view pattern, std::vector<std::string>& out) {
    size_t open = std::string_view::npos;
    for (size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '\\') {
            ++i;
            continue;
        }
        if (pattern[i] == '{') {
            open = i;
            break;
        }
    }
    if (open == std::string_view::npos) {
        out.emplace_back(pattern);
        return true;
    }
    int depth = 0;
    std::vector<std::string_view> alternatives;
    size_t start = open + 1;
    for (size_t i = open; i < pattern.size(); ++i) {
        char c = pattern[i];
        if (c == '\\') {
            ++i;
            continue;
        }
        if (c == '{') {
            ++depth;
        } else if (c == '}') {
            if (--depth == 0) {
                alternatives.push_back(pattern.substr(start, i - start));
                std::string_view prefix = pattern.substr(0, open);
                std::string_view suffix = pattern.substr(i + 1);
                for (std::string_view alternative : alternatives) {
                    std::string expanded(prefix);
                    expanded.append(alternative).append(suffix);
                    if (!expandBraces(expanded, out)) {
                        return false;
                    }
                }
                return true;
            }
        } else if (c == ',' && depth == 1) {
            alternatives.push_back(pattern.substr(start, i - start));
            start = i + 1;
        }
    }
    return false;
}

/// Matches one class `[...]` starting at pattern[p] against `c`; sets `end` past the `]`.
/// False for a malformed class (end = npos).
bool matchClass(std::string_view pattern, size_t p, char c, size_t& end) {
    size_t i = p + 1;
    bool negate = i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^');
    if (negate) {
        ++i;
    }
    bool matched = false;
    bool first = true;
    while (i < pattern.size() && (pattern[i] != ']' || first)) {
        first = false;
        char low = pattern[i];
        if (low == '\\' && i + 1 < pattern.size()) {
            low = pattern[++i];
        }
        char high = low;
        if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
            high = pattern[i + 2];
            if (high == '\\' && i + 3 < pattern.size()) {
                high = pattern[i + 3];
                ++i;
            }
            i += 2;
        }
        if (low <= c && c <= high) {
            matched = true;
        }
        ++i;
    }
    if (i >= pattern.size()) {
        end = std::string_view::npos;
        return false;
    }
    end = i + 1;
    return matched != negate && c != '/';
}

bool globMatch(std::string_view pattern, std::string_view text) {
    size_t p = 0;
    size_t t = 0;
    while (p < pattern.size()) {
        char c = pattern[p];
        if (c == '*') {
            bool doubleStar = p + 1 < pattern.size() && pattern[p + 1] == '*';
            size_t rest = p + (doubleStar ? 2 : 1);
            if (doubleStar) {
                // `**/` may also match no directory at all.
                if (rest < pattern.size() && pattern[rest] == '/' &&
                    (p == 0 || pattern[p - 1] == '/') &&
                    globMatch(pattern.substr(rest + 1), text.substr(t))) {
                    return true;
                }
                for (size_t k = t; k <= text.size(); ++k) {
                    if (globMatch(pattern.substr(rest), text.substr(k))) {
                        return true;
                    }
                }
                return false;
            }
            for (size_t k = t; k <= text.size(); ++k) {
                if (globMatch(pattern.substr(rest), text.substr(k))) {
                    return true;
                }
                if (k < text.size() && text[k] == '/') {
                    return false;
                }
            }
            return false;
        }
        if (t >= text.size()) {
            return false;
        }
        if (c == '?') {
            if (text[t] == '/') {
                return false;
            }
            ++p;
            ++t;
            continue;
        }
        if (c == '[') {
            size_t end = 0;
            if (!matchClass(pattern, p, text[t], end)) {
                return false;
            }
            p = end;
            ++t;
            continue;
        }
        if (c == '\\' && p + 1 < pattern.size()) {
            c = pattern[++p];
        }
        if (c != text[t]) {
            return false;
        }
        ++p;
        ++t;
    }
    return t == text.size();
}

} // namespace

bool doublestarMatch(std::string_view pattern, std::string_view text) {
    if (pattern.empty()) {
        return true;
    }
    std::vector<std::string> patterns;
    if (!expandBraces(pattern, patterns)) {
        return false;
    }
    for (const std::string& expanded : patterns) {
        if (globMatch(expanded, text)) {
            return true;
        }
    }
    return false;
}

} // namespace pilot::registry::management
