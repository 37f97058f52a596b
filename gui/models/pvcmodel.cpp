#include "gui/models/pvcmodel.h"

#include "gui/models/modelutil.h"

namespace pilot::gui {

namespace {

QString accessModes(const QJsonArray& modes) {
    QStringList out;
    for (const QJsonValue& mode : modes) {
        QString m = mode.toString();
        if (m == QLatin1String("ReadWriteOnce")) {
            out << QStringLiteral("RWO");
        } else if (m == QLatin1String("ReadOnlyMany")) {
            out << QStringLiteral("ROX");
        } else if (m == QLatin1String("ReadWriteMany")) {
            out << QStringLiteral("RWX");
        } else if (m == QLatin1String("ReadWriteOncePod")) {
            out << QStringLiteral("RWOP");
        }
    }
    return out.join(QLatin1Char(','));
}

} // namespace

PvcModel::PvcModel(QObject* parent)
    : ResourceModel(ResourceType::persistentVolumeClaims(), parent) {}

RecordPtr PvcModel::decode(const QJsonObject& object) {
    auto p = std::make_shared<PvcRecord>();
    p->fillMeta(object);
    p->phase = StringPool::intern(stringAt(object, u"status.phase"));
    p->volume = stringAt(object, u"spec.volumeName");
    p->capacity = stringAt(object, u"status.capacity.storage");
    p->accessModes =
        StringPool::intern(accessModes(jsonAt(object, u"status.accessModes").toArray()));
    p->storageClass = StringPool::intern(stringAt(object, u"spec.storageClassName"));
    return p;
}

Health PvcModel::health(const ObjectRecord& record) const {
    const QString& phase = static_cast<const PvcRecord&>(record).phase;
    if (phase == QLatin1String("Bound")) {
        return Health::Ok;
    }
    if (phase == QLatin1String("Lost")) {
        return Health::Error;
    }
    return Health::Progressing;
}

QString PvcModel::columnTitle(int column) const {
    switch (column) {
    case Name:
        return tr("Name");
    case Namespace:
        return tr("Namespace");
    case Status:
        return tr("Status");
    case Volume:
        return tr("Volume");
    case Capacity:
        return tr("Capacity");
    case AccessModes:
        return tr("Access modes");
    case StorageClass:
        return tr("Storage class");
    case Age:
        return tr("Age");
    default:
        return {};
    }
}

QVariant PvcModel::cell(const ObjectRecord& record, int column) const {
    const auto& p = static_cast<const PvcRecord&>(record);
    switch (column) {
    case Name:
        return p.name;
    case Namespace:
        return p.namespaceName;
    case Status:
        return p.phase;
    case Volume:
        return p.volume;
    case Capacity:
        return p.capacity;
    case AccessModes:
        return p.accessModes;
    case StorageClass:
        return p.storageClass;
    case Age:
        return ageSince(p.createdMs);
    default:
        return {};
    }
}

} // namespace pilot::gui
