#pragma once

#include "gui/editors/objectapplier.h"

#include <QList>
#include <QString>

#include <boost/json/value.hpp>

namespace pilot::gui {

/// A problem shown at a line of the YAML editor.
struct YamlDiagnostic {
    enum class Source { Parse, Object, Server };
    int line = 0;   ///< 1-based; 0: not tied to a line (shown in the problem list only).
    int column = 0; ///< 1-based; 0: the whole line.
    QString field;  ///< The API field path, for Object and Server problems.
    QString message;
    Source source = Source::Parse;

    friend bool operator==(const YamlDiagnostic&, const YamlDiagnostic&) = default;
};

/// The diagnostic of a `kube::parseYaml` error (`yaml: line 3, column 7: ...`).
[[nodiscard]] YamlDiagnostic parseErrorDiagnostic(const QString& parseError);

/// Diagnostics for an API error against `text`: each field cause at the line of its field (or of
/// its deepest existing parent), or one line-less diagnostic when the error names no field.
[[nodiscard]] QList<YamlDiagnostic> serverDiagnostics(const QString& text, const StatusError& error,
                                                      int documentIndex = 0);

/// Checks that a parsed document is a Kubernetes object (a mapping with apiVersion, kind and
/// metadata.name) and places the problems in `text`.
[[nodiscard]] QList<YamlDiagnostic> objectDiagnostics(const QString& text,
                                                      const boost::json::value& document);

} // namespace pilot::gui
