#include "gui/models/nodemodel.h"

#include "gui/models/modelutil.h"

namespace pilot::gui {

NodeModel::NodeModel(QObject* parent) : ResourceModel(ResourceType::nodes(), parent) {}

RecordPtr NodeModel::decode(const QJsonObject& object) {
    auto n = std::make_shared<NodeRecord>();
    n->fillMeta(object);
    n->unschedulable = jsonAt(object, u"spec.unschedulable").toBool();
    n->taints = int(jsonAt(object, u"spec.taints").toArray().size());
    const QJsonArray conditions = jsonAt(object, u"status.conditions").toArray();
    for (const QJsonValue& value : conditions) {
        QJsonObject condition = value.toObject();
        QString type = condition.value(QLatin1String("type")).toString();
        QString status = condition.value(QLatin1String("status")).toString();
        if (type == QLatin1String("Ready")) {
            n->ready = StringPool::intern(status);
        } else if (status == QLatin1String("True")) {
            n->pressures << StringPool::intern(type);
        }
    }
    QStringList roles;
    for (const auto& [key, value] : n->labels) {
        static const QLatin1String prefix("node-role.kubernetes.io/");
        if (key.startsWith(prefix)) {
            roles << key.mid(prefix.size());
        }
    }
    n->roles = roles.isEmpty() ? QStringLiteral("<none>") : roles.join(QLatin1Char(','));
    n->version = StringPool::intern(stringAt(object, u"status.nodeInfo.kubeletVersion"));
    n->osImage = StringPool::intern(stringAt(object, u"status.nodeInfo.osImage"));
    for (const QJsonValue& value : jsonAt(object, u"status.addresses").toArray()) {
        QJsonObject address = value.toObject();
        if (address.value(QLatin1String("type")).toString() == QLatin1String("InternalIP")) {
            n->internalIp = address.value(QLatin1String("address")).toString();
            break;
        }
    }
    n->cpuCapacity = parseQuantity(stringAt(object, u"status.capacity.cpu"));
    n->memoryCapacity = parseQuantity(stringAt(object, u"status.capacity.memory"));
    n->cpuAllocatable = parseQuantity(stringAt(object, u"status.allocatable.cpu"));
    n->memoryAllocatable = parseQuantity(stringAt(object, u"status.allocatable.memory"));
    if (n->cpuAllocatable == 0) {
        n->cpuAllocatable = n->cpuCapacity;
    }
    if (n->memoryAllocatable == 0) {
        n->memoryAllocatable = n->memoryCapacity;
    }
    n->podCapacity = int(parseQuantity(stringAt(object, u"status.capacity.pods")));
    return n;
}

QString NodeModel::statusText(const NodeRecord& node) {
    QString status = node.ready == QLatin1String("True")    ? QStringLiteral("Ready")
                     : node.ready == QLatin1String("False") ? QStringLiteral("NotReady")
                                                            : QStringLiteral("Unknown");
    if (node.unschedulable) {
        status += QStringLiteral(",SchedulingDisabled");
    }
    return status;
}

Health NodeModel::health(const ObjectRecord& record) const {
    const auto& n = static_cast<const NodeRecord&>(record);
    if (n.ready != QLatin1String("True")) {
        return Health::Error;
    }
    if (n.unschedulable || !n.pressures.isEmpty()) {
        return Health::Warning;
    }
    return Health::Ok;
}

QString NodeModel::columnTitle(int column) const {
    switch (column) {
    case Name:
        return tr("Name");
    case Status:
        return tr("Status");
    case Roles:
        return tr("Roles");
    case Age:
        return tr("Age");
    case Version:
        return tr("Version");
    case InternalIp:
        return tr("Internal IP");
    case Cpu:
        return tr("CPU");
    case Memory:
        return tr("Memory");
    case Pods:
        return tr("Pods");
    case Taints:
        return tr("Taints");
    default:
        return {};
    }
}

QVariant NodeModel::cell(const ObjectRecord& record, int column) const {
    const auto& n = static_cast<const NodeRecord&>(record);
    switch (column) {
    case Name:
        return n.name;
    case Status:
        return statusText(n);
    case Roles:
        return n.roles;
    case Age:
        return ageSince(n.createdMs);
    case Version:
        return n.version;
    case InternalIp:
        return n.internalIp;
    case Cpu:
        return formatCores(n.cpuCapacity);
    case Memory:
        return formatBytes(n.memoryCapacity);
    case Pods:
        return n.podCapacity;
    case Taints:
        return n.taints;
    default:
        return {};
    }
}

QVariant NodeModel::sortKey(const ObjectRecord& record, int column) const {
    const auto& n = static_cast<const NodeRecord&>(record);
    if (column == Cpu) {
        return n.cpuCapacity;
    }
    if (column == Memory) {
        return n.memoryCapacity;
    }
    return ResourceModel::sortKey(record, column);
}

QVariant NodeModel::toolTip(const ObjectRecord& record, int column) const {
    const auto& n = static_cast<const NodeRecord&>(record);
    if (column == Status && !n.pressures.isEmpty()) {
        return n.pressures.join(QStringLiteral(", "));
    }
    if (column == Name) {
        return n.osImage;
    }
    return {};
}

} // namespace pilot::gui
