#include "kube/names.h"

#include <fmt/format.h>

namespace pilot::kube {

namespace {

constexpr std::string_view Dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view Dns1123LabelErrMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character";
constexpr std::string_view Dns1123SubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr std::string_view Dns1123SubdomainErrMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character";
constexpr std::string_view Dns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view Dns1035LabelErrMsg =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character";
constexpr std::string_view QualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr std::string_view QualifiedNameErrMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character";
constexpr std::string_view LabelValueFmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
constexpr std::string_view LabelValueErrMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character";

constexpr size_t Dns1123LabelMaxLength = 63;
constexpr size_t Dns1123SubdomainMaxLength = 253;
constexpr size_t Dns1035LabelMaxLength = 63;
constexpr size_t QualifiedNameMaxLength = 63;
constexpr size_t LabelValueMaxLength = 63;

std::string maxLenError(size_t length) {
    return fmt::format("must be no more than {} bytes", length);
}

std::string emptyError() {
    return "must be non-empty";
}

/// Upstream RegexError: "msg (e.g. 'a',  or 'b', regex used for validation is 're')".
std::string regexError(std::string_view msg, std::string_view re,
                       std::initializer_list<std::string_view> examples) {
    std::string out(msg);
    out += " (e.g. ";
    bool first = true;
    for (std::string_view example : examples) {
        if (!first) {
            out += " or ";
        }
        first = false;
        out += fmt::format("'{}', ", example);
    }
    out += fmt::format("regex used for validation is '{}')", re);
    return out;
}

bool isLowerAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool isAlnum(char c) {
    return isLowerAlnum(c) || (c >= 'A' && c <= 'Z');
}

/// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool matchesDns1123Label(std::string_view s) {
    if (s.empty() || !isLowerAlnum(s.front()) || !isLowerAlnum(s.back())) {
        return false;
    }
    for (char c : s) {
        if (!isLowerAlnum(c) && c != '-') {
            return false;
        }
    }
    return true;
}

bool matchesDns1123Subdomain(std::string_view s) {
    size_t start = 0;
    while (true) {
        const size_t dot = s.find('.', start);
        if (!matchesDns1123Label(s.substr(
                start, dot == std::string_view::npos ? std::string_view::npos : dot - start))) {
            return false;
        }
        if (dot == std::string_view::npos) {
            return true;
        }
        start = dot + 1;
    }
}

bool matchesDns1035Label(std::string_view s) {
    return matchesDns1123Label(s) && s.front() >= 'a' && s.front() <= 'z';
}

/// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool matchesQualifiedNamePart(std::string_view s) {
    if (s.empty() || !isAlnum(s.front()) || !isAlnum(s.back())) {
        return false;
    }
    for (char c : s) {
        if (!isAlnum(c) && c != '-' && c != '_' && c != '.') {
            return false;
        }
    }
    return true;
}

} // namespace

std::vector<std::string> validateDns1123Subdomain(std::string_view value) {
    std::vector<std::string> errs;
    if (value.size() > Dns1123SubdomainMaxLength) {
        errs.push_back(maxLenError(Dns1123SubdomainMaxLength));
    }
    if (!matchesDns1123Subdomain(value)) {
        errs.push_back(regexError(Dns1123SubdomainErrMsg, Dns1123SubdomainFmt, {"example.com"}));
    }
    return errs;
}

std::vector<std::string> validateDns1123Label(std::string_view value) {
    std::vector<std::string> errs;
    if (value.size() > Dns1123LabelMaxLength) {
        errs.push_back(maxLenError(Dns1123LabelMaxLength));
    }
    if (!matchesDns1123Label(value)) {
        if (matchesDns1123Subdomain(value)) {
            errs.emplace_back("must not contain dots");
        } else {
            errs.push_back(regexError(Dns1123LabelErrMsg, Dns1123LabelFmt, {"my-name", "123-abc"}));
        }
    }
    return errs;
}

std::vector<std::string> validateDns1035Label(std::string_view value) {
    std::vector<std::string> errs;
    if (value.size() > Dns1035LabelMaxLength) {
        errs.push_back(maxLenError(Dns1035LabelMaxLength));
    }
    if (!matchesDns1035Label(value)) {
        errs.push_back(regexError(Dns1035LabelErrMsg, Dns1035LabelFmt, {"my-name", "abc-123"}));
    }
    return errs;
}

std::vector<std::string> validateQualifiedName(std::string_view value) {
    std::vector<std::string> errs;
    const size_t slash = value.find('/');
    std::string_view namePart = value;
    if (slash != std::string_view::npos) {
        if (value.find('/', slash + 1) != std::string_view::npos) {
            errs.push_back("a qualified name " +
                           regexError(QualifiedNameErrMsg, QualifiedNameFmt,
                                      {"MyName", "my.name", "123-abc"}) +
                           " with an optional DNS subdomain prefix and '/' (e.g. "
                           "'example.com/MyName')");
            return errs;
        }
        const std::string_view prefix = value.substr(0, slash);
        namePart = value.substr(slash + 1);
        if (prefix.empty()) {
            errs.push_back("prefix part " + emptyError());
        } else {
            for (const std::string& msg : validateDns1123Subdomain(prefix)) {
                errs.push_back("prefix part " + msg);
            }
        }
    }
    if (namePart.empty()) {
        errs.push_back("name part " + emptyError());
    } else if (namePart.size() > QualifiedNameMaxLength) {
        errs.push_back("name part " + maxLenError(QualifiedNameMaxLength));
    }
    if (!matchesQualifiedNamePart(namePart)) {
        errs.push_back("name part " + regexError(QualifiedNameErrMsg, QualifiedNameFmt,
                                                 {"MyName", "my.name", "123-abc"}));
    }
    return errs;
}

std::vector<std::string> validateLabelValue(std::string_view value) {
    std::vector<std::string> errs;
    if (value.size() > LabelValueMaxLength) {
        errs.push_back(maxLenError(LabelValueMaxLength));
    }
    if (!value.empty() && !matchesQualifiedNamePart(value)) {
        errs.push_back(
            regexError(LabelValueErrMsg, LabelValueFmt, {"MyValue", "my_value", "12345"}));
    }
    return errs;
}

std::string joinMessages(const std::vector<std::string>& messages) {
    std::string out;
    for (const std::string& m : messages) {
        if (!out.empty()) {
            out += "; ";
        }
        out += m;
    }
    return out;
}

} // namespace pilot::kube
