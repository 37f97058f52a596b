#pragma once

#include "gui/editors/fieldpath.h"

#include <QString>

namespace pilot::gui {

/// Where a field sits in YAML text: finds the line of `spec.template.spec.containers[0].image` so
/// that an API error can be shown there.
struct YamlLocation {
    int line = 0;       ///< 1-based; 0 when the text does not parse.
    int column = 0;     ///< 1-based.
    bool exact = false; ///< false: the field is missing and this is its deepest existing parent.
};

/// Locates `path` in document `documentIndex` of `text` (a `---` stream). Never throws.
[[nodiscard]] YamlLocation locateField(const QString& text, const FieldPath& path,
                                       int documentIndex = 0);

} // namespace pilot::gui
