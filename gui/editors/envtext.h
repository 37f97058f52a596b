#pragma once

#include <QList>
#include <QString>

#include <utility>

namespace pilot::gui {

/// Parses `.env` and Java `.properties` text into key/value pairs, in order: `KEY=value`,
/// `export KEY=value`, `key: value` and `key value` (properties), single- or double-quoted values
/// (double quotes understand \n, \t, \" and \\), `#`/`!` comment lines, and `\` at the end of a
/// line continuing the value (properties). Lines without a key are skipped.
[[nodiscard]] QList<std::pair<QString, QString>> parseEnvText(const QString& text);

} // namespace pilot::gui
