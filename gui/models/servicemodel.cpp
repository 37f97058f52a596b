#include "gui/models/servicemodel.h"

#include "gui/models/modelutil.h"

namespace pilot::gui {

ServiceModel::ServiceModel(QObject* parent) : ResourceModel(ResourceType::services(), parent) {}

RecordPtr ServiceModel::decode(const QJsonObject& object) {
    auto s = std::make_shared<ServiceRecord>();
    s->fillMeta(object);
    s->type = StringPool::intern(stringAt(object, u"spec.type"));
    if (s->type.isEmpty()) {
        s->type = QStringLiteral("ClusterIP");
    }
    s->clusterIp = stringAt(object, u"spec.clusterIP");
    QStringList external;
    for (const QJsonValue& ip : jsonAt(object, u"spec.externalIPs").toArray()) {
        external << ip.toString();
    }
    for (const QJsonValue& ingress : jsonAt(object, u"status.loadBalancer.ingress").toArray()) {
        QJsonObject entry = ingress.toObject();
        QString address = entry.value(QLatin1String("ip")).toString();
        external << (address.isEmpty() ? entry.value(QLatin1String("hostname")).toString()
                                       : address);
    }
    if (s->type == QLatin1String("ExternalName")) {
        external << stringAt(object, u"spec.externalName");
    }
    s->externalIp = external.isEmpty() ? QStringLiteral("<none>") : external.join(QLatin1Char(','));
    QStringList ports;
    for (const QJsonValue& value : jsonAt(object, u"spec.ports").toArray()) {
        QJsonObject port = value.toObject();
        QString text = QString::number(port.value(QLatin1String("port")).toInt());
        if (int nodePort = port.value(QLatin1String("nodePort")).toInt(); nodePort) {
            text += QLatin1Char(':') + QString::number(nodePort);
        }
        QString protocol = port.value(QLatin1String("protocol")).toString();
        text += QLatin1Char('/') + (protocol.isEmpty() ? QStringLiteral("TCP") : protocol);
        ports << text;
    }
    s->ports = ports.isEmpty() ? QStringLiteral("<none>") : ports.join(QLatin1Char(','));
    s->selector = labelsFrom(jsonAt(object, u"spec.selector").toObject());
    return s;
}

QString ServiceModel::columnTitle(int column) const {
    switch (column) {
    case Name:
        return tr("Name");
    case Namespace:
        return tr("Namespace");
    case Type:
        return tr("Type");
    case ClusterIp:
        return tr("Cluster IP");
    case ExternalIp:
        return tr("External IP");
    case Ports:
        return tr("Ports");
    case Age:
        return tr("Age");
    default:
        return {};
    }
}

QVariant ServiceModel::cell(const ObjectRecord& record, int column) const {
    const auto& s = static_cast<const ServiceRecord&>(record);
    switch (column) {
    case Name:
        return s.name;
    case Namespace:
        return s.namespaceName;
    case Type:
        return s.type;
    case ClusterIp:
        return s.clusterIp;
    case ExternalIp:
        return s.externalIp;
    case Ports:
        return s.ports;
    case Age:
        return ageSince(s.createdMs);
    default:
        return {};
    }
}

} // namespace pilot::gui
