#include "engine/admission/fielderrors.h"

#include "engine/admission/jsonaccess.h"

#include <fmt/format.h>

namespace pilot::admission::detail {

std::string child(std::string_view parent, std::string_view name) {
    if (parent.empty()) {
        return std::string(name);
    }
    return fmt::format("{}.{}", parent, name);
}

std::string index(std::string_view parent, size_t i) {
    return fmt::format("{}[{}]", parent, i);
}

std::string key(std::string_view parent, std::string_view mapKey) {
    return fmt::format("{}[{}]", parent, mapKey);
}

void Errors::add(std::string_view reason, std::string path, std::string message) {
    m_out.push_back(kube::FieldError{std::string(reason), std::move(path), std::move(message)});
}

void Errors::required(std::string path, std::string_view detail) {
    add("FieldValueRequired", std::move(path),
        detail.empty() ? std::string("Required value") : fmt::format("Required value: {}", detail));
}

void Errors::invalid(std::string path, std::string_view valueText, std::string_view detail) {
    add("FieldValueInvalid", std::move(path),
        detail.empty() ? fmt::format("Invalid value: {}", valueText)
                       : fmt::format("Invalid value: {}: {}", valueText, detail));
}

void Errors::notSupported(std::string path, std::string_view valueText,
                          const std::vector<std::string>& supported) {
    std::string message = fmt::format("Unsupported value: {}", valueText);
    if (!supported.empty()) {
        message += ": supported values: ";
        for (size_t i = 0; i < supported.size(); ++i) {
            if (i > 0) {
                message += ", ";
            }
            message += goQuote(supported[i]);
        }
    }
    add("FieldValueNotSupported", std::move(path), std::move(message));
}

void Errors::duplicate(std::string path, std::string_view valueText, std::string_view detail) {
    add("FieldValueDuplicate", std::move(path),
        detail.empty() ? fmt::format("Duplicate value: {}", valueText)
                       : fmt::format("Duplicate value: {}: {}", valueText, detail));
}

void Errors::forbidden(std::string path, std::string_view detail) {
    add("FieldValueForbidden", std::move(path),
        detail.empty() ? std::string("Forbidden") : fmt::format("Forbidden: {}", detail));
}

void Errors::notFound(std::string path, std::string_view valueText) {
    add("FieldValueNotFound", std::move(path), fmt::format("Not found: {}", valueText));
}

void Errors::tooLong(std::string path, size_t maxBytes) {
    add("FieldValueTooLong", std::move(path),
        fmt::format("Too long: may not be more than {} {}", maxBytes,
                    maxBytes == 1 ? "byte" : "bytes"));
}

void Errors::invalidEach(const std::string& path, std::string_view value,
                         const std::vector<std::string>& messages) {
    for (const std::string& message : messages) {
        invalid(path, goQuote(value), message);
    }
}

} // namespace pilot::admission::detail
