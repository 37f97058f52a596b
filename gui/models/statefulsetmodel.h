#pragma once

#include "gui/models/resourcemodel.h"

namespace pilot::gui {

/// What the StatefulSets list needs of a StatefulSet.
struct StatefulSetRecord : ObjectRecord {
    int replicas = 0;
    int readyReplicas = 0;
    int updated = 0;
    bool observed = true;
    QStringList images;
    Labels selector;
};

/// StatefulSets.
class StatefulSetModel : public ResourceModel {
    Q_OBJECT
public:
    enum Column { Name, Namespace, Ready, Age, Images, ColumnCount };
    Q_ENUM(Column)

    explicit StatefulSetModel(QObject* parent = nullptr);
    [[nodiscard]] RecordDecoder decoder() const override { return &decode; }
    [[nodiscard]] static RecordPtr decode(const QJsonObject& object);
    [[nodiscard]] Health health(const ObjectRecord& record) const override;
    [[nodiscard]] int statusColumn() const override { return Ready; }
    [[nodiscard]] int ageColumn() const override { return Age; }

protected:
    [[nodiscard]] int columns() const override { return ColumnCount; }
    [[nodiscard]] QString columnTitle(int column) const override;
    [[nodiscard]] QVariant cell(const ObjectRecord& record, int column) const override;
    [[nodiscard]] QVariant sortKey(const ObjectRecord& record, int column) const override;
};

} // namespace pilot::gui
