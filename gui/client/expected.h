#pragma once

#include <QString>

#include <expected>

namespace pilot::gui {

/// The console's error-as-value type (as Qt Creator's Utils::Result): a value or a message
/// ready to show to the user.
template <typename T>
using Expected = std::expected<T, QString>;

/// Shorthand for a failed Expected.
[[nodiscard]] inline std::unexpected<QString> failure(QString message) {
    return std::unexpected<QString>(std::move(message));
}

} // namespace pilot::gui
