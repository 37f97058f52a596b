#pragma once

#include "gui/models/resourcemodel.h"

namespace pilot::gui {

/// What the Secrets list needs of a Secret.
struct SecretRecord : ObjectRecord {
    QString type;
    int dataCount = 0;
};

/// Secrets (values are never shown in lists).
class SecretModel : public ResourceModel {
    Q_OBJECT
public:
    enum Column { Name, Namespace, Type, Data, Age, ColumnCount };
    Q_ENUM(Column)

    explicit SecretModel(QObject* parent = nullptr);
    [[nodiscard]] RecordDecoder decoder() const override { return &decode; }
    [[nodiscard]] static RecordPtr decode(const QJsonObject& object);
    [[nodiscard]] int ageColumn() const override { return Age; }

protected:
    [[nodiscard]] int columns() const override { return ColumnCount; }
    [[nodiscard]] QString columnTitle(int column) const override;
    [[nodiscard]] QVariant cell(const ObjectRecord& record, int column) const override;
};

} // namespace pilot::gui
