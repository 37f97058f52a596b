#pragma once

#include "gui/models/resourcemodel.h"

namespace pilot::gui {

/// What the PersistentVolumes list needs of a PersistentVolume.
struct PvRecord : ObjectRecord {
    QString capacity;
    QString accessModes;
    QString reclaimPolicy;
    QString phase;
    QString claim;
    QString storageClass;
};

/// PersistentVolumes (cluster-scoped).
class PvModel : public ResourceModel {
    Q_OBJECT
public:
    enum Column {
        Name,
        Capacity,
        AccessModes,
        ReclaimPolicy,
        Status,
        Claim,
        StorageClass,
        Age,
        ColumnCount
    };
    Q_ENUM(Column)

    explicit PvModel(QObject* parent = nullptr);
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
