#pragma once

#include "gui/models/resourcemodel.h"

namespace pilot::gui {

/// What the node list, the dashboard and the node actions need of a node.
struct NodeRecord : ObjectRecord {
    QString ready; ///< The Ready condition: True, False, Unknown (empty: not reported).
    bool unschedulable = false;
    QString roles;
    QString version;
    QString internalIp;
    QString osImage;
    double cpuCapacity = 0;    ///< Cores.
    double memoryCapacity = 0; ///< Bytes.
    double cpuAllocatable = 0;
    double memoryAllocatable = 0;
    int podCapacity = 0;
    int taints = 0;
    QStringList pressures; ///< Memory/Disk/PID pressure conditions that are True.
};

/// Nodes.
class NodeModel : public ResourceModel {
    Q_OBJECT
public:
    enum Column {
        Name,
        Status,
        Roles,
        Age,
        Version,
        InternalIp,
        Cpu,
        Memory,
        Pods,
        Taints,
        ColumnCount
    };
    Q_ENUM(Column)

    explicit NodeModel(QObject* parent = nullptr);
    [[nodiscard]] RecordDecoder decoder() const override { return &decode; }
    [[nodiscard]] static RecordPtr decode(const QJsonObject& object);

    [[nodiscard]] Health health(const ObjectRecord& record) const override;
    [[nodiscard]] int statusColumn() const override { return Status; }
    [[nodiscard]] int ageColumn() const override { return Age; }
    /// "Ready", "NotReady", "Unknown", plus ",SchedulingDisabled" when cordoned (as kubectl).
    [[nodiscard]] static QString statusText(const NodeRecord& node);

protected:
    [[nodiscard]] int columns() const override { return ColumnCount; }
    [[nodiscard]] QString columnTitle(int column) const override;
    [[nodiscard]] QVariant cell(const ObjectRecord& record, int column) const override;
    [[nodiscard]] QVariant sortKey(const ObjectRecord& record, int column) const override;
    [[nodiscard]] QVariant toolTip(const ObjectRecord& record, int column) const override;
};

} // namespace pilot::gui
