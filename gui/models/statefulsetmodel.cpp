#include "gui/models/statefulsetmodel.h"

#include "gui/models/modelutil.h"

namespace pilot::gui {

StatefulSetModel::StatefulSetModel(QObject* parent)
    : ResourceModel(ResourceType::statefulSets(), parent) {}

RecordPtr StatefulSetModel::decode(const QJsonObject& object) {
    auto s = std::make_shared<StatefulSetRecord>();
    s->fillMeta(object);
    s->replicas = intAt(object, u"spec.replicas", 1);
    s->readyReplicas = intAt(object, u"status.readyReplicas");
    s->updated = intAt(object, u"status.updatedReplicas");
    s->observed =
        intAt(object, u"status.observedGeneration") >= intAt(object, u"metadata.generation");
    s->images = imagesOf(jsonAt(object, u"spec.template.spec").toObject());
    s->selector = labelsFrom(jsonAt(object, u"spec.selector.matchLabels").toObject());
    return s;
}

Health StatefulSetModel::health(const ObjectRecord& record) const {
    const auto& s = static_cast<const StatefulSetRecord&>(record);
    if (!s.observed || s.updated < s.replicas) {
        return Health::Progressing;
    }
    if (s.readyReplicas < s.replicas) {
        return s.readyReplicas == 0 ? Health::Error : Health::Warning;
    }
    return Health::Ok;
}

QString StatefulSetModel::columnTitle(int column) const {
    switch (column) {
    case Name:
        return tr("Name");
    case Namespace:
        return tr("Namespace");
    case Ready:
        return tr("Ready");
    case Age:
        return tr("Age");
    case Images:
        return tr("Images");
    default:
        return {};
    }
}

QVariant StatefulSetModel::cell(const ObjectRecord& record, int column) const {
    const auto& s = static_cast<const StatefulSetRecord&>(record);
    switch (column) {
    case Name:
        return s.name;
    case Namespace:
        return s.namespaceName;
    case Ready:
        return QStringLiteral("%1/%2").arg(s.readyReplicas).arg(s.replicas);
    case Age:
        return ageSince(s.createdMs);
    case Images:
        return s.images.join(QStringLiteral(", "));
    default:
        return {};
    }
}

QVariant StatefulSetModel::sortKey(const ObjectRecord& record, int column) const {
    const auto& s = static_cast<const StatefulSetRecord&>(record);
    if (column == Ready) {
        return s.replicas ? double(s.readyReplicas) / s.replicas : 1.0;
    }
    return ResourceModel::sortKey(record, column);
}

} // namespace pilot::gui
