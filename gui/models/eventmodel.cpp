#include "gui/models/eventmodel.h"

#include "gui/models/modelutil.h"

namespace pilot::gui {

EventModel::EventModel(QObject* parent) : ResourceModel(ResourceType::events(), parent) {}

RecordPtr EventModel::decode(const QJsonObject& object) {
    auto e = std::make_shared<EventRecord>();
    e->fillMeta(object, false); // events are many and short-lived: the list shows everything
    e->type = StringPool::intern(object.value(QLatin1String("type")).toString());
    e->reason = StringPool::intern(object.value(QLatin1String("reason")).toString());
    e->message = object.value(QLatin1String("message")).toString();
    e->objectKind = StringPool::intern(stringAt(object, u"involvedObject.kind"));
    e->objectName = stringAt(object, u"involvedObject.name");
    e->objectNamespace = StringPool::intern(stringAt(object, u"involvedObject.namespace"));
    e->objectUid = stringAt(object, u"involvedObject.uid");
    e->source = StringPool::intern(stringAt(object, u"source.component"));
    if (e->source.isEmpty()) {
        e->source =
            StringPool::intern(object.value(QLatin1String("reportingComponent")).toString());
    }
    e->count = std::max(1, object.value(QLatin1String("count")).toInt());
    if (int series = intAt(object, u"series.count"); series > e->count) {
        e->count = series;
    }
    for (QStringView path :
         {u"series.lastObservedTime", u"lastTimestamp", u"eventTime", u"firstTimestamp"}) {
        if (qint64 ms = parseTimestamp(stringAt(object, path)); ms > 0) {
            e->lastSeenMs = ms;
            break;
        }
    }
    if (e->lastSeenMs == 0) {
        e->lastSeenMs = e->createdMs;
    }
    return e;
}

Health EventModel::health(const ObjectRecord& record) const {
    return static_cast<const EventRecord&>(record).type == QLatin1String("Warning")
               ? Health::Warning
               : Health::Unknown;
}

QString EventModel::columnTitle(int column) const {
    switch (column) {
    case LastSeen:
        return tr("Last seen");
    case Type:
        return tr("Type");
    case Reason:
        return tr("Reason");
    case Object:
        return tr("Object");
    case Message:
        return tr("Message");
    case Count:
        return tr("Count");
    case Namespace:
        return tr("Namespace");
    default:
        return {};
    }
}

QVariant EventModel::cell(const ObjectRecord& record, int column) const {
    const auto& e = static_cast<const EventRecord&>(record);
    switch (column) {
    case LastSeen:
        return ageSince(e.lastSeenMs);
    case Type:
        return e.type;
    case Reason:
        return e.reason;
    case Object:
        return QString(e.objectKind.toLower() + QLatin1Char('/') + e.objectName);
    case Message:
        return e.message;
    case Count:
        return e.count;
    case Namespace:
        return e.namespaceName;
    default:
        return {};
    }
}

QVariant EventModel::sortKey(const ObjectRecord& record, int column) const {
    const auto& e = static_cast<const EventRecord&>(record);
    if (column == LastSeen) {
        return -e.lastSeenMs;
    }
    return ResourceModel::sortKey(record, column);
}

QVariant EventModel::toolTip(const ObjectRecord& record, int column) const {
    const auto& e = static_cast<const EventRecord&>(record);
    if (column == Message) {
        return e.message;
    }
    if (column == Object) {
        return e.source;
    }
    return {};
}

QString EventModel::searchText(const ObjectRecord& record) const {
    const auto& e = static_cast<const EventRecord&>(record);
    return e.namespaceName + QLatin1Char(' ') + e.objectName + QLatin1Char(' ') + e.reason +
           QLatin1Char(' ') + e.message + QLatin1Char(' ') + e.type;
}

} // namespace pilot::gui
