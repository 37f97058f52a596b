#pragma once

#include "core/error.h"

#include <boost/json/value.hpp>

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace pilot::kube {

namespace detail {
__extension__ typedef __int128 QuantityNanos; // exact value in units of 1e-9
} // namespace detail

/// A Kubernetes resource.Quantity ("100m", "1.5Gi", "2e3"): an exact decimal with nano
/// precision plus the notation it was written in, which decides how it prints.
/// Semantics follow k8s.io/apimachinery/pkg/api/resource: parsed values are rounded up (away
/// from zero) to 1n and capped at 2^63-1; `toString()` gives the canonical form Kubernetes
/// returns ("1000m" -> "1", "1024Mi" -> "1Gi", "1.5Gi" -> "1536Mi", "0.1" -> "100m"). Value type.
class Quantity {
public:
    /// How the quantity prints: 1e3-style exponents, binary (Ki, Mi, ...) or decimal (m, k, M,
    /// ...) suffixes.
    enum class Format { DecimalExponent, BinarySI, DecimalSI };

    Quantity() = default; // zero, DecimalSI

    /// Parses the quantity grammar. Errors (InvalidArgument) carry upstream's messages:
    /// "quantities must match the regular expression
    /// '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" or "unable to parse quantity's suffix".
    [[nodiscard]] static Result<Quantity> parse(std::string_view text);
    /// Parses a JSON string or number (numbers by their text); null is zero.
    [[nodiscard]] static Result<Quantity> fromJson(const boost::json::value& value);
    /// `value` units (NewQuantity).
    [[nodiscard]] static Quantity fromValue(int64_t value, Format format = Format::DecimalSI);
    /// `milli` thousandths (NewMilliQuantity).
    [[nodiscard]] static Quantity fromMilli(int64_t milli, Format format = Format::DecimalSI);

    /// Canonical text; a parsed string that was already canonical-ish is returned as written,
    /// as Kubernetes does ("+1" stays "+1").
    [[nodiscard]] std::string toString() const;
    /// The value rounded up, away from zero, to a whole unit (saturates at int64 limits).
    [[nodiscard]] int64_t value() const;
    /// The value in thousandths, rounded up away from zero (saturates).
    [[nodiscard]] int64_t milliValue() const;
    [[nodiscard]] Format format() const { return m_format; }
    [[nodiscard]] bool isZero() const { return m_nanos == 0; }
    [[nodiscard]] int sign() const { return m_nanos < 0 ? -1 : (m_nanos > 0 ? 1 : 0); }

    /// -1, 0 or 1 comparing the numeric values (notation is ignored).
    [[nodiscard]] int compare(const Quantity& other) const;
    friend bool operator==(const Quantity& a, const Quantity& b) { return a.compare(b) == 0; }
    friend std::strong_ordering operator<=>(const Quantity& a, const Quantity& b) {
        return a.compare(b) <=> 0;
    }

    /// Adds/subtracts in place; keeps this quantity's format unless it was zero.
    void add(const Quantity& other);
    void sub(const Quantity& other);
    friend Quantity operator+(Quantity a, const Quantity& b) {
        a.add(b);
        return a;
    }
    friend Quantity operator-(Quantity a, const Quantity& b) {
        a.sub(b);
        return a;
    }

private:
    detail::QuantityNanos m_nanos = 0;
    Format m_format = Format::DecimalSI;
    std::string m_text; // the parsed text when Kubernetes would print it unchanged
};

} // namespace pilot::kube
