#pragma once

#include "gui/models/resourcemodel.h"

namespace pilot::gui {

/// What the ConfigMaps list needs of a ConfigMap.
struct ConfigMapRecord : ObjectRecord {
    int dataCount = 0;
};

/// ConfigMaps.
class ConfigMapModel : public ResourceModel {
    Q_OBJECT
public:
    enum Column { Name, Namespace, Data, Age, ColumnCount };
    Q_ENUM(Column)

    explicit ConfigMapModel(QObject* parent = nullptr);
    [[nodiscard]] RecordDecoder decoder() const override { return &decode; }
    [[nodiscard]] static RecordPtr decode(const QJsonObject& object);
    [[nodiscard]] int ageColumn() const override { return Age; }

protected:
    [[nodiscard]] int columns() const override { return ColumnCount; }
    [[nodiscard]] QString columnTitle(int column) const override;
    [[nodiscard]] QVariant cell(const ObjectRecord& record, int column) const override;
};

} // namespace pilot::gui
