#pragma once

#include <QString>
#include <QStringList>

class QWidget;

namespace pilot::gui {

class KindForm;
class ObjectDocument;

/// The kinds that have a form, in the order a "Create" menu lists them.
[[nodiscard]] QStringList formKinds();

/// A new form for `kind` over `document`, or nullptr when the kind has none (YAML only).
[[nodiscard]] KindForm* createKindForm(const QString& kind, ObjectDocument* document,
                                       QWidget* parent = nullptr);

} // namespace pilot::gui
