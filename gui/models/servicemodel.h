#pragma once

#include "gui/models/resourcemodel.h"

namespace pilot::gui {

/// What the Services list needs of a Service.
struct ServiceRecord : ObjectRecord {
    QString type;
    QString clusterIp;
    QString externalIp;
    QString ports;
    Labels selector;
};

/// Services.
class ServiceModel : public ResourceModel {
    Q_OBJECT
public:
    enum Column { Name, Namespace, Type, ClusterIp, ExternalIp, Ports, Age, ColumnCount };
    Q_ENUM(Column)

    explicit ServiceModel(QObject* parent = nullptr);
    [[nodiscard]] RecordDecoder decoder() const override { return &decode; }
    [[nodiscard]] static RecordPtr decode(const QJsonObject& object);
    [[nodiscard]] int ageColumn() const override { return Age; }

protected:
    [[nodiscard]] int columns() const override { return ColumnCount; }
    [[nodiscard]] QString columnTitle(int column) const override;
    [[nodiscard]] QVariant cell(const ObjectRecord& record, int column) const override;
};

} // namespace pilot::gui
