#pragma once

#include "gui/models/resourcemodel.h"

namespace pilot::gui {

/// What the pod list and dashboards need of a pod.
struct PodRecord : ObjectRecord {
    QString status; ///< As kubectl prints it: Running, Pending, CrashLoopBackOff, Init:0/1, ...
    QString phase;
    int ready = 0;
    int containers = 0;
    int restarts = 0;
    QString node;
    QString podIp;
    QString ownerKind;
    QString ownerName;
    QStringList images;
    Health health = Health::Unknown;
};

/// Pods.
class PodModel : public ResourceModel {
    Q_OBJECT
public:
    enum Column { Name, Namespace, Ready, Status, Restarts, Age, Ip, Node, ColumnCount };
    Q_ENUM(Column)

    explicit PodModel(QObject* parent = nullptr);
    [[nodiscard]] RecordDecoder decoder() const override { return &decode; }
    [[nodiscard]] static RecordPtr decode(const QJsonObject& object);

    [[nodiscard]] Health health(const ObjectRecord& record) const override;
    [[nodiscard]] int statusColumn() const override { return Status; }
    [[nodiscard]] int ageColumn() const override { return Age; }
    [[nodiscard]] QString searchText(const ObjectRecord& record) const override;

protected:
    [[nodiscard]] int columns() const override { return ColumnCount; }
    [[nodiscard]] QString columnTitle(int column) const override;
    [[nodiscard]] QVariant cell(const ObjectRecord& record, int column) const override;
    [[nodiscard]] QVariant sortKey(const ObjectRecord& record, int column) const override;
    [[nodiscard]] Qt::Alignment alignment(int column) const override;
};

} // namespace pilot::gui
