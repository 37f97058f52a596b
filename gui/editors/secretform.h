#pragma once

#include "gui/editors/kindform.h"

#include <QMap>

class QComboBox;

namespace pilot::gui {

class KeyValueTable;

/// Secret: type and data. Values are shown decoded and stored base64-encoded in `data`, as the
/// API keeps them; values that are not text are kept byte for byte unless edited. Entries in
/// `stringData` are shown too and stay there until edited. Also "paste .env/.properties".
class SecretForm : public KindForm {
    Q_OBJECT
public:
    explicit SecretForm(ObjectDocument* document, QWidget* parent = nullptr);
    [[nodiscard]] QString apiVersion() const override { return QStringLiteral("v1"); }
    [[nodiscard]] QString kind() const override { return QStringLiteral("Secret"); }
    [[nodiscard]] boost::json::object newObject(const QString& namespaceName) const override;
    void load(QObject* origin) override;
    [[nodiscard]] KeyValueTable* data() const { return m_data; }
    [[nodiscard]] QStringList validationErrors() const override;

private:
    void dataEdited();

    QComboBox* m_type;
    KeyValueTable* m_data;
    /// key -> (value as shown, base64 as stored) for what was loaded.
    QMap<QString, std::pair<QString, std::string>> m_loaded;
};

} // namespace pilot::gui
