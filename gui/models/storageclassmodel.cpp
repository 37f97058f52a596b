#include "gui/models/storageclassmodel.h"

#include "gui/models/modelutil.h"

namespace pilot::gui {

StorageClassModel::StorageClassModel(QObject* parent)
    : ResourceModel(ResourceType::storageClasses(), parent) {}

RecordPtr StorageClassModel::decode(const QJsonObject& object) {
    auto s = std::make_shared<StorageClassRecord>();
    s->fillMeta(object);
    s->provisioner = object.value(QLatin1String("provisioner")).toString();
    s->reclaimPolicy = object.value(QLatin1String("reclaimPolicy")).toString();
    if (s->reclaimPolicy.isEmpty()) {
        s->reclaimPolicy = QStringLiteral("Delete");
    }
    s->bindingMode = object.value(QLatin1String("volumeBindingMode")).toString();
    if (s->bindingMode.isEmpty()) {
        s->bindingMode = QStringLiteral("Immediate");
    }
    s->allowExpansion = object.value(QLatin1String("allowVolumeExpansion")).toBool();
    s->isDefault = jsonAt(object, u"metadata.annotations")
                       .toObject()
                       .value(QLatin1String("storageclass.kubernetes.io/is-default-class"))
                       .toString() == QLatin1String("true");
    return s;
}

QString StorageClassModel::columnTitle(int column) const {
    switch (column) {
    case Name:
        return tr("Name");
    case Provisioner:
        return tr("Provisioner");
    case ReclaimPolicy:
        return tr("Reclaim policy");
    case BindingMode:
        return tr("Volume binding mode");
    case AllowExpansion:
        return tr("Allow expansion");
    case Age:
        return tr("Age");
    default:
        return {};
    }
}

QVariant StorageClassModel::cell(const ObjectRecord& record, int column) const {
    const auto& s = static_cast<const StorageClassRecord&>(record);
    switch (column) {
    case Name:
        return s.isDefault ? QString(s.name + QLatin1Char(' ') + tr("(default)")) : s.name;
    case Provisioner:
        return s.provisioner;
    case ReclaimPolicy:
        return s.reclaimPolicy;
    case BindingMode:
        return s.bindingMode;
    case AllowExpansion:
        return s.allowExpansion ? tr("True") : tr("False");
    case Age:
        return ageSince(s.createdMs);
    default:
        return {};
    }
}

} // namespace pilot::gui
