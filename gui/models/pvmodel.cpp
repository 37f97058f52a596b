#include "gui/models/pvmodel.h"

#include "gui/models/modelutil.h"

namespace pilot::gui {

PvModel::PvModel(QObject* parent) : ResourceModel(ResourceType::persistentVolumes(), parent) {}

RecordPtr PvModel::decode(const QJsonObject& object) {
    auto p = std::make_shared<PvRecord>();
    p->fillMeta(object);
    p->capacity = stringAt(object, u"spec.capacity.storage");
    QStringList modes;
    for (const QJsonValue& mode : jsonAt(object, u"spec.accessModes").toArray()) {
        QString m = mode.toString();
        modes << (m == QLatin1String("ReadWriteOnce")   ? QStringLiteral("RWO")
                  : m == QLatin1String("ReadOnlyMany")  ? QStringLiteral("ROX")
                  : m == QLatin1String("ReadWriteMany") ? QStringLiteral("RWX")
                                                        : QStringLiteral("RWOP"));
    }
    p->accessModes = StringPool::intern(modes.join(QLatin1Char(',')));
    p->reclaimPolicy = StringPool::intern(stringAt(object, u"spec.persistentVolumeReclaimPolicy"));
    p->phase = StringPool::intern(stringAt(object, u"status.phase"));
    QString claimNs = stringAt(object, u"spec.claimRef.namespace");
    QString claimName = stringAt(object, u"spec.claimRef.name");
    p->claim = claimName.isEmpty() ? QString() : QString(claimNs + QLatin1Char('/') + claimName);
    p->storageClass = StringPool::intern(stringAt(object, u"spec.storageClassName"));
    return p;
}

Health PvModel::health(const ObjectRecord& record) const {
    const QString& phase = static_cast<const PvRecord&>(record).phase;
    if (phase == QLatin1String("Bound") || phase == QLatin1String("Available")) {
        return Health::Ok;
    }
    if (phase == QLatin1String("Failed")) {
        return Health::Error;
    }
    return Health::Progressing;
}

QString PvModel::columnTitle(int column) const {
    switch (column) {
    case Name:
        return tr("Name");
    case Capacity:
        return tr("Capacity");
    case AccessModes:
        return tr("Access modes");
    case ReclaimPolicy:
        return tr("Reclaim policy");
    case Status:
        return tr("Status");
    case Claim:
        return tr("Claim");
    case StorageClass:
        return tr("Storage class");
    case Age:
        return tr("Age");
    default:
        return {};
    }
}

QVariant PvModel::cell(const ObjectRecord& record, int column) const {
    const auto& p = static_cast<const PvRecord&>(record);
    switch (column) {
    case Name:
        return p.name;
    case Capacity:
        return p.capacity;
    case AccessModes:
        return p.accessModes;
    case ReclaimPolicy:
        return p.reclaimPolicy;
    case Status:
        return p.phase;
    case Claim:
        return p.claim;
    case StorageClass:
        return p.storageClass;
    case Age:
        return ageSince(p.createdMs);
    default:
        return {};
    }
}

} // namespace pilot::gui
