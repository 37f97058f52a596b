#pragma once

#include "gui/models/resourcemodel.h"

namespace pilot::gui {

/// What the Ingresses list needs of a Ingress.
struct IngressRecord : ObjectRecord {
    QString ingressClass;
    QString hosts;
    QString address;
    QString ports;
    QStringList backendServices;
};

/// Ingresses.
class IngressModel : public ResourceModel {
    Q_OBJECT
public:
    enum Column { Name, Namespace, Class, Hosts, Address, Ports, Age, ColumnCount };
    Q_ENUM(Column)

    explicit IngressModel(QObject* parent = nullptr);
    [[nodiscard]] RecordDecoder decoder() const override { return &decode; }
    [[nodiscard]] static RecordPtr decode(const QJsonObject& object);
    [[nodiscard]] int ageColumn() const override { return Age; }

protected:
    [[nodiscard]] int columns() const override { return ColumnCount; }
    [[nodiscard]] QString columnTitle(int column) const override;
    [[nodiscard]] QVariant cell(const ObjectRecord& record, int column) const override;
};

} // namespace pilot::gui
