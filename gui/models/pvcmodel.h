#pragma once

#include "gui/models/resourcemodel.h"

namespace pilot::gui {

/// What the PersistentVolumeClaims list needs of a PersistentVolumeClaim.
struct PvcRecord : ObjectRecord {
    QString phase;
    QString volume;
    QString capacity;
    QString accessModes;
    QString storageClass;
};

/// PersistentVolumeClaims.
class PvcModel : public ResourceModel {
    Q_OBJECT
public:
    enum Column {
        Name,
        Namespace,
        Status,
        Volume,
        Capacity,
        AccessModes,
        StorageClass,
        Age,
        ColumnCount
    };
    Q_ENUM(Column)

    explicit PvcModel(QObject* parent = nullptr);
    [[nodiscard]] RecordDecoder decoder() const override { return &decode; }
    [[nodiscard]] static RecordPtr decode(const QJsonObject& object);
    [[nodiscard]] Health health(const ObjectRecord& record) const override;
    [[nodiscard]] int statusColumn() const override { return Status; }
    [[nodiscard]] int ageColumn() const override { return Age; }

protected:
    [[nodiscard]] int columns() const override { return ColumnCount; }
    [[nodiscard]] QString columnTitle(int column) const override;
    [[nodiscard]] QVariant cell(const ObjectRecord& record, int column) const override;
};

} // namespace pilot::gui
