#pragma once

// Builders for kube::FieldError with the exact texts of k8s.io/apimachinery's field.Error
// (`Required value`, `Invalid value: "x": detail`, `Unsupported value: "x": supported values:
// "a", "b"`, ...) and field path helpers. Private to pilot::admission.

#include "kube/fielderror.h"

#include <string>
#include <string_view>
#include <vector>

namespace pilot::admission::detail {

/// `parent.name` (or `name` at the root).
[[nodiscard]] std::string child(std::string_view parent, std::string_view name);
/// `parent[index]`.
[[nodiscard]] std::string index(std::string_view parent, size_t i);
/// `parent[key]` (map keys are printed unquoted, as field.Path does).
[[nodiscard]] std::string key(std::string_view parent, std::string_view mapKey);

/// Accumulates field errors in the order validation finds them.
class Errors {
public:
    explicit Errors(kube::FieldErrors& out) : m_out(out) {}

    void required(std::string path, std::string_view detail = {});
    /// `valueText` is already formatted (quoted string, number, Go struct dump).
    void invalid(std::string path, std::string_view valueText, std::string_view detail);
    void notSupported(std::string path, std::string_view valueText,
                      const std::vector<std::string>& supported);
    void duplicate(std::string path, std::string_view valueText, std::string_view detail = {});
    void forbidden(std::string path, std::string_view detail);
    void notFound(std::string path, std::string_view valueText);
    void tooLong(std::string path, size_t maxBytes);

    /// Invalid(path, %q value, msg) for each message of a validator.
    void invalidEach(const std::string& path, std::string_view value,
                     const std::vector<std::string>& messages);

    [[nodiscard]] size_t size() const { return m_out.size(); }

private:
    void add(std::string_view reason, std::string path, std::string message);

    kube::FieldErrors& m_out;
};

} // namespace pilot::admission::detail
