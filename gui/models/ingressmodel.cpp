#include "gui/models/ingressmodel.h"

#include "gui/models/modelutil.h"

namespace pilot::gui {

IngressModel::IngressModel(QObject* parent) : ResourceModel(ResourceType::ingresses(), parent) {}

RecordPtr IngressModel::decode(const QJsonObject& object) {
    auto i = std::make_shared<IngressRecord>();
    i->fillMeta(object);
    i->ingressClass = stringAt(object, u"spec.ingressClassName");
    if (i->ingressClass.isEmpty()) {
        i->ingressClass = QStringLiteral("<none>");
    }
    QStringList hosts;
    for (const QJsonValue& value : jsonAt(object, u"spec.rules").toArray()) {
        QJsonObject rule = value.toObject();
        QString host = rule.value(QLatin1String("host")).toString();
        hosts << (host.isEmpty() ? QStringLiteral("*") : host);
        for (const QJsonValue& path : jsonAt(rule, u"http.paths").toArray()) {
            QString service = stringAt(path.toObject(), u"backend.service.name");
            if (!service.isEmpty() && !i->backendServices.contains(service)) {
                i->backendServices << service;
            }
        }
    }
    if (QString service = stringAt(object, u"spec.defaultBackend.service.name");
        !service.isEmpty() && !i->backendServices.contains(service)) {
        i->backendServices << service;
    }
    i->hosts = hosts.isEmpty() ? QStringLiteral("*") : hosts.join(QLatin1Char(','));
    QStringList addresses;
    for (const QJsonValue& ingress : jsonAt(object, u"status.loadBalancer.ingress").toArray()) {
        QJsonObject entry = ingress.toObject();
        QString ip = entry.value(QLatin1String("ip")).toString();
        addresses << (ip.isEmpty() ? entry.value(QLatin1String("hostname")).toString() : ip);
    }
    i->address = addresses.join(QLatin1Char(','));
    i->ports = jsonAt(object, u"spec.tls").toArray().isEmpty() ? QStringLiteral("80")
                                                               : QStringLiteral("80, 443");
    return i;
}

QString IngressModel::columnTitle(int column) const {
    switch (column) {
    case Name:
        return tr("Name");
    case Namespace:
        return tr("Namespace");
    case Class:
        return tr("Class");
    case Hosts:
        return tr("Hosts");
    case Address:
        return tr("Address");
    case Ports:
        return tr("Ports");
    case Age:
        return tr("Age");
    default:
        return {};
    }
}

QVariant IngressModel::cell(const ObjectRecord& record, int column) const {
    const auto& i = static_cast<const IngressRecord&>(record);
    switch (column) {
    case Name:
        return i.name;
    case Namespace:
        return i.namespaceName;
    case Class:
        return i.ingressClass;
    case Hosts:
        return i.hosts;
    case Address:
        return i.address;
    case Ports:
        return i.ports;
    case Age:
        return ageSince(i.createdMs);
    default:
        return {};
    }
}

} // namespace pilot::gui
