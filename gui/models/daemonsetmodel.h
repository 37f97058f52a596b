#pragma once

#include "gui/models/resourcemodel.h"

namespace pilot::gui {

/// What the DaemonSets list needs of a DaemonSet.
struct DaemonSetRecord : ObjectRecord {
    int desired = 0;
    int current = 0;
    int readyCount = 0;
    int updated = 0;
    int available = 0;
    QString nodeSelector;
    QStringList images;
    Labels selector;
};

/// DaemonSets.
class DaemonSetModel : public ResourceModel {
    Q_OBJECT
public:
    enum Column {
        Name,
        Namespace,
        Desired,
        Current,
        Ready,
        UpToDate,
        Available,
        NodeSelector,
        Age,
        ColumnCount
    };
    Q_ENUM(Column)

    explicit DaemonSetModel(QObject* parent = nullptr);
    [[nodiscard]] RecordDecoder decoder() const override { return &decode; }
    [[nodiscard]] static RecordPtr decode(const QJsonObject& object);
    [[nodiscard]] Health health(const ObjectRecord& record) const override;
    [[nodiscard]] int statusColumn() const override { return Ready; }
    [[nodiscard]] int ageColumn() const override { return Age; }

protected:
    [[nodiscard]] int columns() const override { return ColumnCount; }
    [[nodiscard]] QString columnTitle(int column) const override;
    [[nodiscard]] QVariant cell(const ObjectRecord& record, int column) const override;
};

} // namespace pilot::gui
