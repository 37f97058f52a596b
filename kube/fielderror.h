#pragma once

#include <string>
#include <vector>

namespace pilot::kube {

/// One problem with one field, as Kubernetes reports it in `Status.details.causes`.
/// `reason` is the Kubernetes cause type: "FieldValueInvalid", "FieldValueRequired",
/// "FieldValueNotSupported", "FieldValueDuplicate", "FieldValueForbidden", "FieldValueTooLong",
/// "FieldValueTypeInvalid", "FieldValueUnknown" (unknown field under strict validation).
/// `field` is the path as Kubernetes prints it: `spec.template.spec.containers[0].image`,
/// `metadata.labels[app]`. `message` is the full text after the path, e.g.
/// `Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of ...` or
/// `Required value`.
struct FieldError {
    std::string reason;
    std::string field;
    std::string message;
};

using FieldErrors = std::vector<FieldError>;

} // namespace pilot::kube
