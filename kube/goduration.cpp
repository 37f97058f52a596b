#include "kube/goduration.h"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <string>
#include <utility>

namespace pilot::kube {

namespace {

constexpr uint64_t MaxDuration = uint64_t{1} << 63;

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

/// leadingInt: the digits at the front of `s`; false on overflow.
bool leadingInt(std::string_view& s, uint64_t& value) {
    value = 0;
    size_t i = 0;
    for (; i < s.size() && isDigit(s[i]); ++i) {
        if (value > MaxDuration / 10) {
            return false;
        }
        value = value * 10 + static_cast<uint64_t>(s[i] - '0');
        if (value > MaxDuration) {
            return false;
        }
    }
    s.remove_prefix(i);
    return true;
}

/// leadingFraction: the digits at the front of `s` as value/scale; digits past what fits are
/// dropped.
void leadingFraction(std::string_view& s, uint64_t& value, double& scale) {
    value = 0;
    scale = 1;
    bool overflow = false;
    size_t i = 0;
    for (; i < s.size() && isDigit(s[i]); ++i) {
        if (overflow) {
            continue;
        }
        if (value > (MaxDuration - 1) / 10) {
            overflow = true;
            continue;
        }
        uint64_t next = value * 10 + static_cast<uint64_t>(s[i] - '0');
        if (next > MaxDuration) {
            overflow = true;
            continue;
        }
        value = next;
        scale *= 10;
    }
    s.remove_prefix(i);
}

uint64_t unitNanos(std::string_view unit) {
    static constexpr std::array<std::pair<std::string_view, uint64_t>, 8> Units{{
        {"ns", 1},
        {"us", 1000},
        {"\xC2\xB5s", 1000}, // U+00B5 micro sign
        {"\xCE\xBCs", 1000}, // U+03BC Greek mu
        {"ms", 1000000},
        {"s", 1000000000},
        {"m", 60ULL * 1000000000},
        {"h", 3600ULL * 1000000000},
    }};
    for (const auto& [name, nanos] : Units) {
        if (name == unit) {
            return nanos;
        }
    }
    return 0;
}

/// Go's `time.quote`, which its duration errors use: `"` and `\` escaped, bytes outside printable
/// ASCII as `\xNN` (unlike `%q`, which keeps UTF-8).
std::string timeQuote(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x80 || byte < 0x20) {
            out += fmt::format("\\x{:02x}", byte);
            continue;
        }
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "\"";
}

} // namespace

Result<std::chrono::nanoseconds> parseGoDuration(std::string_view text) {
    const std::string_view orig = text;
    auto invalid = [&] {
        return fail(ErrorCode::InvalidArgument,
                    fmt::format("time: invalid duration {}", timeQuote(orig)));
    };
    bool negative = false;
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    if (text == "0") {
        return std::chrono::nanoseconds(0);
    }
    if (text.empty()) {
        return invalid();
    }
    uint64_t total = 0;
    while (!text.empty()) {
        if (!(text.front() == '.' || isDigit(text.front()))) {
            return invalid();
        }
        size_t before = text.size();
        uint64_t whole = 0;
        if (!leadingInt(text, whole)) {
            return invalid();
        }
        bool pre = before != text.size();
        bool post = false;
        uint64_t fraction = 0;
        double scale = 1;
        if (!text.empty() && text.front() == '.') {
            text.remove_prefix(1);
            size_t beforeFraction = text.size();
            leadingFraction(text, fraction, scale);
            post = beforeFraction != text.size();
        }
        if (!pre && !post) {
            return invalid();
        }
        size_t unitLength = 0;
        while (unitLength < text.size() && text[unitLength] != '.' && !isDigit(text[unitLength])) {
            ++unitLength;
        }
        if (unitLength == 0) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("time: missing unit in duration {}", timeQuote(orig)));
        }
        std::string_view unitName = text.substr(0, unitLength);
        text.remove_prefix(unitLength);
        uint64_t unit = unitNanos(unitName);
        if (unit == 0) {
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("time: unknown unit {} in duration {}", timeQuote(unitName),
                                    timeQuote(orig)));
        }
        if (whole > MaxDuration / unit) {
            return invalid();
        }
        whole *= unit;
        if (fraction > 0) {
            whole += static_cast<uint64_t>(static_cast<double>(fraction) *
                                           (static_cast<double>(unit) / scale));
            if (whole > MaxDuration) {
                return invalid();
            }
        }
        total += whole;
        if (total > MaxDuration) {
            return invalid();
        }
    }
    if (negative) {
        return std::chrono::nanoseconds(static_cast<int64_t>(0 - total));
    }
    if (total > MaxDuration - 1) {
        return invalid();
    }
    return std::chrono::nanoseconds(static_cast<int64_t>(total));
}

std::string formatGoDuration(std::chrono::nanoseconds duration) {
    const bool negative = duration.count() < 0;
    uint64_t n = negative ? uint64_t{0} - static_cast<uint64_t>(duration.count())
                          : static_cast<uint64_t>(duration.count());
    // `value` / 10^digits with the fraction's trailing zeros dropped, as Go's fmtFrac.
    auto decimal = [](uint64_t value, int digits) {
        uint64_t scale = 1;
        for (int i = 0; i < digits; ++i) {
            scale *= 10;
        }
        std::string out = std::to_string(value / scale);
        if (uint64_t fraction = value % scale; fraction != 0) {
            std::string text = fmt::format("{:0{}}", fraction, digits);
            text.erase(text.find_last_not_of('0') + 1);
            out += "." + text;
        }
        return out;
    };
    std::string out;
    if (n == 0) {
        return "0s";
    }
    if (n < 1000) {
        out = std::to_string(n) + "ns";
    } else if (n < 1000000) {
        out = decimal(n, 3) + "\u00b5s";
    } else if (n < 1000000000) {
        out = decimal(n, 6) + "ms";
    } else {
        uint64_t seconds = n / 1000000000;
        uint64_t hours = seconds / 3600;
        uint64_t minutes = seconds / 60 % 60;
        if (hours > 0) {
            out += std::to_string(hours) + "h";
        }
        if (hours > 0 || minutes > 0) {
            out += std::to_string(minutes) + "m";
        }
        out += decimal(n % 60000000000, 9) + "s";
    }
    return negative ? "-" + out : out;
}

} // namespace pilot::kube
