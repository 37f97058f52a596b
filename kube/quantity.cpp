#include "kube/quantity.h"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <vector>

namespace pilot::kube {

namespace json = boost::json;

namespace {

using Int128 = detail::QuantityNanos;
__extension__ typedef unsigned __int128 UInt128;

constexpr std::string_view FormatWrong = "quantities must match the regular expression "
                                         "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr std::string_view SuffixWrong = "unable to parse quantity's suffix";

constexpr int64_t NanosPerUnit = 1'000'000'000;
constexpr UInt128 MaxNanos =
    static_cast<UInt128>(std::numeric_limits<int64_t>::max()) * NanosPerUnit;

/// Minimal arbitrary-precision unsigned integer for exact parsing before rounding and capping.
class BigUint {
public:
    void mulSmall(uint32_t m) {
        uint64_t carry = 0;
        for (uint32_t& limb : m_limbs) {
            const uint64_t v = static_cast<uint64_t>(limb) * m + carry;
            limb = static_cast<uint32_t>(v);
            carry = v >> 32;
        }
        if (carry != 0) {
            m_limbs.push_back(static_cast<uint32_t>(carry));
        }
    }

    void addSmall(uint32_t a) {
        uint64_t carry = a;
        for (uint32_t& limb : m_limbs) {
            if (carry == 0) {
                return;
            }
            const uint64_t v = static_cast<uint64_t>(limb) + carry;
            limb = static_cast<uint32_t>(v);
            carry = v >> 32;
        }
        if (carry != 0) {
            m_limbs.push_back(static_cast<uint32_t>(carry));
        }
    }

    /// Divides in place; returns the remainder.
    uint32_t divSmall(uint32_t d) {
        uint64_t rem = 0;
        for (size_t i = m_limbs.size(); i-- > 0;) {
            const uint64_t cur = (rem << 32) | m_limbs[i];
            m_limbs[i] = static_cast<uint32_t>(cur / d);
            rem = cur % d;
        }
        trim();
        return static_cast<uint32_t>(rem);
    }

    [[nodiscard]] bool isZero() const { return m_limbs.empty(); }
    [[nodiscard]] size_t limbs() const { return m_limbs.size(); }

    /// The value, or nullopt when it does not fit 128 bits.
    [[nodiscard]] std::optional<UInt128> toU128() const {
        if (m_limbs.size() > 4) {
            return std::nullopt;
        }
        UInt128 v = 0;
        for (size_t i = m_limbs.size(); i-- > 0;) {
            v = (v << 32) | m_limbs[i];
        }
        return v;
    }

private:
    void trim() {
        while (!m_limbs.empty() && m_limbs.back() == 0) {
            m_limbs.pop_back();
        }
    }

    std::vector<uint32_t> m_limbs; // little endian
};

struct Suffix {
    int base = 10;
    int exponent = 0;
    Quantity::Format format = Quantity::Format::DecimalSI;
};

std::optional<Suffix> interpretSuffix(std::string_view s) {
    using F = Quantity::Format;
    struct Entry {
        std::string_view text;
        Suffix suffix;
    };
    static constexpr Entry Table[] = {
        {"", {10, 0, F::DecimalSI}},   {"n", {10, -9, F::DecimalSI}}, {"u", {10, -6, F::DecimalSI}},
        {"m", {10, -3, F::DecimalSI}}, {"k", {10, 3, F::DecimalSI}},  {"M", {10, 6, F::DecimalSI}},
        {"G", {10, 9, F::DecimalSI}},  {"T", {10, 12, F::DecimalSI}}, {"P", {10, 15, F::DecimalSI}},
        {"E", {10, 18, F::DecimalSI}}, {"Ki", {2, 10, F::BinarySI}},  {"Mi", {2, 20, F::BinarySI}},
        {"Gi", {2, 30, F::BinarySI}},  {"Ti", {2, 40, F::BinarySI}},  {"Pi", {2, 50, F::BinarySI}},
        {"Ei", {2, 60, F::BinarySI}},
    };
    for (const Entry& e : Table) {
        if (e.text == s) {
            return e.suffix;
        }
    }
    if (s.size() > 1 && (s[0] == 'e' || s[0] == 'E')) {
        std::string_view digits = s.substr(1);
        bool negative = false;
        if (digits[0] == '+' || digits[0] == '-') {
            negative = digits[0] == '-';
            digits.remove_prefix(1);
        }
        if (digits.empty()) {
            return std::nullopt;
        }
        // Exponents beyond int32 are rejected rather than truncated (as current upstream does).
        int64_t exp = 0;
        for (char c : digits) {
            if (c < '0' || c > '9') {
                return std::nullopt;
            }
            exp = exp * 10 + (c - '0');
            if (exp > std::numeric_limits<int32_t>::max()) {
                return std::nullopt;
            }
        }
        return Suffix{10, static_cast<int>(negative ? -exp : exp), F::DecimalExponent};
    }
    return std::nullopt;
}

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

std::string toDecimal(UInt128 v) {
    if (v == 0) {
        return "0";
    }
    std::string out;
    while (v != 0) {
        out.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
        v /= 10;
    }
    std::reverse(out.begin(), out.end());
    return out;
}

std::string toDecimal(Int128 v) {
    if (v < 0) {
        return "-" + toDecimal(static_cast<UInt128>(-v));
    }
    return toDecimal(static_cast<UInt128>(v));
}

int64_t saturate(Int128 v) {
    if (v > std::numeric_limits<int64_t>::max()) {
        return std::numeric_limits<int64_t>::max();
    }
    if (v < std::numeric_limits<int64_t>::min()) {
        return std::numeric_limits<int64_t>::min();
    }
    return static_cast<int64_t>(v);
}

/// ceil(|nanos| / divisor) with the sign of nanos.
Int128 scaleAwayFromZero(Int128 nanos, int64_t divisor) {
    const bool negative = nanos < 0;
    const UInt128 magnitude = negative ? static_cast<UInt128>(-nanos) : static_cast<UInt128>(nanos);
    UInt128 q = magnitude / static_cast<UInt128>(divisor);
    if (magnitude % static_cast<UInt128>(divisor) != 0) {
        ++q;
    }
    const auto r = static_cast<Int128>(q);
    return negative ? -r : r;
}

} // namespace

Result<Quantity> Quantity::parse(std::string_view str) {
    if (str.empty()) {
        return fail(ErrorCode::InvalidArgument, std::string(FormatWrong));
    }
    size_t pos = 0;
    const size_t end = str.size();
    bool positive = true;
    if (str[0] == '-' || str[0] == '+') {
        positive = str[0] == '+';
        ++pos;
    }
    while (pos < end && str[pos] == '0') {
        ++pos;
    }
    if (pos >= end) {
        return Quantity();
    }
    const size_t numStart = pos;
    while (pos < end && isDigit(str[pos])) {
        ++pos;
    }
    std::string num(str.substr(numStart, pos - numStart));
    if (num.empty()) {
        num = "0";
    }
    std::string_view denom;
    if (pos < end && str[pos] == '.') {
        ++pos;
        const size_t denomStart = pos;
        while (pos < end && isDigit(str[pos])) {
            ++pos;
        }
        denom = str.substr(denomStart, pos - denomStart);
    }
    const size_t suffixStart = pos;
    constexpr std::string_view SuffixChars = "eEinumkKMGTP";
    while (pos < end && SuffixChars.find(str[pos]) != std::string_view::npos) {
        ++pos;
    }
    if (pos < end && (str[pos] == '-' || str[pos] == '+')) {
        ++pos;
    }
    while (pos < end && isDigit(str[pos])) {
        ++pos;
    }
    if (pos < end) {
        return fail(ErrorCode::InvalidArgument, std::string(FormatWrong));
    }
    const auto suffix = interpretSuffix(str.substr(suffixStart));
    if (!suffix) {
        return fail(ErrorCode::InvalidArgument, std::string(SuffixWrong));
    }

    Quantity q;
    q.m_format = suffix->format;
    const bool binary = suffix->base == 2;

    // Upstream's int64 fast path: exact, not capped, and the only place a non-canonical input
    // string is kept for printing.
    int precision = -1;
    if (!binary) {
        precision = 18 - static_cast<int>(num.size() + denom.size());
    } else if (denom.empty()) {
        precision = 15 - static_cast<int>(num.size()) -
                    static_cast<int>(static_cast<float>(suffix->exponent) * 3 / 10) - 1;
    }
    if (precision >= 0) {
        const int scale = (binary ? 0 : suffix->exponent) - static_cast<int>(denom.size());
        if (scale >= -9) {
            const std::string shifted = num + std::string(denom);
            Int128 value = 0;
            for (char c : shifted) {
                value = value * 10 + (c - '0');
            }
            const Int128 mantissa = binary ? (static_cast<Int128>(1) << suffix->exponent) : 1;
            const Int128 result = value * mantissa;
            if (result <= std::numeric_limits<int64_t>::max()) {
                // result * 10^scale, in nanos; clamp absurd magnitudes (beyond 128 bits).
                Int128 nanos = result;
                for (int i = 0; i < scale + 9; ++i) {
                    if (nanos > static_cast<Int128>(MaxNanos) * 1000) {
                        nanos = static_cast<Int128>(MaxNanos);
                        break;
                    }
                    nanos *= 10;
                }
                q.m_nanos = positive ? nanos : -nanos;
                const bool keepText =
                    binary ? (static_cast<int64_t>(value) & 0x07) != 0
                           : (scale % 3 == 0 && !shifted.ends_with("000") && shifted[0] != '0');
                if (keepText) {
                    q.m_text = std::string(str);
                }
                return q;
            }
        }
    }

    // Exact big-number path: round up to 1n, cap at 2^63-1.
    BigUint n;
    for (char c : num + std::string(denom)) {
        n.mulSmall(10);
        n.addSmall(static_cast<uint32_t>(c - '0'));
    }
    if (binary) {
        for (int i = 0; i < suffix->exponent; i += 16) {
            n.mulSmall(1u << std::min(16, suffix->exponent - i));
        }
    }
    int64_t e10 = (binary ? 0 : suffix->exponent) - static_cast<int64_t>(denom.size()) + 9;
    bool roundUp = false;
    bool capped = false;
    if (!n.isZero()) {
        for (; e10 > 0; --e10) {
            if (n.limbs() > 4) {
                capped = true;
                break;
            }
            n.mulSmall(10);
        }
        for (; e10 < 0 && !n.isZero(); ++e10) {
            roundUp = n.divSmall(10) != 0 || roundUp;
        }
    }
    UInt128 magnitude = 0;
    if (capped) {
        magnitude = MaxNanos;
    } else {
        const auto v = n.toU128();
        magnitude = v ? *v : MaxNanos;
        if (roundUp) {
            ++magnitude;
        }
        magnitude = std::min(magnitude, MaxNanos);
    }
    if (q.m_format == Format::BinarySI && magnitude > 0 && magnitude < NanosPerUnit) {
        q.m_format = Format::DecimalSI;
    }
    const auto signedMagnitude = static_cast<Int128>(magnitude);
    q.m_nanos = positive ? signedMagnitude : -signedMagnitude;
    return q;
}

Result<Quantity> Quantity::fromJson(const json::value& value) {
    switch (value.kind()) {
    case json::kind::null:
        return Quantity();
    case json::kind::string:
        return parse(value.get_string());
    case json::kind::int64:
        return parse(std::to_string(value.get_int64()));
    case json::kind::uint64:
        return parse(std::to_string(value.get_uint64()));
    case json::kind::double_:
        return parse(fmt::format("{}", value.get_double()));
    default:
        return fail(ErrorCode::InvalidArgument, std::string(FormatWrong));
    }
}

Quantity Quantity::fromValue(int64_t value, Format format) {
    Quantity q;
    q.m_nanos = static_cast<Int128>(value) * NanosPerUnit;
    q.m_format = format;
    return q;
}

Quantity Quantity::fromMilli(int64_t milli, Format format) {
    Quantity q;
    q.m_nanos = static_cast<Int128>(milli) * 1'000'000;
    q.m_format = format;
    return q;
}

std::string Quantity::toString() const {
    if (!m_text.empty()) {
        return m_text;
    }
    if (m_nanos == 0) {
        return "0";
    }
    Format format = m_format;
    if (format == Format::BinarySI) {
        const Int128 limit = static_cast<Int128>(1024) * NanosPerUnit;
        if ((m_nanos > -limit && m_nanos < limit) || m_nanos % NanosPerUnit != 0) {
            format = Format::DecimalSI;
        }
    }
    if (format == Format::BinarySI) {
        Int128 value = m_nanos / NanosPerUnit;
        int exponent = 0;
        while (value % 1024 == 0 && exponent < 6) {
            value /= 1024;
            ++exponent;
        }
        static constexpr std::string_view BinarySuffixes[] = {"",   "Ki", "Mi", "Gi",
                                                              "Ti", "Pi", "Ei"};
        return toDecimal(value) + std::string(BinarySuffixes[exponent]);
    }
    Int128 mantissa = m_nanos;
    int exponent = -9;
    while (mantissa % 10 == 0) {
        mantissa /= 10;
        ++exponent;
    }
    switch (exponent % 3) {
    case 1:
    case -2:
        mantissa *= 10;
        exponent -= 1;
        break;
    case 2:
    case -1:
        mantissa *= 100;
        exponent -= 2;
        break;
    default:
        break;
    }
    std::string suffix;
    if (format == Format::DecimalSI) {
        switch (exponent) {
        case -9:
            suffix = "n";
            break;
        case -6:
            suffix = "u";
            break;
        case -3:
            suffix = "m";
            break;
        case 0:
            break;
        case 3:
            suffix = "k";
            break;
        case 6:
            suffix = "M";
            break;
        case 9:
            suffix = "G";
            break;
        case 12:
            suffix = "T";
            break;
        case 15:
            suffix = "P";
            break;
        case 18:
            suffix = "E";
            break;
        default:
            suffix = fmt::format("e{}", exponent);
        }
    } else if (exponent != 0) {
        suffix = fmt::format("e{}", exponent);
    }
    return toDecimal(mantissa) + suffix;
}

int64_t Quantity::value() const {
    return saturate(scaleAwayFromZero(m_nanos, NanosPerUnit));
}

int64_t Quantity::milliValue() const {
    return saturate(scaleAwayFromZero(m_nanos, 1'000'000));
}

int Quantity::compare(const Quantity& other) const {
    if (m_nanos < other.m_nanos) {
        return -1;
    }
    return m_nanos > other.m_nanos ? 1 : 0;
}

void Quantity::add(const Quantity& other) {
    if (m_nanos == 0) {
        m_format = other.m_format;
    }
    m_nanos += other.m_nanos;
    m_text.clear();
}

void Quantity::sub(const Quantity& other) {
    if (m_nanos == 0) {
        m_format = other.m_format;
    }
    m_nanos -= other.m_nanos;
    m_text.clear();
}

} // namespace pilot::kube
