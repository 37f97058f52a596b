#include "gui/models/deploymentmodel.h"

#include "gui/models/modelutil.h"

namespace pilot::gui {

DeploymentModel::DeploymentModel(QObject* parent)
    : ResourceModel(ResourceType::deployments(), parent) {}

RecordPtr DeploymentModel::decode(const QJsonObject& object) {
    auto d = std::make_shared<DeploymentRecord>();
    d->fillMeta(object);
    d->replicas = intAt(object, u"spec.replicas", 1);
    d->readyReplicas = intAt(object, u"status.readyReplicas");
    d->updated = intAt(object, u"status.updatedReplicas");
    d->available = intAt(object, u"status.availableReplicas");
    d->paused = jsonAt(object, u"spec.paused").toBool();
    d->observed =
        intAt(object, u"status.observedGeneration") >= intAt(object, u"metadata.generation");
    const QJsonArray conditions = jsonAt(object, u"status.conditions").toArray();
    for (const QJsonValue& value : conditions) {
        QJsonObject condition = value.toObject();
        if (condition.value(QLatin1String("type")).toString() == QLatin1String("Progressing") &&
            condition.value(QLatin1String("reason")).toString() ==
                QLatin1String("ProgressDeadlineExceeded")) {
            d->progressFailed = true;
        }
    }
    d->images = imagesOf(jsonAt(object, u"spec.template.spec").toObject());
    d->selector = labelsFrom(jsonAt(object, u"spec.selector.matchLabels").toObject());
    return d;
}

Health DeploymentModel::health(const ObjectRecord& record) const {
    const auto& d = static_cast<const DeploymentRecord&>(record);
    if (d.progressFailed) {
        return Health::Error;
    }
    if (d.paused) {
        return Health::Warning;
    }
    if (!d.observed || d.updated < d.replicas) {
        return Health::Progressing;
    }
    if (d.available < d.replicas || d.readyReplicas < d.replicas) {
        return d.available == 0 && d.replicas > 0 ? Health::Error : Health::Warning;
    }
    return Health::Ok;
}

QString DeploymentModel::columnTitle(int column) const {
    switch (column) {
    case Name:
        return tr("Name");
    case Namespace:
        return tr("Namespace");
    case Ready:
        return tr("Ready");
    case UpToDate:
        return tr("Up-to-date");
    case Available:
        return tr("Available");
    case Age:
        return tr("Age");
    case Images:
        return tr("Images");
    default:
        return {};
    }
}

QVariant DeploymentModel::cell(const ObjectRecord& record, int column) const {
    const auto& d = static_cast<const DeploymentRecord&>(record);
    switch (column) {
    case Name:
        return d.name;
    case Namespace:
        return d.namespaceName;
    case Ready:
        return QStringLiteral("%1/%2").arg(d.readyReplicas).arg(d.replicas);
    case UpToDate:
        return d.updated;
    case Available:
        return d.available;
    case Age:
        return ageSince(d.createdMs);
    case Images:
        return d.images.join(QStringLiteral(", "));
    default:
        return {};
    }
}

QVariant DeploymentModel::sortKey(const ObjectRecord& record, int column) const {
    const auto& d = static_cast<const DeploymentRecord&>(record);
    if (column == Ready) {
        return d.replicas ? double(d.readyReplicas) / d.replicas : 1.0;
    }
    return ResourceModel::sortKey(record, column);
}

} // namespace pilot::gui
