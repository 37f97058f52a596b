#pragma once

#include <string>
#include <string_view>
#include <vector>

/// Kubernetes name and label validators (k8s.io/apimachinery/pkg/util/validation). Each returns
/// the upstream error messages verbatim; an empty vector means the value is valid.
namespace pilot::kube {

/// RFC 1123 subdomain, at most 253 bytes: most object names (`metadata.name`), label prefixes.
[[nodiscard]] std::vector<std::string> validateDns1123Subdomain(std::string_view value);

/// RFC 1123 label, at most 63 bytes: namespace names, container and port names.
[[nodiscard]] std::vector<std::string> validateDns1123Label(std::string_view value);

/// RFC 1035 label, at most 63 bytes, starting with a letter: Service names.
[[nodiscard]] std::vector<std::string> validateDns1035Label(std::string_view value);

/// Qualified name `[prefix/]name` as used by label and annotation keys: the optional prefix is a
/// DNS subdomain, the name at most 63 alphanumerics, '-', '_', '.' starting and ending with an
/// alphanumeric.
[[nodiscard]] std::vector<std::string> validateQualifiedName(std::string_view value);

/// Label value: empty, or at most 63 alphanumerics, '-', '_', '.' starting and ending with an
/// alphanumeric.
[[nodiscard]] std::vector<std::string> validateLabelValue(std::string_view value);

/// Joins messages the way field errors print several of them: "a; b".
[[nodiscard]] std::string joinMessages(const std::vector<std::string>& messages);

} // namespace pilot::kube
