#pragma once

#include "gui/models/resourcemodel.h"

namespace pilot::gui {

/// What the StorageClasses list needs of a StorageClass.
struct StorageClassRecord : ObjectRecord {
    QString provisioner;
    QString reclaimPolicy;
    QString bindingMode;
    bool allowExpansion = false;
    bool isDefault = false;
};

/// StorageClasses (cluster-scoped).
class StorageClassModel : public ResourceModel {
    Q_OBJECT
public:
    enum Column { Name, Provisioner, ReclaimPolicy, BindingMode, AllowExpansion, Age, ColumnCount };
    Q_ENUM(Column)

    explicit StorageClassModel(QObject* parent = nullptr);
    [[nodiscard]] RecordDecoder decoder() const override { return &decode; }
    [[nodiscard]] static RecordPtr decode(const QJsonObject& object);
    [[nodiscard]] int ageColumn() const override { return Age; }

protected:
    [[nodiscard]] int columns() const override { return ColumnCount; }
    [[nodiscard]] QString columnTitle(int column) const override;
    [[nodiscard]] QVariant cell(const ObjectRecord& record, int column) const override;
};

} // namespace pilot::gui
