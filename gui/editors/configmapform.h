#pragma once

#include "gui/editors/kindform.h"

namespace pilot::gui {

class KeyValueTable;

/// ConfigMap: its data as keys and (multi-line) values, with "paste .env/.properties".
/// `binaryData` is kept as it is.
class ConfigMapForm : public KindForm {
    Q_OBJECT
public:
    explicit ConfigMapForm(ObjectDocument* document, QWidget* parent = nullptr);
    [[nodiscard]] QString apiVersion() const override { return QStringLiteral("v1"); }
    [[nodiscard]] QString kind() const override { return QStringLiteral("ConfigMap"); }
    [[nodiscard]] boost::json::object newObject(const QString& namespaceName) const override;
    [[nodiscard]] KeyValueTable* data() const { return m_data; }

private:
    KeyValueTable* m_data;
};

/// Checks a ConfigMap/Secret data key: letters, digits, '-', '_' and '.'.
[[nodiscard]] QString validateDataKey(const QString& key);

} // namespace pilot::gui
